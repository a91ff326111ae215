"""Liveness, readiness and metrics for the worker processes (consumer, relay, dispatcher), on their metrics port.

Liveness says the process's loop still runs; readiness says whether it can do its job right now — a relay that
cannot publish, a consumer that cannot apply or commit — with the reason, so an operator (or a supervisor, or
Kubernetes) sees what is wrong instead of a green light over a stalled pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

READY = Gauge("lianrong_worker_ready", "1 when the worker can do its job, 0 when not (see /readyz for why)")


class WorkerStatus:
    def __init__(self) -> None:
        self.ready = False
        self.reason = "starting"
        self.since = time.time()

    def up(self) -> None:
        if not self.ready:
            self.ready, self.reason, self.since = True, "", time.time()
            READY.set(1)

    def down(self, reason: str) -> None:
        if self.ready or reason != self.reason:
            self.ready, self.reason, self.since = False, reason[:300], time.time()
            READY.set(0)


STATUS = WorkerStatus()  # one worker per process


async def serve_probes(port: int, host: str = "127.0.0.1") -> asyncio.Server:
    """GET /healthz, /readyz and /metrics on `port` (a tiny HTTP server: no framework in a worker)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)).strip():
                pass  # headers: not needed
            path = request.decode(errors="replace").split(" ")[1] if request.count(b" ") >= 2 else "/"
            status, content_type, body = _answer(path.split("?")[0])
            writer.write(
                f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n"
                f"connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port)


def _answer(path: str) -> tuple[str, str, bytes]:
    if path == "/healthz":
        return "200 OK", "application/json", b'{"status": "ok"}'
    if path == "/readyz":
        body = {"status": "ready" if STATUS.ready else "not ready", "reason": STATUS.reason, "since": STATUS.since}
        return ("200 OK" if STATUS.ready else "503 Service Unavailable"), "application/json", json.dumps(body).encode()
    if path == "/metrics":
        return "200 OK", CONTENT_TYPE_LATEST, generate_latest()
    return "404 Not Found", "text/plain", b"not found"
