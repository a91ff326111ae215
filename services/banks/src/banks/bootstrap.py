"""The one place where the banks service is wired together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from banks.adapters.postgres_inbox_feed import inbox_feed
from banks.entrypoints import api, consumer, integration_api
from banks.settings import BanksSettings
from banks.webhooks import run_dispatcher
from lianrong_platform.auth import Principal
from lianrong_platform.db import Connection
from lianrong_platform.service import ServiceSpec
from lianrong_platform.settings import ServiceSettings


@asynccontextmanager
async def banks_settings(app: FastAPI, _: ServiceSettings) -> AsyncIterator[None]:
    app.state.banks_settings = BanksSettings()
    yield


async def webhook_dispatcher(settings: ServiceSettings, stop: asyncio.Event) -> None:
    await run_dispatcher(settings.database_url, BanksSettings(), stop)


async def known_subject(conn: Connection, principal: Principal) -> bool:
    """A bank's people and systems act for a bank (and an officer) registered here; anyone else is not checked."""
    if principal.officer_id is not None:
        return bool(
            await conn.fetchval(
                "SELECT 1 FROM officers WHERE officer_id = $1 AND bank_id = $2", principal.officer_id, principal.bank_id
            )
        )
    if principal.bank_id is not None:
        return bool(await conn.fetchval("SELECT 1 FROM banks WHERE bank_id = $1", principal.bank_id))
    return True


SPEC = ServiceSpec(
    name="banks",
    title="链融 banks service",
    description=(
        "Banks, lead-bank designations (主办行), products, and manufacturing finance officers (制造业金融服务官)."
    ),
    migrations=Path(__file__).parent / "migrations",
    routers=[*api.routers, integration_api.router],
    consumes=consumer.TOPICS,
    handlers=consumer.HANDLERS,
    api_resources=(inbox_feed, banks_settings),
    workers={"webhooks": webhook_dispatcher},
    known_subject=known_subject,
)
