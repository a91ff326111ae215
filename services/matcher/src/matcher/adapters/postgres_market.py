"""The matcher's read model of the market in PostgreSQL: written from events, read for each decision."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

from contracts.banks import OfficerProfile, ProductTerms
from contracts.values import BankRole
from lianrong_platform.db import Connection
from matcher.domain.market import ChainRoles, Designation, Offer, OfficerSlot
from matcher.domain.sieve import Sieve
from matcher.domain.snapshot import Share, Snapshot


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
    chain_credit_line: Decimal | None = None,
) -> None:
    """The designation, and its whole-chain credit line (整链授信) as the bank's cap for that chain."""
    await conn.execute(
        """WITH d AS (
               INSERT INTO designations (designation_id, chain, bank_id, role, valid_from, valid_until,
                                         chain_credit_line)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (designation_id) DO NOTHING RETURNING 1)
           INSERT INTO chain_lines (bank_id, chain, line) SELECT $3, $2, $7 FROM d WHERE $7::numeric IS NOT NULL
           ON CONFLICT (bank_id, chain) DO UPDATE SET line = excluded.line""",
        designation_id,
        chain,
        bank_id,
        role,
        valid_from,
        valid_until,
        chain_credit_line,
    )


async def end_designation(conn: Connection, designation_id: UUID, ended_on: date) -> None:
    """The designation is in force up to the day before it ended; the line it carried no longer caps the bank."""
    await conn.execute(
        """WITH d AS (
               UPDATE designations SET valid_until = $2::date - 1 WHERE designation_id = $1
               RETURNING bank_id, chain, chain_credit_line)
           UPDATE chain_lines c SET line = NULL FROM d
           WHERE c.bank_id = d.bank_id AND c.chain = d.chain AND d.chain_credit_line IS NOT NULL""",
        designation_id,
        ended_on,
    )


