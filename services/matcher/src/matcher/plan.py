"""`python -m matcher plan [seconds] [--apply]`: the optimal planner over the live read model — every open or
escalated need against every offer, under the same rules, lines, whole-chain lines and officers' room as streaming.

Without `--apply` it changes nothing: the yardstick, and what an operator reads before a re-plan. With `--apply` each
planned placement is made as streaming makes one — the need locked, decided again with that product as its only
candidate under every rule and its skip lists, the line, chain line and officer reserved by the guarded statement,
the proposal, decision record (kind `plan`) and MatchProposed written in one transaction per need. A placement whose
line or officer was taken since the plan was solved is left as it was, and counted.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from contracts import matcher as ev
from lianrong_platform.db import create_pool
from lianrong_platform.settings import ServiceSettings
from matcher.adapters import postgres_market as market
from matcher.adapters.postgres_needs import case_of
from matcher.domain.market import OfferIndex
from matcher.domain.planner import plan
from matcher.domain.sla import CHINA
from matcher.matching import route_need
from matcher.settings import MatcherSettings


async def _plan(dsn: str, seconds: float, apply: bool = False) -> str:
    pool: asyncpg.Pool = await create_pool(dsn, max_size=2)
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT * FROM needs WHERE status IN ('open', 'escalated') ORDER BY received_at")
            needs = [case_of(r) for r in rows]
            offers = [o for o in await market.all_offers(conn) if not o.withdrawn]
            roles = await market.all_roles(conn)
            officers = await market.officers_of(conn, sorted({o.bank_id for o in offers}))
        day = datetime.now(UTC).astimezone(CHINA).date()
        index = OfferIndex(offers)
        result = plan(
            needs,
            offers,
            roles,
            officers,
            day,
            candidates=lambda n: index.candidates(n, roles, day),
            time_limit_s=seconds,
        )
        applied = await _apply(pool, result.assignment) if apply else None
    finally:
        await pool.close()
    lines = [
        f"{len(needs)} open or escalated needs, {len(offers)} offers, {result.pairs} eligible pairs",
        f"plan: {len(result.assignment)} needs placed, value {result.objective:.2f} "
        f"({'optimal' if result.optimal else f'bound {result.bound:.2f}'})",
    ]
    by_id = {o.product_id: o for o in offers}
    for need_id, product_id in result.assignment.items():
        lines.append(f"  {need_id} → {by_id[product_id].bank_name} / {by_id[product_id].terms.name}")
    if applied is not None:
        lines.append(f"applied: {applied[0]} proposed, {applied[1]} left as they were (taken since the plan)")
    return "\n".join(lines)


async def _apply(pool: asyncpg.Pool, assignment: dict[UUID, UUID]) -> tuple[int, int]:
    settings = MatcherSettings()
    proposed = left = 0
    for need_id, product_id in assignment.items():
        async with pool.acquire() as conn, conn.transaction():
            made = await route_need(conn, need_id, settings, kind="plan", only_product=product_id)
        if isinstance(made, ev.MatchProposed):
            proposed += 1
        else:
            left += 1
    return proposed, left


def main(argv: list[str]) -> None:
    apply = "--apply" in argv
    numbers = [a for a in argv if a != "--apply"]
    seconds = float(numbers[0]) if numbers else 30.0
    print(asyncio.run(_plan(ServiceSettings.load("matcher").database_url, seconds, apply)))
