"""Firms in PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import TypeAdapter

from contracts.firms import FirmFacts, Honour
from firms.adapters.postgres_reference import chains_mastered_by
from firms.commands import Contact
from firms.views import ContactView, FirmView
from lianrong_platform.db import Connection

_honours = TypeAdapter(list[Honour])


def _honours_json(honours: tuple[Honour, ...]) -> list[dict[str, Any]]:
    dumped: list[dict[str, Any]] = _honours.dump_python(list(honours), mode="json")
    return dumped


async def insert(
    conn: Connection, firm_id: UUID, uscc: str, legal_name: str, facts: FirmFacts, contact: Contact
) -> None:
    await conn.execute(
        """INSERT INTO firms (firm_id, uscc, legal_name, town, employees, revenue_last_year, size_class, honours)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        firm_id,
        uscc,
        legal_name,
        facts.town,
        facts.employees,
        facts.revenue_last_year,
        facts.size_class.value,
        _honours_json(facts.honours),
    )
    await save_contact(conn, firm_id, contact)


async def save_contact(conn: Connection, firm_id: UUID, contact: Contact) -> None:
    await conn.execute(
        """INSERT INTO firm_contacts (firm_id, name, phone) VALUES ($1, $2, $3)
           ON CONFLICT (firm_id) DO UPDATE SET name = excluded.name, phone = excluded.phone""",
        firm_id,
        contact.name,
        contact.phone,
    )


async def update_facts(conn: Connection, firm_id: UUID, facts: FirmFacts) -> None:
    await conn.execute(
        """UPDATE firms SET town = $2, employees = $3, revenue_last_year = $4, size_class = $5, honours = $6,
                  updated_at = now() WHERE firm_id = $1""",
        firm_id,
        facts.town,
        facts.employees,
        facts.revenue_last_year,
        facts.size_class.value,
        _honours_json(facts.honours),
    )


async def exists(conn: Connection, firm_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT true FROM firms WHERE firm_id = $1", firm_id))


async def claimable(conn: Connection, firm_id: UUID, uscc: str) -> bool:
    """A firm a recommendation list created, not claimed yet, that this USCC and id name together."""
    return bool(
        await conn.fetchval(
            "SELECT true FROM firms WHERE firm_id = $1 AND uscc = $2 AND NOT claimed FOR UPDATE", firm_id, uscc
        )
    )


async def claim(conn: Connection, firm_id: UUID, legal_name: str, facts: FirmFacts, contact: Contact) -> None:
    await conn.execute(
        """UPDATE firms SET legal_name = $2, town = $3, employees = $4, revenue_last_year = $5, size_class = $6,
                            honours = $7, claimed = true, updated_at = now()
           WHERE firm_id = $1""",
        firm_id,
        legal_name,
        facts.town,
        facts.employees,
        facts.revenue_last_year,
        facts.size_class.value,
        _honours_json(facts.honours),
    )
    await save_contact(conn, firm_id, contact)


async def uscc_taken(conn: Connection, uscc: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM firms WHERE uscc = $1", uscc))


async def facts(conn: Connection, firm_id: UUID, *, lock: bool = False) -> FirmFacts | None:
    row = await conn.fetchrow(
        "SELECT town, employees, revenue_last_year, size_class, honours FROM firms WHERE firm_id = $1"
        + (" FOR UPDATE" if lock else ""),
        firm_id,
    )
    if row is None:
        return None
    return FirmFacts(
        town=row["town"],
        employees=row["employees"],
        revenue_last_year=row["revenue_last_year"],
        size_class=row["size_class"],
        honours=tuple(_honours.validate_python(row["honours"])),
    )


async def identity(conn: Connection, firm_id: UUID) -> tuple[str, str, ContactView | None] | None:
    """(USCC, legal name, contact) for a disclosure or the firm's own view."""
    row = await conn.fetchrow(
        """SELECT f.uscc, f.legal_name, c.name, c.phone FROM firms f LEFT JOIN firm_contacts c USING (firm_id)
           WHERE f.firm_id = $1""",
        firm_id,
    )
    if row is None:
        return None
    contact = ContactView(name=row["name"], phone=row["phone"]) if row["name"] is not None else None
    return row["uscc"], row["legal_name"], contact


async def view(conn: Connection, firm_id: UUID) -> FirmView | None:
    row = await conn.fetchrow("SELECT * FROM firms WHERE firm_id = $1", firm_id)
    ident = await identity(conn, firm_id)
    if row is None or ident is None:
        return None
    return FirmView(
        firm_id=row["firm_id"],
        uscc=row["uscc"],
        legal_name=row["legal_name"],
        town=row["town"],
        employees=row["employees"],
        revenue_last_year=row["revenue_last_year"],
        size_class=row["size_class"],
        honours=_honours.validate_python(row["honours"]),
        chain_master_of=await chains_mastered_by(conn, firm_id),
        contact=ident[2],
        registered_at=row["registered_at"],
        updated_at=row["updated_at"],
    )
