"""Needs and proposals in the matcher's PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.firms import ChainPosition, FirmFacts, NeedTerms
from lianrong_platform.db import Connection
from matcher.adapters.postgres_decisions import DecisionRow
from matcher.domain.market import NeedCase

LIVE = ("open", "accepted", "approved")


@dataclass(frozen=True)
class ProposalRow:
    match_id: UUID
    need_id: UUID
    chain: str
    bank_id: UUID
    product_id: UUID
    officer_id: UUID
    amount: Decimal
    attempt: int
    score: float
    answer_by: datetime
    record: DecisionRow


@dataclass(frozen=True)
class Escalation:
    """A need nobody can take: escalated (tried again at `retry_at`), or waiting for capacity until `wait_until`."""

    need_id: UUID
    retry_at: datetime
    record: DecisionRow
    status: str = "escalated"
    wait_until: datetime | None = None


async def insert_need(conn: Connection, need: NeedCase) -> tuple[NeedCase, dict[str, Any]] | None:
    """The new need with its row (locked: this transaction inserted it), or None if it was known already."""
    row = await conn.fetchrow(
        """INSERT INTO needs (need_id, firm_id, chain, terms, firm, position, first_loan)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *""",
        need.need_id,
        need.firm_id,
        need.chain,
        need.terms.model_dump(mode="json"),
        need.firm.model_dump(mode="json"),
        need.position.model_dump(mode="json"),
        need.first_loan,
    )
    return None if row is None else (need, dict(row))


async def insert_needs(conn: Connection, cases: list[NeedCase]) -> list[tuple[NeedCase, dict[str, Any]]]:
    """`insert_need` for a batch in one statement: the needs not known before, in the batch's order, with their rows
    (locked: this transaction inserted them)."""
    rows = await conn.fetch(
        """INSERT INTO needs (need_id, firm_id, chain, terms, firm, position, first_loan)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[],
                                $7::boolean[])
           ON CONFLICT DO NOTHING
           RETURNING need_id, firm_id, chain, first_loan, status, attempts, skip_products, skip_banks, skip_officers,
                     received_at, updated_at, next_retry_at, wait_until""",  # not the need again: it is in `cases`
        [c.need_id for c in cases],
        [c.firm_id for c in cases],
        [c.chain for c in cases],
        [c.recorded[0] for c in cases],
        [c.recorded[1] for c in cases],
        [c.recorded[2] for c in cases],
        [c.first_loan for c in cases],
    )
    inserted = {r["need_id"]: dict(r) for r in rows}
    found: list[tuple[NeedCase, dict[str, Any]]] = []
    for case in cases:
        row = inserted.pop(case.need_id, None)  # a need twice in the batch is routed once
        if row is not None:
            found.append((case, row))
    return found


async def record_batch(conn: Connection, proposals: list[ProposalRow], escalations: list[Escalation]) -> None:
    """A batch's decisions in one statement: the proposals, every decision record, and each need marked proposed
    (its attempt counted) or escalated (with its retry time) — what `insert_proposal` and `escalate` do one by one."""
    records = [p.record for p in proposals] + [e.record for e in escalations]
    await conn.execute(
        """WITH proposal AS (
               INSERT INTO proposals (match_id, need_id, bank_id, product_id, officer_id, reserved_amount, attempt,
                                      score, answer_by, chain)
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::numeric[],
                                    $7::int[], $8::float8[], $9::timestamptz[], $10::text[])),
           decision AS (
               INSERT INTO decisions (decision_id, need_id, match_id, kind, decided_at, weights_version, inputs,
                                      outcome)
               SELECT * FROM unnest($11::uuid[], $12::uuid[], $13::uuid[], $14::text[], $15::timestamptz[],
                                    $16::text[], $17::json[], $18::json[])),
           proposed AS (
               UPDATE needs n SET status = 'proposed', attempts = w.attempt, updated_at = now()
               FROM unnest($2::uuid[], $7::int[]) AS w(need_id, attempt) WHERE n.need_id = w.need_id)
           UPDATE needs n SET status = w.status, next_retry_at = w.retry_at, wait_until = w.wait_until,
                              updated_at = now()
           FROM unnest($19::uuid[], $20::timestamptz[], $21::text[], $22::timestamptz[])
                AS w(need_id, retry_at, status, wait_until)
           WHERE n.need_id = w.need_id""",
        [p.match_id for p in proposals],
        [p.need_id for p in proposals],
        [p.bank_id for p in proposals],
        [p.product_id for p in proposals],
        [p.officer_id for p in proposals],
        [p.amount for p in proposals],
        [p.attempt for p in proposals],
        [p.score for p in proposals],
        [p.answer_by for p in proposals],
        [p.chain for p in proposals],
        [r.decision_id for r in records],
        [p.need_id for p in proposals] + [e.need_id for e in escalations],
        [p.match_id for p in proposals] + [None] * len(escalations),
        [r.kind for r in records],
        [r.decided_at for r in records],
        [r.weights_version for r in records],
        [r.inputs for r in records],
        [r.outcome for r in records],
        [e.need_id for e in escalations],
        [e.retry_at for e in escalations],
        [e.status for e in escalations],
        [e.wait_until for e in escalations],
    )


async def latest(conn: Connection, count: int, since: datetime) -> tuple[list[NeedCase], datetime | None]:
    """The latest `count` needs received since `since`, oldest first (whatever became of them: demand, not what was
    placed), and when the oldest of them was received: the time the sample stands for."""
    rows = await conn.fetch(
        """SELECT need_id, firm_id, chain, terms, firm, position, first_loan, received_at FROM needs
           WHERE received_at >= $2 ORDER BY received_at DESC LIMIT $1""",
        count,
        since,
    )
    return [case_of(r) for r in reversed(rows)], (rows[-1]["received_at"] if rows else None)


def case_of(row: Any) -> NeedCase:
    """The need as the matcher judges it, from its row."""
    return NeedCase(
        need_id=row["need_id"],
        firm_id=row["firm_id"],
        chain=row["chain"],
        terms=NeedTerms.model_validate(row["terms"]),
        firm=FirmFacts.model_validate(row["firm"]),
        position=ChainPosition.model_validate(row["position"]),
        first_loan=row["first_loan"],
    )


async def need_for_update(conn: Connection, need_id: UUID) -> tuple[NeedCase, dict[str, Any]] | None:
    row = await conn.fetchrow("SELECT * FROM needs WHERE need_id = $1 FOR UPDATE", need_id)
    if row is None:
        return None
    return case_of(row), dict(row)


async def set_need(conn: Connection, need_id: UUID, **fields: Any) -> None:
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
    await conn.execute(
        f"UPDATE needs SET {assignments}, updated_at = now() WHERE need_id = $1", need_id, *fields.values()
    )


async def skip(
    conn: Connection,
    need_id: UUID,
    *,
    product_id: UUID | None = None,
    bank_id: UUID | None = None,
    officer_id: UUID | None = None,
) -> None:
    """Remember who passed the need on, so it never goes back to them."""
    await conn.execute(
        """UPDATE needs SET skip_products = CASE WHEN $2::uuid IS NULL THEN skip_products
                                                 ELSE array_append(skip_products, $2::uuid) END,
                            skip_banks = CASE WHEN $3::uuid IS NULL THEN skip_banks
                                              ELSE array_append(skip_banks, $3::uuid) END,
                            skip_officers = CASE WHEN $4::uuid IS NULL THEN skip_officers
                                                 ELSE array_append(skip_officers, $4::uuid) END
           WHERE need_id = $1""",
        need_id,
        product_id,
        bank_id,
        officer_id,
    )


async def refresh_open_needs_of_firm(
    conn: Connection,
    firm_id: UUID,
    *,
    facts: dict[str, Any] | None = None,
    chain: str | None = None,
    position: dict[str, Any] | None = None,
) -> None:
    """A firm's new facts or a newly confirmed link reach its needs that are still being matched."""
    if facts is not None:
        await conn.execute(
            "UPDATE needs SET firm = $2 WHERE firm_id = $1 AND status IN ('open', 'waiting', 'proposed', 'escalated')",
            firm_id,
            facts,
        )
    if position is not None:
        await conn.execute(
            """UPDATE needs SET position = position || $3::jsonb
               WHERE firm_id = $1 AND chain = $2 AND status IN ('open', 'waiting', 'proposed', 'escalated')""",
            firm_id,
            chain,
            position,
        )


