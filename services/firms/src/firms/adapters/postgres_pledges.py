"""Pledges of confirmed receivables and orders by live needs, in PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from lianrong_platform.db import Connection


async def pledged(conn: Connection, receivable_id: UUID, *, except_need: UUID | None = None) -> Decimal:
    """What live needs hold of the claim. The caller holds the receivable's row lock, so two submissions relying on
    one claim are decided one after the other."""
    value = await conn.fetchval(
        """SELECT coalesce(sum(amount), 0) FROM claim_pledges
           WHERE receivable_id = $1 AND released_at IS NULL AND ($2::uuid IS NULL OR need_id <> $2)""",
        receivable_id,
        except_need,
    )
    return Decimal(value)


async def pledge(conn: Connection, need_id: UUID, receivable_id: UUID, amount: Decimal) -> None:
    await conn.execute(
        """INSERT INTO claim_pledges (need_id, receivable_id, amount) VALUES ($1, $2, $3)
           ON CONFLICT (need_id) DO UPDATE SET amount = excluded.amount""",
        need_id,
        receivable_id,
        amount,
    )


async def release(conn: Connection, need_id: UUID, why: str) -> None:
    await conn.execute(
        "UPDATE claim_pledges SET released_at = now(), released_why = $2 WHERE need_id = $1 AND released_at IS NULL",
        need_id,
        why,
    )


async def release_claim(conn: Connection, receivable_id: UUID, why: str) -> None:
    await conn.execute(
        """UPDATE claim_pledges SET released_at = now(), released_why = $2
           WHERE receivable_id = $1 AND released_at IS NULL""",
        receivable_id,
        why,
    )


async def live_pledge(conn: Connection, need_id: UUID) -> tuple[UUID, Decimal] | None:
    row = await conn.fetchrow(
        "SELECT receivable_id, amount FROM claim_pledges WHERE need_id = $1 AND released_at IS NULL", need_id
    )
    return None if row is None else (row["receivable_id"], row["amount"])
