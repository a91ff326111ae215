"""The sweep beside the consumer in its process: proposals whose officer did not answer in time are expired and
their needs re-routed, accepted matches with no credit decision by their decision deadline are released and
re-routed, and escalated needs whose wait is over are tried again. Several instances may sweep at once:
each locks what it takes (SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import structlog

from matcher.matching import expire_overdue, lapse_undecided, retry_escalated
from matcher.settings import MatcherSettings

log = structlog.get_logger(__name__)


def deadline_sweep(settings: MatcherSettings) -> Callable[[asyncpg.Pool, asyncio.Event], Coroutine[Any, Any, None]]:
    async def sweep(pool: asyncpg.Pool, stop: asyncio.Event) -> None:
        while not stop.is_set():
            expired = 0
            try:
                async with pool.acquire() as conn, conn.transaction():
                    expired = await expire_overdue(conn, settings)
                async with pool.acquire() as conn, conn.transaction():
                    if lapsed := await lapse_undecided(conn, settings):
                        log.info("sweep.decision_overdue", count=lapsed)
                async with pool.acquire() as conn, conn.transaction():
                    if proposed := await retry_escalated(conn, settings):
                        log.info("sweep.escalated_need_proposed", count=proposed)
            except Exception as exc:  # the next round tries again; a sweep never takes the consumer down
                log.warning("sweep.failed", error=repr(exc))
            if expired:
                log.info("sweep.expired", count=expired)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.sla_check_seconds)

    return sweep