async def drop_confirmation(
    conn: Connection,
    firm_id: UUID,
    *,
    chain: str | None = None,
    chain_master: UUID | None = None,
    receivable_id: UUID | None = None,
) -> None:
    """A chain master revoked a confirmation: the firm's needs still being matched no longer carry it (a revoked
    link takes its receivables with it)."""
    receivable_gone = """position || '{"receivable_id": null, "receivable_kind": null, "receivable_amount": null,
                                       "receivable_due": null}'::jsonb"""
    if receivable_id is not None:
        await conn.execute(
            f"""UPDATE needs SET position = {receivable_gone}
               WHERE firm_id = $1 AND position->>'receivable_id' = $2::text
                 AND status IN ('open', 'waiting', 'proposed', 'escalated')""",
            firm_id,
            str(receivable_id),
        )
    if chain is not None:
        await conn.execute(
            f"""UPDATE needs SET position = {receivable_gone} || '{{"link_confirmed": false}}'::jsonb
               WHERE firm_id = $1 AND chain = $2 AND status IN ('open', 'waiting', 'proposed', 'escalated')
                 AND position->>'chain_master_firm_id' = $3::text""",
            firm_id,
            chain,
            str(chain_master),
        )


async def insert_proposal(conn: Connection, p: ProposalRow) -> None:
    """The proposal, its need marked proposed with the attempt counted, and the decision record, in one statement."""
    await conn.execute(
        """WITH proposal AS (
               INSERT INTO proposals (match_id, need_id, bank_id, product_id, officer_id, reserved_amount, attempt,
                                      score, answer_by, chain) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)),
           decision AS (
               INSERT INTO decisions (decision_id, need_id, kind, decided_at, weights_version, match_id, inputs,
                                      outcome) VALUES ($11, $2, $12, $13, $14, $1, $15, $16))
           UPDATE needs SET status = 'proposed', attempts = $7, updated_at = now() WHERE need_id = $2""",
        p.match_id,
        p.need_id,
        p.bank_id,
        p.product_id,
        p.officer_id,
        p.amount,
        p.attempt,
        p.score,
        p.answer_by,
        p.chain,
        *p.record.columns(),
    )


