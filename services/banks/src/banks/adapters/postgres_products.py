"""Products and their capacity in PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from banks.views import ProductView
from contracts.banks import ProductTerms
from lianrong_platform.db import Connection


def _view(row: Any) -> ProductView:
    return ProductView(
        product_id=row["product_id"],
        bank_id=row["bank_id"],
        terms=row["terms"],
        disbursed=row["disbursed"],
        remaining=row["capacity"] - row["disbursed"],
        withdrawn=row["withdrawn"],
    )


async def insert(conn: Connection, product_id: UUID, bank_id: UUID, terms: ProductTerms) -> None:
    await conn.execute(
        "INSERT INTO products (product_id, bank_id, terms, capacity) VALUES ($1, $2, $3, $4)",
        product_id,
        bank_id,
        terms.model_dump(mode="json"),
        terms.capacity,
    )


async def update_terms(conn: Connection, product_id: UUID, terms: ProductTerms) -> None:
    await conn.execute(
        "UPDATE products SET terms = $2, capacity = $3, updated_at = now() WHERE product_id = $1",
        product_id,
        terms.model_dump(mode="json"),
        terms.capacity,
    )


async def withdraw(conn: Connection, product_id: UUID) -> None:
    await conn.execute("UPDATE products SET withdrawn = true, updated_at = now() WHERE product_id = $1", product_id)


async def product(conn: Connection, product_id: UUID, *, lock: bool = False) -> ProductView | None:
    row = await conn.fetchrow(
        "SELECT * FROM products WHERE product_id = $1" + (" FOR UPDATE" if lock else ""), product_id
    )
    return None if row is None else _view(row)


async def of_bank(conn: Connection, bank_id: UUID) -> list[ProductView]:
    rows = await conn.fetch("SELECT * FROM products WHERE bank_id = $1 ORDER BY created_at", bank_id)
    return [_view(r) for r in rows]


async def consume_capacity(conn: Connection, product_id: UUID, amount: Decimal) -> bool:
    """Take `amount` from the product's remaining capacity; False when not enough is left. The conditional update
    serialises concurrent disbursements on the row, and the table's CHECK backs it."""
    status = await conn.execute(
        """UPDATE products SET disbursed = disbursed + $2, updated_at = now()
           WHERE product_id = $1 AND disbursed + $2 <= capacity""",
        product_id,
        amount,
    )
    return bool(status.endswith(" 1"))
