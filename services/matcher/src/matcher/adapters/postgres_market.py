"""The matcher's read model of the market in PostgreSQL: written from events, read for each decision."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

from contracts.banks import OfficerProfile, ProductTerms
from contracts.values import BankRole
from lianrong_platform.db import Connection
from matcher.domain.market import ChainRoles, Designation, Offer, OfficerSlot


async def upsert_bank(conn: Connection, bank_id: UUID, name: str) -> None:
    await conn.execute(
        "INSERT INTO banks (bank_id, name) VALUES ($1, $2) ON CONFLICT (bank_id) DO UPDATE SET name = excluded.name",
        bank_id,
        name,
    )


async def upsert_designation(
    conn: Connection,
    designation_id: UUID,
    chain: str,
    bank_id: UUID,
    role: str,
    valid_from: date,
    valid_until: date | None,
) -> None:
    await conn.execute(
        """INSERT INTO designations (designation_id, chain, bank_id, role, valid_from, valid_until)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (designation_id) DO NOTHING""",
        designation_id,
        chain,
        bank_id,
        role,
        valid_from,
        valid_until,
    )


async def end_designation(conn: Connection, designation_id: UUID, ended_on: date) -> None:
    # The designation is in force up to the day before it ended.
    await conn.execute(
        "UPDATE designations SET valid_until = $2::date - 1 WHERE designation_id = $1", designation_id, ended_on
    )


async def upsert_product(conn: Connection, product_id: UUID, bank_id: UUID, terms: ProductTerms) -> None:
    await conn.execute(
        """INSERT INTO products (product_id, bank_id, terms, chains, product_type, capacity)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (product_id) DO UPDATE SET terms = excluded.terms, chains = excluded.chains,
               product_type = excluded.product_type, capacity = excluded.capacity, version = products.version + 1""",
        product_id,
        bank_id,
        terms.model_dump(mode="json"),
        list(terms.chains),
        terms.product_type.value,
        terms.capacity,
    )


async def withdraw_product(conn: Connection, product_id: UUID) -> None:
    await conn.execute("UPDATE products SET withdrawn = true WHERE product_id = $1", product_id)


async def upsert_officer(conn: Connection, officer_id: UUID, bank_id: UUID, profile: OfficerProfile) -> None:
    await conn.execute(
        """INSERT INTO officers (officer_id, bank_id, profile) VALUES ($1, $2, $3)
           ON CONFLICT (officer_id) DO UPDATE SET profile = excluded.profile, version = officers.version + 1""",
        officer_id,
        bank_id,
        profile.model_dump(mode="json"),
    )


M = TypeVar("M", bound=BaseModel)


class _ParsedByVersion(Generic[M]):
    """Parsed JSON by (id, version): a decision reads dozens of products and officers, whose terms and profiles
    rarely change. The JSON travels as text and is parsed only when its version is new here."""

    def __init__(self, model: type[M], limit: int = 50_000) -> None:
        self._model = model
        self._limit = limit
        self._parsed: dict[tuple[UUID, int], M] = {}

    def __call__(self, key: tuple[UUID, int], text: str) -> M:
        parsed = self._parsed.get(key)
        if parsed is None:
            if len(self._parsed) > self._limit:
                self._parsed.clear()
            parsed = self._parsed[key] = self._model.model_validate_json(text)
        return parsed


_TERMS = _ParsedByVersion(ProductTerms)
_PROFILES = _ParsedByVersion(OfficerProfile)


_PRODUCT_COLUMNS = """p.product_id, p.bank_id, p.version, p.terms::text AS terms_json, p.disbursed, p.reserved,
                      p.withdrawn, b.name AS bank_name"""


def _offer(row: Any) -> Offer:
    return Offer(
        product_id=row["product_id"],
        bank_id=row["bank_id"],
        bank_name=row["bank_name"] or "",
        terms=_TERMS((row["product_id"], row["version"]), row["terms_json"]),
        disbursed=row["disbursed"],
        reserved=row["reserved"],
        withdrawn=row["withdrawn"],
    )


async def offers_for(conn: Connection, chain: str, product_types: list[str]) -> list[Offer]:
    """The indexed path: only the products of the need's chain and of the kinds it asked for."""
    rows = await conn.fetch(
        f"""SELECT {_PRODUCT_COLUMNS} FROM products p LEFT JOIN banks b USING (bank_id)
           WHERE p.chains @> ARRAY[$1]::text[] AND p.product_type = ANY($2::text[]) AND NOT p.withdrawn""",
        chain,
        product_types,
    )
    return [_offer(r) for r in rows]


async def all_offers(conn: Connection) -> list[Offer]:
    rows = await conn.fetch(f"SELECT {_PRODUCT_COLUMNS} FROM products p LEFT JOIN banks b USING (bank_id)")
    return [_offer(r) for r in rows]


