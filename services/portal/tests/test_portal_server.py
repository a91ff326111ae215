"""The portal's own server: the demo's tokens are handed out only on an installation that says it is a demo, and a
body is refused before it is read when it is larger than allowed, declared or chunked."""

from __future__ import annotations

import json
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
