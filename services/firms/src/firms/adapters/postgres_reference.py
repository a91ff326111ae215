"""Reference data in PostgreSQL: towns, chains, chain masters."""

from __future__ import annotations

from uuid import UUID

from firms.views import ChainMasterView, ChainView, TownView
from lianrong_platform.db import Connection


async def towns(conn: Connection) -> list[TownView]:
    rows = await conn.fetch("SELECT code, name_zh, kind FROM towns ORDER BY kind, code")
    return [TownView(**dict(r)) for r in rows]


async def chains(conn: Connection) -> list[ChainView]:
    rows = await conn.fetch("SELECT code, name_zh, name_en FROM chains ORDER BY code")
    return [ChainView(**dict(r)) for r in rows]


async def town_exists(conn: Connection, code: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM towns WHERE code = $1", code))


async def unknown_chains(conn: Connection, codes: list[str]) -> list[str]:
    known = {r["code"] for r in await conn.fetch("SELECT code FROM chains WHERE code = ANY($1::text[])", codes)}
    return [c for c in codes if c not in known]


async def add_chain(conn: Connection, code: str, name_zh: str, name_en: str) -> bool:
    status = await conn.execute(
        "INSERT INTO chains (code, name_zh, name_en) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", code, name_zh, name_en
    )
    return bool(status.endswith(" 1"))


async def chain_masters(conn: Connection) -> list[ChainMasterView]:
    rows = await conn.fetch(
        """SELECT f.firm_id, f.legal_name, array_agg(m.chain ORDER BY m.chain) AS chains
           FROM chain_masters m JOIN firms f USING (firm_id) GROUP BY f.firm_id, f.legal_name ORDER BY f.legal_name"""
    )
    return [ChainMasterView(firm_id=r["firm_id"], legal_name=r["legal_name"], chains=list(r["chains"])) for r in rows]


async def chains_mastered_by(conn: Connection, firm_id: UUID) -> list[str]:
    return [r["chain"] for r in await conn.fetch("SELECT chain FROM chain_masters WHERE firm_id = $1", firm_id)]


async def designate_chain_master(conn: Connection, firm_id: UUID, chains: list[str]) -> None:
    await conn.executemany(
        "INSERT INTO chain_masters (firm_id, chain) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(firm_id, c) for c in chains],
    )
