"""Reports for the regulator: the flows table and the lead-bank table, both built from week cells that passed
disclosure control (domain/disclosure.py), so that no figure, alone or compared with another, reveals a small
group of firms."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from lianrong_platform.db import Connection
from oversight.adapters import postgres_facts as store
from oversight.domain import cells as c
from oversight.domain.disclosure import MIN_FIRMS, Cell, publishable

GROUPABLE = (*c.DIMENSIONS, "week")


async def week_cells(conn: Connection, dims: list[str], start: date, end: date, filters: dict[str, str]) -> list[Cell]:
    """Week cells at the grouping `dims` ∪ filtered dimensions, with disclosure control applied."""
    positions = [i for i, d in enumerate(c.DIMENSIONS) if d in dims or d in filters]
    facts = [
        (
            tuple(row[d] for d in c.DIMENSIONS),
            row["week"],
            row["metric"],
            row["firm_key"],
            int(row["count"]),
            row["amount"],
        )
        for row in await store.facts(conn, c.DIMENSIONS, start, end, filters)
    ]
    return publishable(facts, positions, len(c.DIMENSIONS))


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


async def flows(conn: Connection, by: list[str], start: date, end: date, filters: dict[str, str]) -> dict[str, Any]:
    dims = [d for d in c.DIMENSIONS if d in by]
    grouping = [d for d in c.DIMENSIONS if d in dims or d in filters]
    cells = await week_cells(conn, dims, start, end, filters)
    published = {(cell.key, cell.week) for cell in cells if not cell.suppressed}
    seconds: dict[tuple[tuple[str, ...], str], list[float]] = defaultdict(list)
    timed_firms: dict[tuple[tuple[str, ...], str], set[str]] = defaultdict(set)
    for row in await store.durations(conn, grouping, start, end, filters):
        key = tuple(row[d] for d in grouping)
        if (key, row["week"]) in published:
            out = tuple(v for d, v in zip(grouping, key, strict=True) if d in dims)
            week = row["week"].isoformat() if "week" in by else ""
            seconds[((*out, week), row["metric"])].append(row["seconds"])
            timed_firms[((*out, week), row["metric"])].add(row["firm_key"])

    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    totals: dict[str, dict[str, Any]] = {}
    withheld = 0
    for cell in sorted(cells, key=lambda x: (x.key, x.week)):
        if cell.suppressed:
            withheld += 1
            continue
        out = tuple(v for d, v in zip(grouping, cell.key, strict=True) if d in dims)
        week = cell.week.isoformat() if "week" in by else ""
        row = rows.setdefault(
            (*out, week),
            {
                "key": dict(zip(dims, out, strict=True)) | ({"week": week} if week else {}),
                "metrics": {},
                "amounts_withheld": [],
                "counts_withheld": [],
            },
        )
        row["counts_withheld"] = sorted(set(row["counts_withheld"]) | cell.hidden_counts)
        for metric, n in cell.counts.items():
            if metric in cell.hidden_counts:
                continue  # fewer than the threshold of firms make it up (or it would reveal such a figure)
            for target in (row["metrics"], totals):
                entry = target.setdefault(metric, {"count": 0, "amount": None})
                entry["count"] += n
                if metric in c.AMOUNT_METRICS and metric not in cell.hidden_amounts:
                    entry["amount"] = (entry["amount"] or Decimal(0)) + cell.amounts[metric]
        row["amounts_withheld"] = sorted(set(row["amounts_withheld"]) | (cell.hidden_amounts & c.AMOUNT_METRICS))
    for (rkey, metric), values in seconds.items():
        # A median or p90 is published only over the durations of at least the threshold of distinct firms.
        if rkey in rows and len(timed_firms[(rkey, metric)]) >= MIN_FIRMS:
            rows[rkey]["metrics"][f"{metric}_median_s"] = _p(values, 0.5)
            rows[rkey]["metrics"][f"{metric}_p90_s"] = _p(values, 0.9)
    return {
        "from": start,
        "to": end,
        "by": by,
        "filters": filters,
        "cells": list(rows.values()),
        "totals": totals,
        "week_cells_withheld": withheld,
    }


async def lead_banks(conn: Connection, start: date, end: date) -> list[dict[str, Any]]:
    """Per chain, its lead bank's record: needs routed, answered, deadlines missed, approval rate, disbursed."""
    leads = await conn.fetch(
        """SELECT d.chain, d.bank_id, b.name, d.chain_credit_line FROM designations d
           LEFT JOIN banks b USING (bank_id)
           WHERE d.role = 'lead' AND d.valid_from <= $2 AND (d.valid_until IS NULL OR d.valid_until >= $1)
           ORDER BY d.chain""",
        start,
        end,
    )
    cells = await week_cells(conn, ["chain", "bank"], start, end, {})
    result = []
    for lead in leads:
        mine = [x for x in cells if x.key == (lead["chain"], lead["bank_id"])]
        shown = [x for x in mine if not x.suppressed]

        def figure(*metrics: str, prefix: str = "", cells_: list[Cell] = shown) -> int | None:
            """A statistic over the period, published when at least the threshold of distinct firms make it up."""
            chosen = [(x, m) for x in cells_ for m in x.counts if m in metrics or (prefix and m.startswith(prefix))]
            firms = set().union(*(x.metric_firms[m] for x, m in chosen)) if chosen else set()
            if chosen and len(firms) < MIN_FIRMS:
                return None
            return sum(x.counts[m] for x, m in chosen)

        def plus(a: int | None, b: int | None) -> int | None:
            return None if a is None or b is None else a + b

        approved, rejected = figure(c.APPROVED), figure(prefix=c.REJECTED + ":")
        disbursed = None
        if shown and all(c.DISBURSED not in x.hidden_amounts for x in shown):
            disbursed = sum((x.amounts.get(c.DISBURSED, Decimal(0)) for x in shown), Decimal(0))
        line = lead["chain_credit_line"]
        result.append(
            {
                "chain": lead["chain"],
                "bank_id": lead["bank_id"],
                "bank_name": lead["name"],
                "weeks_published": len(shown),
                "weeks_withheld": len(mine) - len(shown),
                "needs_routed": figure(c.MATCHED, c.REROUTED),
                "answered": figure(c.CONTACTED, prefix=c.DECLINED + ":"),
                "sla_breaches": figure(c.SLA_BREACH),
                "decision_breaches": figure(c.DECISION_BREACH),
                "approved": approved,
                "rejected": rejected,
                # A rate only when both its counts are published (else it would give away the withheld one).
                "approval_rate": round(approved / total, 4)
                if approved is not None and (total := plus(approved, rejected))
                else None,
                "amount_disbursed": disbursed,
                "chain_credit_line": line,
                "credit_line_used": float(disbursed / line) if disbursed is not None and line else None,
            }
        )
    return result
