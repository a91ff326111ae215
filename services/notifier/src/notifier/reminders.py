"""The officer's reminder before a proposal's answer is due: a loop beside the consumer (in its process) that turns
due reminders into notifications, once each (the reminder row goes in the same transaction)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from notifier.adapters import postgres_notifications as store
from notifier.domain import messages
from notifier.event_handlers import reminder_key
from notifier.settings import NotifierSettings

log = structlog.get_logger(__name__)


async def remind_due(pool: asyncpg.Pool, settings: NotifierSettings, limit: int = 100) -> int:
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            """DELETE FROM reminders WHERE match_id IN (
                   SELECT match_id FROM reminders WHERE remind_at <= now() ORDER BY remind_at LIMIT $1
                   FOR UPDATE SKIP LOCKED)
               RETURNING match_id, need_id, officer_id, chain, amount, answer_by, remind_at""",
            limit,
        )
        now = datetime.now(UTC)
        for r in rows:
            if r["answer_by"] <= now:
                continue  # too late to be of use: the matcher is re-routing it
            await store.notify(
                conn,
                key=reminder_key(r["match_id"]),
                audience=f"officer:{r['officer_id']}",
                message=messages.answer_due(r["chain"], r["amount"], r["answer_by"], now),
                occurred_at=r["remind_at"],
                now=now,
                need_id=r["need_id"],
            )
    return len(rows)


def reminder_sweep(
    settings: NotifierSettings, every: float = 2.0
) -> Callable[[asyncpg.Pool, asyncio.Event], Coroutine[Any, Any, None]]:
    async def sweep(pool: asyncpg.Pool, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await remind_due(pool, settings)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("notifier.reminders_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    return sweep
