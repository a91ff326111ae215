"""The decision record (全程留痕) in PostgreSQL: one row per routing decision, terms and profiles once per version."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.banks import OfficerProfile, ProductTerms
from lianrong_platform.db import Connection

_weights_known: set[str] = set()  # weight sets this process has stored already
# A decision's bytes as stored: each column's stored size (jsonb TOAST-compressed as kept) and the row header.
_STORED_BYTES = """(24 + pg_column_size(d.decision_id) + pg_column_size(d.need_id) + pg_column_size(d.kind)
                    + pg_column_size(d.decided_at) + pg_column_size(d.weights_version)
                    + coalesce(pg_column_size(d.match_id), 0)
                    + pg_column_size(d.inputs) + pg_column_size(d.outcome)
                    + 4 + coalesce(pg_column_size(d.last_retry_at), 0))"""


@dataclass(frozen=True)
class DecisionRow:
    kind: str  # first, reroute, second_chance, amended
    decided_at: datetime
    weights_version: str
    inputs: dict[str, Any]
    outcome: dict[str, Any]
    decision_id: UUID = field(default_factory=uuid.uuid4)

    def columns(self) -> tuple[Any, ...]:
        """In the order insert_proposal's statement takes them ($11 …)."""
        return (self.decision_id, self.kind, self.decided_at, self.weights_version, self.inputs, self.outcome)


async def keep_weights(conn: Connection, version: str, weights: dict[str, float]) -> None:
    """The weights a decision was scored with, stored once per version (and once per process)."""
    if version in _weights_known:
        return
    await conn.execute(
        "INSERT INTO weight_sets (version, weights) VALUES ($1, $2) ON CONFLICT DO NOTHING", version, weights
    )
    _weights_known.add(version)


async def note_quiet_retry(conn: Connection, need_id: UUID, at: datetime) -> None:
    """A second chance that found nobody again: counted on the need's last decision rather than stored whole (an
    escalated need is retried every few minutes for weeks)."""
    await conn.execute(
        """UPDATE decisions SET quiet_retries = quiet_retries + 1, last_retry_at = $2
           WHERE decision_id = (SELECT decision_id FROM decisions WHERE need_id = $1
                                ORDER BY decided_at DESC LIMIT 1)""",
        need_id,
        at,
    )


async def of_need(conn: Connection, need_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT d.*, {_STORED_BYTES} AS bytes, w.weights FROM decisions d
           LEFT JOIN weight_sets w ON w.version = d.weights_version
           WHERE d.need_id = $1 ORDER BY d.decided_at, d.decision_id""",
        need_id,
    )
    return [dict(r) for r in rows]


async def needs_with_decisions(conn: Connection) -> list[UUID]:
    rows = await conn.fetch("SELECT DISTINCT need_id FROM decisions")
    return [r["need_id"] for r in rows]


class Versions:
    """Product terms and officer profiles by version, read once per replay session."""

    def __init__(self) -> None:
        self.terms: dict[tuple[UUID, int], tuple[UUID, ProductTerms]] = {}
        self.profiles: dict[tuple[UUID, int], tuple[UUID, OfficerProfile]] = {}

    async def load(self, conn: Connection, products: set[tuple[UUID, int]], officers: set[tuple[UUID, int]]) -> None:
        missing_p = [k for k in products if k not in self.terms]
        missing_o = [k for k in officers if k not in self.profiles]
        if missing_p:
            rows = await conn.fetch(
                """SELECT t.product_id, t.version, t.bank_id, t.terms FROM product_terms t
                   JOIN unnest($1::uuid[], $2::int[]) AS k(product_id, version) USING (product_id, version)""",
                [k[0] for k in missing_p],
                [k[1] for k in missing_p],
            )
            for r in rows:
                self.terms[(r["product_id"], r["version"])] = (
                    r["bank_id"],
                    ProductTerms.model_validate(r["terms"]),
                )
        if missing_o:
            rows = await conn.fetch(
                """SELECT p.officer_id, p.version, p.bank_id, p.profile FROM officer_profiles p
                   JOIN unnest($1::uuid[], $2::int[]) AS k(officer_id, version) USING (officer_id, version)""",
                [k[0] for k in missing_o],
                [k[1] for k in missing_o],
            )
            for r in rows:
                self.profiles[(r["officer_id"], r["version"])] = (
                    r["bank_id"],
                    OfficerProfile.model_validate(r["profile"]),
                )

    def terms_of(self, product_id: UUID, version: int) -> tuple[UUID, ProductTerms]:
        return self.terms[(product_id, version)]

    def profile_of(self, officer_id: UUID, version: int) -> tuple[UUID, OfficerProfile]:
        return self.profiles[(officer_id, version)]


async def exclusions_of_bank(conn: Connection, bank_id: UUID, days: int) -> list[dict[str, Any]]:
    """Why the bank's own products were not chosen over the last `days`, counted by reason code; no other bank's
    product, line or remark is read out."""
    rows = await conn.fetch(
        """SELECT x.code, count(*) AS times, count(DISTINCT x.product_id) AS products,
                  (array_agg(x.params ORDER BY x.decided_at DESC))[1] AS latest_params
           FROM (SELECT e->>1 AS code, e->2 AS params, d.decided_at,
                        (d.inputs->'offers'->((e->>0)::int)->>0)::uuid AS product_id
                 FROM decisions d CROSS JOIN LATERAL json_array_elements(d.outcome->'excluded') AS e
                 WHERE d.decided_at >= now() - make_interval(days => $2)) AS x
           WHERE x.product_id IN (SELECT product_id FROM products WHERE bank_id = $1)
           GROUP BY x.code ORDER BY times DESC, x.code""",
        bank_id,
        days,
    )
    return [dict(r) for r in rows]


async def purge(conn: Connection, before: datetime) -> int:
    """Decisions older than the retention window (years by default) are deleted; returns how many."""
    status = await conn.execute("DELETE FROM decisions WHERE decided_at < $1", before)
    return int(status.split()[-1])


async def size_stats(conn: Connection) -> dict[str, Any]:
    """How many decisions are kept and the bytes one takes as stored (its columns, TOAST-compressed as kept)."""
    row = await conn.fetchrow(
        f"""SELECT count(*) AS decisions, coalesce(avg({_STORED_BYTES}), 0)::int AS avg_bytes,
                   coalesce(max({_STORED_BYTES}), 0) AS max_bytes FROM decisions d"""
    )
    assert row is not None
    return dict(row)
