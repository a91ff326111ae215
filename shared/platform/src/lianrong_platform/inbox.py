"""Inbox: makes a consumer idempotent. `claim` records an event id for a consumer group inside the transaction
that applies the event; it returns False when the event was applied before, and the caller then does nothing."""

from __future__ import annotations

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
