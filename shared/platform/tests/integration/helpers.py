"""Helpers for the platform's integration tests."""

from __future__ import annotations

import uuid

import asyncpg

from contracts.firms import NeedWithdrawn
from lianrong_platform import outbox
from lianrong_platform.db import migrate_dsn


async def producing_database(dsn: str) -> None:
    """A service-like database: the platform tables plus one business table."""
    await migrate_dsn(dsn, None, "probe")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS withdrawals (need_id uuid PRIMARY KEY)")
    finally:
        await conn.close()


async def withdraw_needs(conn: asyncpg.Connection, count: int, topic: str) -> list[NeedWithdrawn]:
    """In ONE transaction: `count` business rows and their events in the outbox."""
    events = [NeedWithdrawn(producer="probe", need_id=uuid.uuid4(), firm_id=uuid.uuid4()) for _ in range(count)]
    async with conn.transaction():
        await conn.executemany("INSERT INTO withdrawals (need_id) VALUES ($1)", [(e.need_id,) for e in events])
        await outbox.record(conn, *events, topic=topic)
    return events
