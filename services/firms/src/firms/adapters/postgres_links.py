"""Supplier links and receivables in PostgreSQL."""

from __future__ import annotations

from uuid import UUID

from firms.views import LinkView, ReceivableView
from lianrong_platform.db import Connection

_LINK_SELECT = """
    SELECT l.*, s.legal_name AS supplier_name, m.legal_name AS chain_master_name
    FROM supplier_links l
    JOIN firms s ON s.firm_id = l.supplier_firm_id
    JOIN firms m ON m.firm_id = l.chain_master_firm_id
"""


def _link(row: object) -> LinkView:
    return LinkView.model_validate(dict(row))  # type: ignore[call-overload]


async def insert_link(
    conn: Connection, link_id: UUID, supplier: UUID, master: UUID, chain: str, tier: str, annual_supply_value: object
) -> bool:
    """False when a live declaration for the same supplier, chain master and chain exists."""
    status = await conn.execute(
        """INSERT INTO supplier_links
               (link_id, supplier_firm_id, chain_master_firm_id, chain, tier, annual_supply_value)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        link_id,
        supplier,
        master,
        chain,
        tier,
        annual_supply_value,
    )
    return bool(status.endswith(" 1"))


async def link(conn: Connection, link_id: UUID, *, lock: bool = False) -> LinkView | None:
    row = await conn.fetchrow(_LINK_SELECT + " WHERE l.link_id = $1" + (" FOR UPDATE OF l" if lock else ""), link_id)
    return None if row is None else _link(row)


async def links_of_supplier(conn: Connection, supplier: UUID) -> list[LinkView]:
    rows = await conn.fetch(_LINK_SELECT + " WHERE l.supplier_firm_id = $1 ORDER BY l.declared_at DESC", supplier)
    return [_link(r) for r in rows]


async def links_naming(conn: Connection, master: UUID, status: str | None) -> list[LinkView]:
    rows = await conn.fetch(
        _LINK_SELECT + " WHERE l.chain_master_firm_id = $1 AND ($2::text IS NULL OR l.status = $2)"
        " ORDER BY l.declared_at DESC",
        master,
        status,
    )
    return [_link(r) for r in rows]


async def decide_link(conn: Connection, link_id: UUID, status: str, reason: str) -> None:
    await conn.execute(
        "UPDATE supplier_links SET status = $2, reason = $3, decided_at = now() WHERE link_id = $1",
        link_id,
        status,
        reason,
    )


async def confirmed_link(conn: Connection, supplier: UUID, chain: str) -> LinkView | None:
    row = await conn.fetchrow(
        _LINK_SELECT + " WHERE l.supplier_firm_id = $1 AND l.chain = $2 AND l.status = 'confirmed'"
        " ORDER BY l.tier, l.decided_at LIMIT 1",
        supplier,
        chain,
    )
    return None if row is None else _link(row)


async def insert_receivable(
    conn: Connection, receivable_id: UUID, link: LinkView, kind: str, amount: object, due_date: object
) -> None:
    await conn.execute(
        """INSERT INTO receivables (receivable_id, link_id, supplier_firm_id, chain_master_firm_id, kind, amount,
                                    due_date) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        receivable_id,
        link.link_id,
        link.supplier_firm_id,
        link.chain_master_firm_id,
        kind,
        amount,
        due_date,
    )


async def receivable(conn: Connection, receivable_id: UUID, *, lock: bool = False) -> ReceivableView | None:
    row = await conn.fetchrow(
        "SELECT * FROM receivables WHERE receivable_id = $1" + (" FOR UPDATE" if lock else ""), receivable_id
    )
    return None if row is None else ReceivableView.model_validate(dict(row))


async def receivables_for(
    conn: Connection, *, supplier: UUID | None = None, master: UUID | None = None, status: str | None = None
) -> list[ReceivableView]:
    rows = await conn.fetch(
        """SELECT * FROM receivables WHERE ($1::uuid IS NULL OR supplier_firm_id = $1)
           AND ($2::uuid IS NULL OR chain_master_firm_id = $2) AND ($3::text IS NULL OR status = $3)
           ORDER BY declared_at DESC""",
        supplier,
        master,
        status,
    )
    return [ReceivableView.model_validate(dict(r)) for r in rows]


async def decide_receivable(conn: Connection, receivable_id: UUID, status: str, reason: str) -> None:
    await conn.execute(
        "UPDATE receivables SET status = $2, reason = $3, decided_at = now() WHERE receivable_id = $1",
        receivable_id,
        status,
        reason,
    )


async def revoke_link(conn: Connection, link_id: UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE supplier_links SET status = 'revoked', reason = $2, revoked_at = now() WHERE link_id = $1",
        link_id,
        reason,
    )


async def revoke_receivable(conn: Connection, receivable_id: UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE receivables SET status = 'revoked', reason = $2, revoked_at = now() WHERE receivable_id = $1",
        receivable_id,
        reason,
    )


async def revoke_receivables_on(conn: Connection, link_id: UUID, reason: str) -> list[UUID]:
    """A revoked link takes its confirmed receivables with it; returns them."""
    rows = await conn.fetch(
        """UPDATE receivables SET status = 'revoked', reason = $2, revoked_at = now()
           WHERE link_id = $1 AND status = 'confirmed' RETURNING receivable_id""",
        link_id,
        reason,
    )
    return [r["receivable_id"] for r in rows]
