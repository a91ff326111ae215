"""The portal's own server: the demo's tokens are handed out only on an installation that says it is a demo, a
body is refused before it is read when it is larger than allowed, declared or chunked, and a service that drops
or refuses a connection is a clear 502/503 (a read sent again once), never a 500."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from portal.app import PortalSettings, create_app


@asynccontextmanager
async def client_for(settings: PortalSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://p") as client:
        yield client


async def test_the_demo_people_are_offered_only_in_demo_mode(tmp_path: Path) -> None:
    tokens = tmp_path / "demo-tokens.json"
    tokens.write_text(json.dumps({"王经理": {"role": "sme", "token": "t"}}))
    async with client_for(PortalSettings(demo_identities=tokens)) as closed:
        refused = await closed.get("/demo-identities")
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
    async with client_for(PortalSettings(demo_identities=tokens, demo_mode=True)) as demo:
        assert [p["name"] for p in (await demo.get("/demo-identities")).json()] == ["王经理"]


async def test_a_body_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    async with client_for(PortalSettings(max_body_bytes=4096)) as client:
        declared = await client.post("/api/firms/v1/needs", content=b"x" * 10_000)
        assert declared.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"y" * 1024

        chunked = await client.post("/api/firms/v1/needs", content=chunks())
        assert chunked.status_code == 413


class DroppingService:
    """A service on a real socket that reads each request and closes the connection without an answer for the first
    `drops` requests (what a keep-alive connection closed under a reused request looks like), then answers 200."""

    def __init__(self, drops: int) -> None:
        self.drops = drops
        self.requests: list[bytes] = []
        self.port = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head.split(b"\r\n", 1)[0])
        if len(self.requests) <= self.drops:
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n")
        writer.write(b"connection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield f"http://127.0.0.1:{self.port}"


async def test_a_read_dropped_by_the_service_is_sent_again_and_a_write_is_not() -> None:
    service = DroppingService(drops=1)
    async with service.running() as url, client_for(PortalSettings(firms_url=url)) as client:
        read = await client.get("/api/firms/v1/needs")
        assert read.status_code == 200, read.text
        assert service.requests == [b"GET /v1/needs HTTP/1.1"] * 2

    service = DroppingService(drops=1)
    async with service.running() as url, client_for(PortalSettings(firms_url=url)) as client:
        write = await client.post("/api/firms/v1/needs", json={"amount": "1.00"})
        assert write.status_code == 502
        assert write.headers["content-type"].startswith("application/problem+json")
        assert write.json()["type"].endswith("/upstream-dropped")
        assert "Idempotency-Key" in write.json()["detail"]
        assert service.requests == [b"POST /v1/needs HTTP/1.1"]  # never sent twice by the portal


async def test_a_service_that_cannot_be_reached_is_503_with_retry_after_not_a_500() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client_for(PortalSettings(banks_url=f"http://127.0.0.1:{port}")) as client:
        answer = await client.get("/api/banks/v1/designations")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["type"].endswith("/upstream-unavailable")
    assert "banks" in answer.json()["detail"]
