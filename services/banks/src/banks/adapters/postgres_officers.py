"""Officers (制造业金融服务官) in PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from banks.views import OfficerView
from contracts.banks import OfficerProfile
from lianrong_platform.db import Connection

_SELECT = """SELECT o.*, (SELECT count(*) FROM matches m WHERE m.officer_id = o.officer_id
                        AND m.status IN ('proposed', 'accepted', 'approved')) AS open_matches
             FROM officers o"""


def _view(row: Any) -> OfficerView:
    return OfficerView(
        officer_id=row["officer_id"], bank_id=row["bank_id"], profile=row["profile"], open_matches=row["open_matches"]
    )


async def insert(conn: Connection, officer_id: UUID, bank_id: UUID, profile: OfficerProfile) -> None:
    await conn.execute(
        "INSERT INTO officers (officer_id, bank_id, profile) VALUES ($1, $2, $3)",
        officer_id,
        bank_id,
        profile.model_dump(mode="json"),
    )


async def update(conn: Connection, officer_id: UUID, profile: OfficerProfile) -> None:
    await conn.execute(
        "UPDATE officers SET profile = $2, updated_at = now() WHERE officer_id = $1",
        officer_id,
        profile.model_dump(mode="json"),
    )


async def officer(conn: Connection, officer_id: UUID) -> OfficerView | None:
    row = await conn.fetchrow(_SELECT + " WHERE o.officer_id = $1", officer_id)
    return None if row is None else _view(row)


async def of_bank(conn: Connection, bank_id: UUID) -> list[OfficerView]:
    return [_view(r) for r in await conn.fetch(_SELECT + " WHERE o.bank_id = $1 ORDER BY o.created_at", bank_id)]
