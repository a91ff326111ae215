"""The officers' inbox in PostgreSQL: proposals, needs as published, disclosures, and officers' answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from banks.domain.match import OPEN, MatchStatus
from banks.views import DisclosureView, MatchView
from lianrong_platform.db import Connection

_SELECT = """
    SELECT m.*, n.terms AS need_terms, n.firm AS need_firm, n.position AS need_position, n.first_loan,
           n.chain AS need_chain, d.uscc, d.legal_name, d.contact_name, d.contact_phone
    FROM matches m LEFT JOIN needs n USING (need_id)
    LEFT JOIN disclosures d ON d.match_id = m.match_id AND d.bank_id = m.bank_id"""


def _view(row: Any) -> MatchView:
    need = None
    if row["need_terms"] is not None:
        need = {
            "chain": row["need_chain"],
            "terms": row["need_terms"],
            "firm": row["need_firm"],
            "position": row["need_position"],
            "first_loan": row["first_loan"],
        }
    firm = None
    if row["uscc"] is not None:
        firm = DisclosureView(
            uscc=row["uscc"],
            legal_name=row["legal_name"],
            contact_name=row["contact_name"],
            contact_phone=row["contact_phone"],
        )
    return MatchView(
        match_id=row["match_id"],
        need_id=row["need_id"],
        bank_id=row["bank_id"],
        officer_id=row["officer_id"],
        product_id=row["product_id"],
        status=row["status"],
        answer_by=row["answer_by"],
        proposal=row["proposal"],
        need=need,
        firm=firm,
        approved=row["approved"],
        disbursed_amount=row["disbursed_amount"],
        outcome=row["outcome"],
        received_at=row["received_at"],
        updated_at=row["updated_at"],
        correlation_id=row["correlation_id"],
    )


async def insert_proposal(
    conn: Connection,
    *,
    match_id: UUID,
    need_id: UUID,
    firm_id: UUID,
    bank_id: UUID,
    officer_id: UUID,
    product_id: UUID,
    proposal: dict[str, Any],
    answer_by: datetime,
    status: MatchStatus,
    correlation_id: UUID | None = None,
) -> bool:
    result = await conn.execute(
        """INSERT INTO matches (match_id, need_id, firm_id, bank_id, officer_id, product_id, proposal, answer_by,
                                status, correlation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT DO NOTHING""",
        match_id,
        need_id,
        firm_id,
        bank_id,
        officer_id,
        product_id,
        proposal,
        answer_by,
        status.value,
        correlation_id,
    )
    return bool(result.endswith(" 1"))


async def match(conn: Connection, match_id: UUID, *, lock: bool = False) -> MatchView | None:
    row = await conn.fetchrow(_SELECT + " WHERE m.match_id = $1" + (" FOR UPDATE OF m" if lock else ""), match_id)
    return None if row is None else _view(row)


async def listing(
    conn: Connection, *, officer_id: UUID | None, bank_id: UUID | None, status: str | None, limit: int, offset: int
) -> list[MatchView]:
    rows = await conn.fetch(
        _SELECT
        + """ WHERE ($1::uuid IS NULL OR m.officer_id = $1) AND ($2::uuid IS NULL OR m.bank_id = $2)
                      AND ($3::text IS NULL OR m.status = $3)
                      ORDER BY m.answer_by, m.received_at DESC LIMIT $4 OFFSET $5""",
        officer_id,
        bank_id,
        status,
        limit,
        offset,
    )
    return [_view(r) for r in rows]


async def set_status(conn: Connection, match_id: UUID, status: MatchStatus, outcome: dict[str, Any]) -> None:
    await conn.execute(
        "UPDATE matches SET status = $2, outcome = outcome || $3::jsonb, updated_at = now() WHERE match_id = $1",
        match_id,
        status.value,
        outcome,
    )


async def record_approval(conn: Connection, match_id: UUID, amount: Decimal, approved: dict[str, Any]) -> None:
    await conn.execute(
        """UPDATE matches SET status = 'approved', approved_amount = $2, approved = $3, updated_at = now()
           WHERE match_id = $1""",
        match_id,
        amount,
        approved,
    )


async def record_disbursement(conn: Connection, match_id: UUID, amount: Decimal, outcome: dict[str, Any]) -> None:
    await conn.execute(
        """UPDATE matches SET status = 'disbursed', disbursed_amount = $2, outcome = outcome || $3::jsonb,
                  updated_at = now() WHERE match_id = $1""",
        match_id,
        amount,
        outcome,
    )


async def expire(conn: Connection, match_id: UUID, *, undecided: bool = False) -> None:
    """An unanswered proposal, or (`undecided`) an accepted match with no credit decision by its deadline."""
    await conn.execute(
        """UPDATE matches SET status = 'expired', updated_at = now(),
                              outcome = outcome || jsonb_build_object('expired', $2::text)
           WHERE match_id = $1 AND status = $3""",
        match_id,
        "decision_overdue" if undecided else "answer_overdue",
        "accepted" if undecided else "proposed",
    )


async def save_need(
    conn: Connection,
    need_id: UUID,
    chain: str,
    terms: dict[str, Any],
    firm: dict[str, Any],
    position: dict[str, Any],
    first_loan: bool,
) -> None:
    await conn.execute(
        """INSERT INTO needs (need_id, chain, terms, firm, position, first_loan) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (need_id) DO NOTHING""",
        need_id,
        chain,
        terms,
        firm,
        position,
        first_loan,
    )


async def amend_need(conn: Connection, need_id: UUID, terms: dict[str, Any]) -> None:
    await conn.execute("UPDATE needs SET terms = $2 WHERE need_id = $1", need_id, terms)


async def withdraw_need(conn: Connection, need_id: UUID, at: datetime) -> None:
    await conn.execute("UPDATE needs SET withdrawn_at = $2 WHERE need_id = $1", need_id, at)
    await conn.execute(
        """UPDATE matches SET status = 'withdrawn', updated_at = now()
           WHERE need_id = $1 AND status = ANY($2::text[])""",
        need_id,
        [s.value for s in OPEN],
    )


async def need_withdrawn(conn: Connection, need_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT withdrawn_at IS NOT NULL FROM needs WHERE need_id = $1", need_id))


async def requested_amount(conn: Connection, need_id: UUID) -> Decimal | None:
    value = await conn.fetchval("SELECT (terms->>'amount')::numeric FROM needs WHERE need_id = $1", need_id)
    return None if value is None else Decimal(value)


async def save_disclosure(
    conn: Connection,
    *,
    match_id: UUID,
    need_id: UUID,
    bank_id: UUID,
    uscc: str,
    legal_name: str,
    contact_name: str,
    contact_phone: str,
    facts: dict[str, Any],
) -> None:
    await conn.execute(
        """INSERT INTO disclosures (match_id, need_id, bank_id, uscc, legal_name, contact_name, contact_phone, facts)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""",
        match_id,
        need_id,
        bank_id,
        uscc,
        legal_name,
        contact_name,
        contact_phone,
        facts,
    )
    # Touch the match so the officer's screen refreshes with the firm's name and contact.
    await conn.execute("UPDATE matches SET updated_at = now() WHERE match_id = $1", match_id)


async def reserved_on(conn: Connection, product_id: UUID) -> Decimal:
    """What the product's open matches hold of its line, as the matcher reserved it (approved: what was approved)."""
    value = await conn.fetchval(
        """SELECT coalesce(sum(CASE WHEN status = 'approved' THEN approved_amount
                                    ELSE (proposal->>'reserved_amount')::numeric END), 0)
           FROM matches WHERE product_id = $1 AND status IN ('proposed', 'accepted', 'approved')""",
        product_id,
    )
    return Decimal(value)
