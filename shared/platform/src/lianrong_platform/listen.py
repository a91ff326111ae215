"""A LISTEN that survives the database: one connection listening on a channel, reconnected with back-off when
PostgreSQL restarts or the connection is cut, so a worker woken by NOTIFY is never left asleep for good."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
import structlog

from lianrong_platform.probes import STATUS

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
                    await asyncio.wait_for(first_of(lost, stop), timeout=5.0)
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


async def rounds_on_notify(
    dsn: str, channel: str, one_round: Callable[[], Awaitable[int]], stop: asyncio.Event, *, full: int, name: str
) -> None:
    """A worker's loop: `one_round()` (returns how much it did) whenever NOTIFY on `channel` wakes it, at once again
    while rounds come back `full`, and at least every second (retries and timers fall due without a notify). A round
    that fails for the database marks the worker not ready and is tried again; it never ends the loop."""
    wake = asyncio.Event()
    listening = asyncio.create_task(listen_forever(dsn, channel, lambda _: wake.set(), stop, on_connected=wake.set))
    try:
        while not stop.is_set():
            try:
                if await one_round() >= full:
                    continue
                STATUS.up()
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                STATUS.down(f"cannot reach the database: {type(exc).__name__}: {exc}")
                log.warning(f"{name}.round_failed", error=repr(exc))
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first_of(wake, stop), timeout=1.0)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(listening, 5)


async def first_of(*events: asyncio.Event) -> None:
    """Returns when the first of the events is set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