async def escalate(conn: Connection, need_id: UUID, retry_at: datetime, record: DecisionRow) -> None:
    """The need escalated (to be tried again at `retry_at`) and the decision record, in one statement."""
    await conn.execute(
        """WITH decision AS (
               INSERT INTO decisions (decision_id, need_id, kind, decided_at, weights_version, inputs, outcome)
               VALUES ($3, $1, $4, $5, $6, $7, $8))
           UPDATE needs SET status = 'escalated', next_retry_at = $2, updated_at = now() WHERE need_id = $1""",
        need_id,
        retry_at,
        *record.columns(),
    )


async def proposal_for_update(conn: Connection, match_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM proposals WHERE match_id = $1 FOR UPDATE", match_id)
    return None if row is None else dict(row)


async def live_proposal(conn: Connection, need_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT * FROM proposals WHERE need_id = $1 AND status = ANY($2::text[]) FOR UPDATE", need_id, list(LIVE)
    )
    return None if row is None else dict(row)


async def close_proposal(conn: Connection, match_id: UUID, status: str) -> None:
    await conn.execute("UPDATE proposals SET status = $2, closed_at = now() WHERE match_id = $1", match_id, status)


async def set_proposal(conn: Connection, match_id: UUID, status: str, reserved_amount: Decimal | None = None) -> None:
    await conn.execute(
        """UPDATE proposals SET status = $2, reserved_amount = coalesce($3, reserved_amount) WHERE match_id = $1""",
        match_id,
        status,
        reserved_amount,
    )


async def due_for_retry(conn: Connection, now: datetime, submitted_after: datetime, limit: int) -> list[UUID]:
    """Escalated needs whose wait is over, locked for this instance; others skip them (SKIP LOCKED)."""
    rows = await conn.fetch(
        """SELECT need_id FROM needs
           WHERE status = 'escalated' AND next_retry_at <= $1 AND received_at >= $2
           ORDER BY next_retry_at LIMIT $3 FOR UPDATE SKIP LOCKED""",
        now,
        submitted_after,
        limit,
    )
    return [r["need_id"] for r in rows]


async def due_waiting(conn: Connection, now: datetime, limit: int) -> list[UUID]:
    """Waiting needs due for another try, locked for this instance; others skip them (SKIP LOCKED)."""
    rows = await conn.fetch(
        """SELECT need_id FROM needs WHERE status = 'waiting' AND next_retry_at <= $1
           ORDER BY next_retry_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
        now,
        limit,
    )
    return [r["need_id"] for r in rows]


async def accept(conn: Connection, match_id: UUID, accepted_at: datetime, decide_by: datetime) -> None:
    await conn.execute(
        "UPDATE proposals SET status = 'accepted', accepted_at = $2, decide_by = $3 WHERE match_id = $1",
        match_id,
        accepted_at,
        decide_by,
    )


async def undecided(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Accepted proposals with no credit decision by their decision deadline, locked for this instance."""
    rows = await conn.fetch(
        """SELECT * FROM proposals WHERE status = 'accepted' AND decide_by < $1
           ORDER BY decide_by LIMIT $2 FOR UPDATE SKIP LOCKED""",
        now,
        limit,
    )
    return [dict(r) for r in rows]


async def overdue(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Open proposals past their deadline, locked for this instance; others skip them (SKIP LOCKED)."""
    rows = await conn.fetch(
        """SELECT * FROM proposals WHERE status = 'open' AND answer_by < $1
           ORDER BY answer_by LIMIT $2 FOR UPDATE SKIP LOCKED""",
        now,
        limit,
    )
    return [dict(r) for r in rows]
