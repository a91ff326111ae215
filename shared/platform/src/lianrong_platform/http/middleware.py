"""ASGI middleware: request context for logs, Prometheus request metrics, and a body-size limit.

Pure ASGI (not BaseHTTPMiddleware) so streaming responses such as Server-Sent Events pass straight through.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.envelope import correlation
from lianrong_platform.http.problems import PROBLEM_BASE, PROBLEM_JSON

REQUESTS = Counter("lianrong_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram("lianrong_http_request_seconds", "HTTP request latency", ["service", "method", "route"])


class RequestContext:
    """Binds a correlation id (from `X-Correlation-ID` or new) to the logs and to the events the request records,
    and echoes it; counts and times."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"x-correlation-id", b"").decode(errors="replace")
        try:
            correlation_id = str(uuid.UUID(raw))
        except ValueError:
            correlation_id = str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-correlation-id", correlation_id.encode())]
            await send(message)

        with (
            structlog.contextvars.bound_contextvars(correlation_id=correlation_id, path=scope["path"]),
            correlation(uuid.UUID(correlation_id)),  # every event this request's transaction records carries it
        ):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = getattr(scope.get("route"), "path", "unmatched")
                REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
                LATENCY.labels(self.service, scope["method"], route).observe(time.perf_counter() - started)


class BodyLimit:
    """Refuses bodies larger than `max_bytes` with 413 problem+json, before any handler reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None) -> None:
        self.app, self.max_bytes, self.larger = app, max_bytes, dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)  # an upload's own limit, still read in a bounded way
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, send, limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._too_large(scope, send, limit)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + "payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The body may be at most {limit} bytes.",
            "instance": scope["path"],
        }
        data = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(data)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": data})


class _TooLarge(Exception):
    pass


def _unstorable(text: str) -> bool:
    """NUL and lone surrogates: PostgreSQL cannot store them, and no person types them."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def _first_unstorable(value: Any, at: str = "") -> str | None:
    if isinstance(value, str):
        return at or "/" if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if _unstorable(str(key)):
                return here
            if (found := _first_unstorable(item, here)) is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (found := _first_unstorable(item, f"{at}/{i}")) is not None:
                return found
    return None


class TextGuard:
    """Refuses text that cannot be stored (NUL, lone surrogates) in a JSON body or the query with 422 and the field,
    before any handler sees it, so no such input reaches the database as a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("utf-8", errors="surrogateescape")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if _unstorable(name) or _unstorable(value):
                await _refuse(scope, send, f"/query/{name}", "query")
                return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if b"json" not in content_type:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            pointer = _first_unstorable(json.loads(body)) if body else None
        except ValueError:
            pointer = None  # not JSON: FastAPI answers that itself
        if pointer is not None:
            await _refuse(scope, send, pointer, "body")
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}]), send)


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive


async def _refuse(scope: Scope, send: Send, pointer: str, where: str) -> None:
    body = {
        "type": PROBLEM_BASE + "validation",
        "title": "The request has invalid fields",
        "status": 422,
        "detail": f"Invalid: {pointer}",
        "instance": scope["path"],
        "errors": [
            {
                "pointer": pointer,
                "in": where,
                "detail": "contains a character that cannot be stored (NUL or an unpaired surrogate)",
                "code": "invalid_character",
                "params": {},
            }
        ],
    }
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})
