"""The sweep beside the consumer in its process: proposals whose officer did not answer in time are expired and
their needs re-routed; accepted matches with no credit decision by their decision deadline are released and
re-routed; needs waiting for capacity, and escalated needs whose wait is over, are tried again; desk items past
their 30-day clock are counted as breached; decisions older than the record's retention are deleted; and the
capacity prices are learned again every `price_refresh_seconds`. Several instances may sweep at once: each locks
what it takes (SKIP LOCKED); prices are replaced whole, so two refreshes at once leave one of them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog

from matcher import desk
from matcher.adapters import postgres_decisions as decisions
from matcher.matching import expire_overdue, lapse_undecided, refresh_prices, retry_escalated, retry_waiting
from matcher.settings import MatcherSettings

log = structlog.get_logger(__name__)
PURGE_EVERY_S = 3600  # decisions past the record's retention (years by default) go once an hour


def deadline_sweep(settings: MatcherSettings) -> Callable[[asyncpg.Pool, asyncio.Event], Coroutine[Any, Any, None]]:
    async def sweep(pool: asyncpg.Pool, stop: asyncio.Event) -> None:
        purged_at = priced_at = 0.0
        while not stop.is_set():
            expired = 0
            try:
                if time.monotonic() - purged_at > PURGE_EVERY_S:
                    purged_at = time.monotonic()
                    async with pool.acquire() as conn:
                        before = datetime.now(UTC) - timedelta(days=settings.record_retention_days)
                        if purged := await decisions.purge(conn, before):
                            log.info("sweep.decisions_purged", count=purged, before=before.isoformat())
                if settings.capacity_prices and time.monotonic() - priced_at > settings.price_refresh_seconds:
                    priced_at = time.monotonic()
                    # No transaction around the solve: the prices are replaced by one statement at its end.
                    async with pool.acquire() as conn:
                        log.info("sweep.prices_learned", lines=await refresh_prices(conn, settings))
                async with pool.acquire() as conn, conn.transaction():
                    expired = await expire_overdue(conn, settings)
                async with pool.acquire() as conn, conn.transaction():
                    if lapsed := await lapse_undecided(conn, settings):
                        log.info("sweep.decision_overdue", count=lapsed)
                async with pool.acquire() as conn, conn.transaction():
                    if proposed := await retry_waiting(conn, settings):
                        log.info("sweep.waiting_need_proposed", count=proposed)
                async with pool.acquire() as conn, conn.transaction():
                    if proposed := await retry_escalated(conn, settings):
                        log.info("sweep.escalated_need_proposed", count=proposed)
                async with pool.acquire() as conn, conn.transaction():
                    if breached := await desk.breach_clocks(conn):
                        log.info("sweep.desk_clock_breached", count=breached)
            except Exception as exc:  # the next round tries again; a sweep never takes the consumer down
                log.warning("sweep.failed", error=repr(exc))
            if expired:
                log.info("sweep.expired", count=expired)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.sla_check_seconds)

    return sweep
