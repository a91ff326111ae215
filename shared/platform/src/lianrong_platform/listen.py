"""A LISTEN that survives the database: one connection listening on a channel, reconnected with back-off when
PostgreSQL restarts or the connection is cut, so a worker woken by NOTIFY is never left asleep for good."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import asyncpg
import structlog

log = structlog.get_logger(__name__)

RECONNECT_AFTER_S = (0.2, 0.5, 1.0, 2.0, 5.0)


async def listen_forever(
    dsn: str,
    channel: str,
    on_notify: Callable[[str], None],
    stop: asyncio.Event,
    *,
    on_connected: Callable[[], None] = lambda: None,
) -> None:
    """Calls `on_notify(payload)` for each notification until `stop`; `on_connected` after each (re)connection, so
    the caller can catch up on what it may have missed while the connection was down."""
    attempt = 0
    while not stop.is_set():
        lost = asyncio.Event()
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn, timeout=5)
            conn.add_termination_listener(lambda _c, lost=lost: lost.set())
            await conn.add_listener(channel, lambda _c, _pid, _ch, payload: on_notify(str(payload)))
            if attempt:
                log.info("listen.reconnected", channel=channel, after_attempts=attempt)
            attempt = 0
            on_connected()
            while not stop.is_set() and not lost.is_set() and not conn.is_closed():
                # The termination listener misses a connection cut from the server side until it is used.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(lost, stop), timeout=5.0)
                if not stop.is_set() and not lost.is_set():
                    await conn.fetchval("SELECT 1", timeout=5)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("listen.lost", channel=channel, error=repr(exc))
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)
        if not stop.is_set():
            wait = RECONNECT_AFTER_S[min(attempt, len(RECONNECT_AFTER_S) - 1)]
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