async def roles_for(conn: Connection, chain: str) -> ChainRoles:
    rows = await conn.fetch(
        "SELECT chain, bank_id, role, valid_from, valid_until FROM designations WHERE chain = $1", chain
    )
    return ChainRoles(
        [Designation(r["chain"], r["bank_id"], BankRole(r["role"]), r["valid_from"], r["valid_until"]) for r in rows]
    )


async def all_roles(conn: Connection) -> ChainRoles:
    rows = await conn.fetch("SELECT chain, bank_id, role, valid_from, valid_until FROM designations")
    return ChainRoles(
        [Designation(r["chain"], r["bank_id"], BankRole(r["role"]), r["valid_from"], r["valid_until"]) for r in rows]
    )


async def officers_of(conn: Connection, bank_ids: list[UUID]) -> dict[UUID, list[OfficerSlot]]:
    rows = await conn.fetch(
        """SELECT officer_id, bank_id, version, profile::text AS profile_json, open_matches FROM officers
           WHERE bank_id = ANY($1::uuid[])""",
        bank_ids,
    )
    found: dict[UUID, list[OfficerSlot]] = defaultdict(list)
    for r in rows:
        profile = _PROFILES((r["officer_id"], r["version"]), r["profile_json"])
        found[r["bank_id"]].append(OfficerSlot(r["officer_id"], r["bank_id"], profile, r["open_matches"]))
    return found


async def reserve(conn: Connection, product_id: UUID, amount: Decimal, officer_id: UUID) -> bool:
    """Hold `amount` of the product's line and one of the officer's slots for an open proposal, in one statement;
    False (and nothing held) if another decision took the last of either first.

    The conditions are re-checked on the locked rows, so two instances can never both take the last of a line or of
    an officer's slots.
    """
    row = await conn.fetchrow(
        """WITH line AS (
               UPDATE products SET reserved = reserved + $2
               WHERE product_id = $1 AND capacity - disbursed - reserved >= $2 AND NOT withdrawn
               RETURNING product_id),
           desk AS (
               UPDATE officers SET open_matches = open_matches + 1
               WHERE officer_id = $3 AND open_matches < (profile->>'max_open_matches')::int
                 AND EXISTS (SELECT 1 FROM line)
               RETURNING officer_id)
           SELECT EXISTS (SELECT 1 FROM line) AS line, EXISTS (SELECT 1 FROM desk) AS desk""",
        product_id,
        amount,
        officer_id,
    )
    assert row is not None
    if row["line"] and not row["desk"]:  # the officer filled up meanwhile: give the line back
        await release(conn, product_id, amount)
    return bool(row["desk"])


async def release(conn: Connection, product_id: UUID, amount: Decimal) -> None:
    await conn.execute(
        "UPDATE products SET reserved = greatest(reserved - $2, 0) WHERE product_id = $1", product_id, amount
    )


async def consume(conn: Connection, product_id: UUID, reserved: Decimal, disbursed: Decimal) -> None:
    """A disbursement turns the reservation into used capacity."""
    await conn.execute(
        """UPDATE products SET reserved = greatest(reserved - $2, 0), disbursed = disbursed + $3
           WHERE product_id = $1""",
        product_id,
        reserved,
        disbursed,
    )


async def free_officer(conn: Connection, officer_id: UUID) -> None:
    await conn.execute(
        "UPDATE officers SET open_matches = greatest(open_matches - 1, 0) WHERE officer_id = $1", officer_id
    )


async def upsert_firm(conn: Connection, firm_id: UUID, facts: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO firms (firm_id, facts) VALUES ($1, $2) ON CONFLICT (firm_id) DO UPDATE SET facts = excluded.facts",
        firm_id,
        facts,
    )


async def add_chain_master(conn: Connection, firm_id: UUID, chains: tuple[str, ...]) -> None:
    await conn.executemany(
        "INSERT INTO chain_masters (firm_id, chain) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(firm_id, c) for c in chains],
    )


async def upsert_link(
    conn: Connection, link_id: UUID, supplier: UUID, master: UUID, chain: str, tier: str, status: str
) -> None:
    await conn.execute(
        """INSERT INTO links (link_id, supplier_firm_id, chain_master_firm_id, chain, tier, status)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (link_id) DO UPDATE SET status = excluded.status""",
        link_id,
        supplier,
        master,
        chain,
        tier,
        status,
    )


async def add_receivable(conn: Connection, receivable_id: UUID, supplier: UUID, amount: Decimal, due: date) -> None:
    await conn.execute(
        """INSERT INTO receivables (receivable_id, supplier_firm_id, amount, due_date) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        receivable_id,
        supplier,
        amount,
        due,
    )
