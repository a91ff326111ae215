"""Banks and their chain designations in PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from banks.views import BankView, DesignationView
from lianrong_platform.db import Connection


async def insert_bank(conn: Connection, bank_id: UUID, code: str, name: str, kind: str) -> bool:
    status = await conn.execute(
        "INSERT INTO banks (bank_id, code, name, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        bank_id,
        code,
        name,
        kind,
    )
    return bool(status.endswith(" 1"))


async def bank(conn: Connection, bank_id: UUID) -> BankView | None:
    row = await conn.fetchrow("SELECT bank_id, code, name, kind FROM banks WHERE bank_id = $1", bank_id)
    return None if row is None else BankView(**dict(row))


async def banks(conn: Connection) -> list[BankView]:
    return [BankView(**dict(r)) for r in await conn.fetch("SELECT bank_id, code, name, kind FROM banks ORDER BY code")]


_DESIGNATION = """SELECT d.designation_id, d.chain, d.bank_id, b.name AS bank_name, d.role, d.valid_from,
                         d.valid_until, d.chain_credit_line, d.ended_on
                  FROM designations d JOIN banks b USING (bank_id)"""


async def current_lead(conn: Connection, chain: str) -> DesignationView | None:
    row = await conn.fetchrow(
        _DESIGNATION + " WHERE d.chain = $1 AND d.role = 'lead' AND d.ended_on IS NULL FOR UPDATE OF d", chain
    )
    return None if row is None else DesignationView(**dict(row))


async def current_designation(conn: Connection, chain: str, bank_id: UUID) -> DesignationView | None:
    row = await conn.fetchrow(
        _DESIGNATION + " WHERE d.chain = $1 AND d.bank_id = $2 AND d.ended_on IS NULL FOR UPDATE OF d", chain, bank_id
    )
    return None if row is None else DesignationView(**dict(row))


async def insert_designation(
    conn: Connection,
    designation_id: UUID,
    chain: str,
    bank_id: UUID,
    role: str,
    valid_from: date,
    valid_until: date | None,
    credit_line: Decimal | None,
    designated_by: str,
) -> None:
    await conn.execute(
        """INSERT INTO designations (designation_id, chain, bank_id, role, valid_from, valid_until,
                                     chain_credit_line, designated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        designation_id,
        chain,
        bank_id,
        role,
        valid_from,
        valid_until,
        credit_line,
        designated_by,
    )


async def end_designation(conn: Connection, designation_id: UUID, ended_on: date) -> None:
    await conn.execute("UPDATE designations SET ended_on = $2 WHERE designation_id = $1", designation_id, ended_on)


async def designation(conn: Connection, designation_id: UUID) -> DesignationView | None:
    row = await conn.fetchrow(_DESIGNATION + " WHERE d.designation_id = $1", designation_id)
    return None if row is None else DesignationView(**dict(row))


async def designations(conn: Connection, chain: str | None, include_ended: bool) -> list[DesignationView]:
    rows = await conn.fetch(
        _DESIGNATION + " WHERE ($1::text IS NULL OR d.chain = $1) AND ($2 OR d.ended_on IS NULL)"
        " ORDER BY d.chain, d.role DESC, d.designated_at",
        chain,
        include_ended,
    )
    return [DesignationView(**dict(r)) for r in rows]
