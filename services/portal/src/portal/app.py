"""The portal's server: the static pages, the demo identities for the login page, and one same-origin path per
service (`/api/<service>/…`) forwarded with the caller's token, live streams included."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lianrong_platform.http.middleware import BodyLimit
from lianrong_platform.http.problems import NotFound, Problem, install_problem_handlers

STATIC = Path(__file__).parent / "static"
FORWARDED_HEADERS = ("authorization", "content-type", "idempotency-key", "x-correlation-id", "accept")
# Methods that may be sent again when a service's connection dropped before it answered: they change nothing (GET)
# or the same thing twice (PUT). A POST or PATCH is never re-sent here; the caller retries it with its
# Idempotency-Key, knowing the first may have been applied.
RESENDABLE = ("GET", "PUT", "DELETE")


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8100
    firms_url: str = "http://127.0.0.1:8101"
    banks_url: str = "http://127.0.0.1:8102"
    matcher_url: str = "http://127.0.0.1:8103"
    oversight_url: str = "http://127.0.0.1:8104"
    notifier_url: str = "http://127.0.0.1:8105"
    demo_identities: Path | None = Field(
        default=None, description="The demo's tokens file; the login page offers its people. None: no demo login."
    )
    demo_mode: bool = Field(
        default=False,
        description="Hand the demo's tokens to anyone who opens the login page: only on a demo installation.",
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Larger bodies are refused before reading.")


def create_app(settings: PortalSettings) -> FastAPI:
    services = {
        "firms": settings.firms_url,
        "banks": settings.banks_url,
        "matcher": settings.matcher_url,
        "oversight": settings.oversight_url,
        "notifier": settings.notifier_url,
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # retries=2: a connection the service refused is tried again before the caller is told it is unavailable.
        transport = httpx.AsyncHTTPTransport(retries=2)
        async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(30.0, read=None)) as client:
            app.state.client = client
            yield

    app = FastAPI(title="链融 portal", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_problem_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/demo-identities", summary="The demo's people, for the login page (demo installations only)")
    async def demo_identities() -> list[dict[str, Any]]:
        path = settings.demo_identities
        if not settings.demo_mode:
            raise NotFound("this installation is not a demo: log in through your organisation")
        if path is None or not path.exists():
            return []
        people = json.loads(path.read_text())
        return [{"name": name, **person} for name, person in people.items()]

    @app.api_route(
        "/api/{service}/{path:path}", methods=["GET", "POST", "PATCH", "PUT", "DELETE"], include_in_schema=False
    )
    async def forward(service: str, path: str, request: Request) -> Response:
        base = services.get(service)
        if base is None:
            raise NotFound(f"no service {service}")
        client: httpx.AsyncClient = request.app.state.client
        upstream = client.build_request(
            request.method,
            f"{base}/{path}",
            params=request.query_params,
            content=await request.body(),
            headers={k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS},
        )
        reply = await _send(client, upstream, service)
        headers = {
            k: v
            for k, v in reply.headers.items()
            if k.lower()
            in (
                "content-type",
                "location",
                "x-correlation-id",
                "idempotent-replayed",
                "www-authenticate",
                "content-disposition",
                "cache-control",
            )
        }
        return StreamingResponse(
            reply.aiter_raw(), status_code=reply.status_code, headers=headers, background=_closing(reply)
        )

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Bodies are bounded before they are read (declared or chunked): nothing unauthenticated fills the memory.
    # A recommendation list (推荐清单) of 24,000 rows is a few MB: that one path may take more, still bounded.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        larger={"/api/firms/v1/recommendation-lists": 32 * 1024 * 1024},
    )
    return app


class UpstreamDropped(Problem):
    status, code, title = 502, "upstream-dropped", "Bad gateway"


class UpstreamUnavailable(Problem):
    status, code, title = 503, "upstream-unavailable", "Service unavailable"


class UpstreamTimeout(Problem):
    status, code, title = 504, "upstream-timeout", "Gateway timeout"


async def _send(client: httpx.AsyncClient, upstream: httpx.Request, service: str) -> httpx.Response:
    """The service's answer, or a problem that says what went wrong on the way (never a bare 500). A pooled
    connection the service closed as it was reused (its keep-alive ran out) is the common case: sent again once
    when the method allows it."""
    for attempt in (1, 2):
        try:
            return await client.send(upstream, stream=True)
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            if attempt == 1 and upstream.method in RESENDABLE:
                continue
            raise UpstreamDropped(
                f"the {service} service dropped the connection before answering ({type(error).__name__}); "
                "the request may or may not have been applied: send it again with the same Idempotency-Key"
            ) from error
        except httpx.TimeoutException as error:
            raise UpstreamTimeout(f"the {service} service did not answer in time") from error
        except httpx.TransportError as error:
            raise UpstreamUnavailable(
                f"the {service} service cannot be reached now ({type(error).__name__}); nothing was changed",
                headers={"Retry-After": "2"},
            ) from error
    raise AssertionError("unreachable")


def _closing(reply: httpx.Response) -> Any:
    from starlette.background import BackgroundTask

    return BackgroundTask(reply.aclose)
