"""Facts and durations in PostgreSQL: written by the consumer, read by the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from lianrong_platform.db import Connection

COLUMNS = ("chain", "town", "bank", "size_class")


async def add(conn: Connection, cell: dict[str, Any], metric: str, firm_key: str, amount: Decimal | None) -> None:
    await conn.execute(
        """INSERT INTO facts (chain, town, bank, size_class, week, metric, firm_key, count, amount)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)
           ON CONFLICT (chain, town, bank, size_class, week, metric, firm_key)
           DO UPDATE SET count = facts.count + 1, amount = coalesce(facts.amount, 0) + coalesce(excluded.amount, 0)""",
        cell["chain"],
        cell["town"],
        cell["bank"],
        cell["size_class"],
        cell["week"],
        metric,
        firm_key,
        amount,
    )


async def add_duration(conn: Connection, cell: dict[str, Any], metric: str, firm_key: str, seconds: float) -> None:
    await conn.execute(
        """INSERT INTO durations (chain, town, bank, size_class, week, metric, firm_key, seconds)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        cell["chain"],
        cell["town"],
        cell["bank"],
        cell["size_class"],
        cell["week"],
        metric,
        firm_key,
        seconds,
    )


def _where(start: date, end: date, filters: dict[str, str]) -> tuple[str, list[Any]]:
    clauses: list[str] = ["week BETWEEN $1 AND $2"]
    args: list[Any] = [start, end]
    for column, value in filters.items():
        assert column in COLUMNS
        args.append(value)
        clauses.append(f"{column} = ${len(args)}")
    return " AND ".join(clauses), args


async def facts(conn: Connection, dims: Sequence[str], start: date, end: date, filters: dict[str, str]) -> list[Any]:
    assert all(d in COLUMNS for d in dims)
    where, args = _where(start, end, filters)
    cols = ", ".join([*dims, "week", "metric", "firm_key"])
    return list(
        await conn.fetch(
            f"SELECT {cols}, sum(count) AS count, sum(amount) AS amount FROM facts WHERE {where} GROUP BY {cols}", *args
        )
    )


async def durations(
    conn: Connection, dims: Sequence[str], start: date, end: date, filters: dict[str, str]
) -> list[Any]:
    where, args = _where(start, end, filters)
    cols = ", ".join([*dims, "week", "metric"])
    return list(await conn.fetch(f"SELECT {cols}, firm_key, seconds FROM durations WHERE {where}", *args))
