"""Inbox: makes a consumer idempotent. `claim` records an event id for a consumer group inside the transaction
that applies the event; it returns False when the event was applied before, and the caller then does nothing."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from contracts import Event
from lianrong_platform.db import Connection


async def claim(conn: Connection, consumer: str, event: Event) -> bool:
    row = await conn.fetchval(
        """INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING true""",
        consumer,
        event.event_id,
        event.type,
    )
    return row is True


async def claim_many(conn: Connection, consumer: str, events: Sequence[Event]) -> set[UUID]:
    """`claim` for a whole batch in one statement: the ids of the events not applied before (each once, even if the
    batch holds it twice)."""
    rows = await conn.fetch(
        """INSERT INTO inbox (consumer, event_id, event_type)
           SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) AS e(id, type)
           ON CONFLICT DO NOTHING RETURNING event_id""",
        consumer,
        [e.event_id for e in events],
        [e.type for e in events],
    )
    return {r["event_id"] for r in rows}


async def purge(pool: asyncpg.Pool, consumer: str, retention_days: int) -> int:
    """Forget applied event ids older than the retention window (longer than Kafka keeps the events)."""
    status = await pool.execute(
        "DELETE FROM inbox WHERE consumer = $1 AND processed_at < now() - make_interval(days => $2)",
        consumer,
        retention_days,
    )
    return int(status.split()[-1])
