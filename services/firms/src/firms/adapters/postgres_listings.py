"""Recommendation lists (推荐清单) in PostgreSQL: the lists, the needs they created, unclaimed listed firms."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from lianrong_platform.db import Connection


async def names(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """Towns and chains by code and by Chinese name, as a list may write them."""
    towns = {r["code"]: r["code"] for r in await conn.fetch("SELECT code FROM towns")}
    towns |= {r["name_zh"]: r["code"] for r in await conn.fetch("SELECT code, name_zh FROM towns")}
    chains = {r["code"]: r["code"] for r in await conn.fetch("SELECT code FROM chains")}
    chains |= {r["name_zh"]: r["code"] for r in await conn.fetch("SELECT code, name_zh FROM chains")}
    return towns, chains


async def present(conn: Connection, keys: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT list_key FROM listed_needs WHERE list_key = ANY($1)", keys)
    return {r["list_key"] for r in rows}


async def firms_by_uscc(conn: Connection, usccs: list[str]) -> dict[str, dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT firm_id, uscc, town, employees, revenue_last_year, size_class, honours, claimed
             FROM firms WHERE uscc = ANY($1)""",
        usccs,
    )
    return {r["uscc"]: dict(r) for r in rows}


async def new_list(conn: Connection, list_id: UUID, by: str, filename: str, counts: dict[str, int]) -> None:
    await conn.execute(
        """INSERT INTO recommendation_lists (list_id, uploaded_by, filename, rows, created, present, refused)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        list_id,
        by,
        filename,
        sum(counts.values()),
        counts["created"],
        counts["present"],
        counts["refused"],
    )


async def insert_unclaimed_firms(conn: Connection, firms: list[tuple[Any, ...]]) -> None:
    """(firm_id, uscc, legal_name, town, employees, revenue, size_class, contact name, phone) rows, in one go."""
    await conn.executemany(
        """INSERT INTO firms (firm_id, uscc, legal_name, town, employees, revenue_last_year, size_class, claimed)
           VALUES ($1, $2, $3, $4, $5, $6, $7, false)""",
        [f[:7] for f in firms],
    )
    await conn.executemany(
        "INSERT INTO firm_contacts (firm_id, name, phone) VALUES ($1, $2, $3)", [(f[0], f[7], f[8]) for f in firms]
    )


async def insert_needs(conn: Connection, needs: list[tuple[Any, ...]], listed: list[tuple[Any, ...]]) -> None:
    """The needs (need_id, firm_id, chain, terms, first_loan, position) and their list entries, in one go each."""
    await conn.executemany(
        """INSERT INTO needs (need_id, firm_id, chain, terms, first_loan, position)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        needs,
    )
    await conn.executemany(
        """INSERT INTO listed_needs (list_key, need_id, firm_id, list_id, row_number, consent_scope,
                                     consent_signed_on, consent_recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        listed,
    )


async def timeline_entries(conn: Connection, entries: list[tuple[Any, ...]]) -> None:
    """(need_id, event_id, at, milestone, detail, correlation_id) rows: the listed needs' first entries."""
    await conn.executemany(
        """INSERT INTO need_timeline (need_id, event_id, at, milestone, detail, correlation_id)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        entries,
    )
