"""Needs and their timelines in PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from contracts import Event
from contracts.firms import ChainPosition, NeedTerms
from firms.domain.need import Entry, Milestone, NeedStatus, status_of
from firms.views import NeedView, TimelineEntryView
from lianrong_platform.db import Connection


async def insert(
    conn: Connection,
    need_id: UUID,
    firm_id: UUID,
    chain: str,
    terms: NeedTerms,
    first_loan: bool,
    position: ChainPosition,
) -> None:
    await conn.execute(
        """INSERT INTO needs (need_id, firm_id, chain, terms, first_loan, position)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        need_id,
        firm_id,
        chain,
        terms.model_dump(mode="json"),
        first_loan,
        position.model_dump(mode="json"),
    )


async def update_terms(conn: Connection, need_id: UUID, terms: NeedTerms) -> None:
    await conn.execute(
        "UPDATE needs SET terms = $2, updated_at = now() WHERE need_id = $1", need_id, terms.model_dump(mode="json")
    )


async def owner_and_status(conn: Connection, need_id: UUID, *, lock: bool = False) -> tuple[UUID, NeedStatus] | None:
    row = await conn.fetchrow(
        "SELECT firm_id, status FROM needs WHERE need_id = $1" + (" FOR UPDATE" if lock else ""), need_id
    )
    return None if row is None else (row["firm_id"], NeedStatus(row["status"]))


async def open_needs_relying_on(
    conn: Connection,
    firm_id: UUID,
    *,
    chain: str | None = None,
    chain_master: UUID | None = None,
    receivable_id: UUID | None = None,
) -> list[UUID]:
    """The firm's needs not yet disbursed or withdrawn that carry the chain master's confirmation on the chain, or
    rely on the claim."""
    rows = await conn.fetch(
        """SELECT need_id FROM needs
           WHERE firm_id = $1 AND status NOT IN ('disbursed', 'withdrawn')
             AND (($2::text IS NOT NULL AND chain = $2 AND (position->>'link_confirmed')::boolean
                   AND position->>'chain_master_firm_id' = $4::text)
                  OR ($3::uuid IS NOT NULL AND position->>'receivable_id' = $3::text))
           ORDER BY created_at""",
        firm_id,
        chain,
        receivable_id,
        None if chain_master is None else str(chain_master),
    )
    return [r["need_id"] for r in rows]


async def drop_confirmation(conn: Connection, need_id: UUID, *, link: bool) -> None:
    """The need no longer carries the revoked claim (nor, for a revoked link, the link's confirmation)."""
    await conn.execute(
        """UPDATE needs SET position = position
               || '{"receivable_id": null, "receivable_kind": null, "receivable_amount": null,
                    "receivable_due": null}'::jsonb
               || CASE WHEN $2 THEN '{"link_confirmed": false}'::jsonb ELSE '{}'::jsonb END,
               updated_at = now()
           WHERE need_id = $1""",
        need_id,
        link,
    )


async def add_to_timeline(
    conn: Connection, need_id: UUID, event: Event, milestone: Milestone, detail: dict[str, Any]
) -> NeedStatus | None:
    """Record the event as one entry (with its correlation id, so the SME's request can be followed through every
    service) and re-derive the status from the whole timeline; None when the need is unknown here."""
    if await owner_and_status(conn, need_id, lock=True) is None:
        return None
    await conn.execute(
        """INSERT INTO need_timeline (need_id, event_id, at, milestone, detail, correlation_id)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        need_id,
        event.event_id,
        event.occurred_at,
        milestone.value,
        detail,
        event.correlation_id,
    )
    rows = await conn.fetch("SELECT at, milestone FROM need_timeline WHERE need_id = $1", need_id)
    status = status_of([Entry(r["at"], Milestone(r["milestone"])) for r in rows])
    await conn.execute("UPDATE needs SET status = $2, updated_at = now() WHERE need_id = $1", need_id, status.value)
    return status


async def terms_and_position(conn: Connection, need_id: UUID) -> tuple[NeedTerms, ChainPosition] | None:
    row = await conn.fetchrow("SELECT terms, position FROM needs WHERE need_id = $1", need_id)
    if row is None:
        return None
    return NeedTerms.model_validate(row["terms"]), ChainPosition.model_validate(row["position"])


def _view(row: Any, timeline: list[TimelineEntryView]) -> NeedView:
    return NeedView(
        need_id=row["need_id"],
        firm_id=row["firm_id"],
        chain=row["chain"],
        terms=row["terms"],
        first_loan=row["first_loan"],
        position=row["position"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        timeline=timeline,
    )


async def view(conn: Connection, need_id: UUID) -> NeedView | None:
    row = await conn.fetchrow("SELECT * FROM needs WHERE need_id = $1", need_id)
    if row is None:
        return None
    entries = await conn.fetch(
        """SELECT at, milestone, detail, correlation_id FROM need_timeline WHERE need_id = $1
           ORDER BY at, milestone""",
        need_id,
    )
    return _view(row, [TimelineEntryView(**dict(e)) for e in entries])


async def of_firm(conn: Connection, firm_id: UUID, status: str | None, limit: int, offset: int) -> list[NeedView]:
    rows = await conn.fetch(
        """SELECT * FROM needs WHERE firm_id = $1 AND ($2::text IS NULL OR status = $2)
           ORDER BY created_at DESC LIMIT $3 OFFSET $4""",
        firm_id,
        status,
        limit,
        offset,
    )
    return [_view(r, []) for r in rows]