async def upsert_product(conn: Connection, product_id: UUID, bank_id: UUID, terms: ProductTerms) -> None:
    # Each version of the terms is kept for the decision record, in the same statement.
    await conn.execute(
        """WITH p AS (
               INSERT INTO products (product_id, bank_id, terms, chains, product_type, capacity)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (product_id) DO UPDATE SET terms = excluded.terms, chains = excluded.chains,
                   product_type = excluded.product_type, capacity = excluded.capacity,
                   version = products.version + 1
               RETURNING product_id, version, bank_id, terms)
           INSERT INTO product_terms (product_id, version, bank_id, terms)
           SELECT product_id, version, bank_id, terms FROM p
           ON CONFLICT DO NOTHING""",
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
        """WITH o AS (
               INSERT INTO officers (officer_id, bank_id, profile) VALUES ($1, $2, $3)
               ON CONFLICT (officer_id) DO UPDATE SET profile = excluded.profile, version = officers.version + 1
               RETURNING officer_id, version, bank_id, profile)
           INSERT INTO officer_profiles (officer_id, version, bank_id, profile)
           SELECT officer_id, version, bank_id, profile FROM o
           ON CONFLICT DO NOTHING""",
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
# Each chain's eligibility sets, from batch to batch while its products' terms stay the same (Snapshot, Sieve.again).
_SIEVES: dict[str, Sieve] = {}


_PRODUCT_COLUMNS = """p.product_id, p.bank_id, p.version, p.terms::text AS terms_json, p.disbursed, p.reserved,
                      p.withdrawn, b.name AS bank_name,
                      (SELECT lp.price FROM line_prices lp WHERE lp.product_id = p.product_id) AS price"""


def _offer(row: Any, chain_free: Decimal | None = None) -> Offer:
    return Offer(
        product_id=row["product_id"],
        bank_id=row["bank_id"],
        bank_name=row["bank_name"] or "",
        terms=_TERMS((row["product_id"], row["version"]), row["terms_json"]),
        disbursed=row["disbursed"],
        reserved=row["reserved"],
        withdrawn=row["withdrawn"],
        chain_free=chain_free,
        version=row["version"],
        price=row["price"] or 0.0,
    )


async def offers_for(conn: Connection, chain: str, product_types: list[str]) -> list[Offer]:
    """The indexed path: only the products of the need's chain and of the kinds it asked for, each with what is free
    of its bank's whole-chain credit line for that chain."""
    rows = await conn.fetch(
        f"""SELECT {_PRODUCT_COLUMNS}, c.line - c.reserved - c.disbursed AS chain_free
           FROM products p LEFT JOIN banks b USING (bank_id)
                LEFT JOIN chain_lines c ON c.bank_id = p.bank_id AND c.chain = $1
           WHERE p.chains @> ARRAY[$1]::text[] AND p.product_type = ANY($2::text[]) AND NOT p.withdrawn""",
        chain,
        product_types,
    )
    return [_offer(r, r["chain_free"]) for r in rows]


async def snapshot_for(conn: Connection, chains: list[str], product_types: list[str]) -> Snapshot:
    """What a batch of needs of these chains and kinds is decided against, in four reads: the products with their
    lines, the banks' whole-chain lines for those chains, the chains' designations, the offering banks' officers."""
    rows = await conn.fetch(
        f"""SELECT {_PRODUCT_COLUMNS} FROM products p LEFT JOIN banks b USING (bank_id)
           WHERE p.chains && $1::text[] AND p.product_type = ANY($2::text[]) AND NOT p.withdrawn""",
        chains,
        product_types,
    )
    offers = [_offer(r) for r in rows]
    lines = await conn.fetch(
        """SELECT bank_id, chain, line - reserved - disbursed AS free FROM chain_lines
           WHERE chain = ANY($1::text[]) AND line IS NOT NULL""",
        chains,
    )
    chain_free: dict[tuple[UUID, str], Decimal | None] = {(r["bank_id"], r["chain"]): r["free"] for r in lines}
    designations = await conn.fetch(
        "SELECT chain, bank_id, role, valid_from, valid_until FROM designations WHERE chain = ANY($1::text[])", chains
    )
    officers = await officers_of(conn, sorted({o.bank_id for o in offers}))
    return Snapshot(
        offers,
        chain_free,
        (
            Designation(r["chain"], r["bank_id"], BankRole(r["role"]), r["valid_from"], r["valid_until"])
            for r in designations
        ),
        (slot for crew in officers.values() for slot in crew),
        sieves=_SIEVES,
    )


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
        found[r["bank_id"]].append(OfficerSlot(r["officer_id"], r["bank_id"], profile, r["open_matches"], r["version"]))
    return found


async def reserve(conn: Connection, product_id: UUID, chain: str, amount: Decimal, officer_id: UUID) -> bool:
    """Hold `amount` of the product's line, of its bank's whole-chain credit line for `chain` (整链授信) and one of
    the officer's slots for an open proposal, in one statement; False (and nothing held) if another decision took
    the last of any of them first.

    The conditions are re-checked on the locked rows (products, then chain_lines, then officers: one order
    everywhere, so two instances cannot deadlock), so two instances can never both take the last of a line.
    """
    row = await conn.fetchrow(
        """WITH line AS (
               UPDATE products SET reserved = reserved + $2
               WHERE product_id = $1 AND capacity - disbursed - reserved >= $2 AND NOT withdrawn
               RETURNING bank_id),
           whole_chain AS (
               INSERT INTO chain_lines AS c (bank_id, chain, reserved) SELECT bank_id, $4, $2 FROM line
               ON CONFLICT (bank_id, chain) DO UPDATE SET reserved = c.reserved + excluded.reserved
               WHERE c.line IS NULL OR c.line - c.reserved - c.disbursed >= excluded.reserved
               RETURNING bank_id),
           desk AS (
               UPDATE officers SET open_matches = open_matches + 1
               WHERE officer_id = $3 AND open_matches < (profile->>'max_open_matches')::int
                 AND EXISTS (SELECT 1 FROM whole_chain)
               RETURNING officer_id)
           SELECT (SELECT bank_id FROM line) AS bank_id, EXISTS (SELECT 1 FROM whole_chain) AS whole_chain,
                  EXISTS (SELECT 1 FROM desk) AS desk""",
        product_id,
        amount,
        officer_id,
        chain,
    )
    assert row is not None
    if row["desk"]:
        return True
    if row["bank_id"] is not None:  # the line was taken but the chain line or the officer was not: give it back
        await release(conn, product_id, row["bank_id"], chain, amount, chain_held=row["whole_chain"])
    return False


async def replace_prices(conn: Connection, prices: dict[UUID, float], at: datetime) -> None:
    """The learned capacity prices replace the previous ones (a line not in `prices` has none)."""
    await conn.execute(
        """WITH gone AS (DELETE FROM line_prices WHERE NOT (product_id = ANY($1::uuid[])))
           INSERT INTO line_prices (product_id, price, computed_at)
           SELECT * FROM unnest($1::uuid[], $2::float8[]), (SELECT $3::timestamptz) AS t
           ON CONFLICT (product_id) DO UPDATE SET price = excluded.price, computed_at = excluded.computed_at""",
        list(prices),
        list(prices.values()),
        at,
    )


async def reserve_batch(conn: Connection, shares: list[Share]) -> bool:
    """Hold every share of a batch's proposals in one statement, or none (False: another instance took part of a
    line, a chain line or an officer's last slot since the batch read them; the caller rolls back its savepoint).

    Each table's rows are updated in id order, products before chain lines before officers (the one-need `reserve`
    takes them in the same order), so two instances cannot deadlock; each row's condition is checked on the locked
    row against the batch's total for it."""
    by_product: dict[UUID, Decimal] = defaultdict(Decimal)
    by_chain_line: dict[tuple[UUID, str], Decimal] = defaultdict(Decimal)
    by_officer: dict[UUID, int] = defaultdict(int)
    for s in shares:
        by_product[s.product_id] += s.amount
        by_chain_line[(s.bank_id, s.chain)] += s.amount
        by_officer[s.officer_id] += 1
    products = sorted(by_product)
    lines = sorted(by_chain_line, key=lambda k: (str(k[0]), k[1]))
    officers = sorted(by_officer)
    row = await conn.fetchrow(
        """WITH line AS (
               UPDATE products p SET reserved = p.reserved + w.amount
               FROM (SELECT * FROM unnest($1::uuid[], $2::numeric[]) AS w(product_id, amount)
                     ORDER BY product_id) AS w
               WHERE p.product_id = w.product_id AND p.capacity - p.disbursed - p.reserved >= w.amount
                 AND NOT p.withdrawn
               RETURNING 1),
           whole_chain AS (
               INSERT INTO chain_lines AS c (bank_id, chain, reserved)
               SELECT w.bank_id, w.chain, w.amount
               FROM unnest($3::uuid[], $4::text[], $5::numeric[]) AS w(bank_id, chain, amount)
               WHERE (SELECT count(*) FROM line) = cardinality($1::uuid[])
               ORDER BY w.bank_id, w.chain
               ON CONFLICT (bank_id, chain) DO UPDATE SET reserved = c.reserved + excluded.reserved
               WHERE c.line IS NULL OR c.line - c.reserved - c.disbursed >= excluded.reserved
               RETURNING 1),
           desk AS (
               UPDATE officers o SET open_matches = o.open_matches + w.n
               FROM (SELECT * FROM unnest($6::uuid[], $7::int[]) AS w(officer_id, n) ORDER BY officer_id) AS w
               WHERE o.officer_id = w.officer_id AND o.open_matches + w.n <= (o.profile->>'max_open_matches')::int
                 AND (SELECT count(*) FROM whole_chain) = cardinality($3::uuid[])
               RETURNING 1)
           SELECT (SELECT count(*) FROM line) AS products, (SELECT count(*) FROM whole_chain) AS lines,
                  (SELECT count(*) FROM desk) AS officers""",
        products,
        [by_product[p] for p in products],
        [k[0] for k in lines],
        [k[1] for k in lines],
        [by_chain_line[k] for k in lines],
        officers,
        [by_officer[o] for o in officers],
    )
    assert row is not None
    return (row["products"], row["lines"], row["officers"]) == (len(products), len(lines), len(officers))


async def release(
    conn: Connection, product_id: UUID, bank_id: UUID, chain: str, amount: Decimal, *, chain_held: bool = True
) -> None:
    """Give a reservation back to the product's line and (when it was held there) to the bank's chain line."""
    await conn.execute(
        """WITH line AS (UPDATE products SET reserved = greatest(reserved - $2, 0) WHERE product_id = $1)
           UPDATE chain_lines SET reserved = greatest(reserved - $2, 0)
           WHERE bank_id = $3 AND chain = $4 AND $5""",
        product_id,
        amount,
        bank_id,
        chain,
        chain_held,
    )


async def consume(
    conn: Connection, product_id: UUID, bank_id: UUID, chain: str, reserved: Decimal, disbursed: Decimal
) -> None:
    """A disbursement turns the reservation into used capacity, of the product's line and of the chain line."""
    await conn.execute(
        """WITH line AS (
               UPDATE products SET reserved = greatest(reserved - $2, 0), disbursed = disbursed + $3
               WHERE product_id = $1)
           INSERT INTO chain_lines AS c (bank_id, chain, disbursed) VALUES ($4, $5, $3)
           ON CONFLICT (bank_id, chain) DO UPDATE SET reserved = greatest(c.reserved - $2, 0),
                                                      disbursed = c.disbursed + $3""",
        product_id,
        reserved,
        disbursed,
        bank_id,
        chain,
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


async def chain_lines_of(conn: Connection, bank_id: UUID | None) -> list[dict[str, Any]]:
    """Use of the whole-chain credit lines (整链授信): one bank's, or every bank's for the regulator."""
    rows = await conn.fetch(
        """SELECT c.bank_id, b.name AS bank_name, c.chain, c.line, c.reserved, c.disbursed,
                  c.line - c.reserved - c.disbursed AS free
           FROM chain_lines c LEFT JOIN banks b USING (bank_id)
           WHERE $1::uuid IS NULL OR c.bank_id = $1 ORDER BY b.name, c.chain""",
        bank_id,
    )
    return [dict(r) for r in rows]


async def add_receivable(conn: Connection, receivable_id: UUID, supplier: UUID, amount: Decimal, due: date) -> None:
    await conn.execute(
        """INSERT INTO receivables (receivable_id, supplier_firm_id, amount, due_date) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        receivable_id,
        supplier,
        amount,
        due,
    )
