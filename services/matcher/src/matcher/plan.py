"""`python -m matcher plan`: the optimal planner over the live read model — every open or escalated need against
every offer, under the same rules and capacities — printed as a dry run next to what the streaming matcher did.

It changes nothing: it is the yardstick, and what an operator reads before a periodic re-plan.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg

from contracts.firms import ChainPosition, FirmFacts, NeedTerms
from lianrong_platform.db import create_pool
from lianrong_platform.settings import ServiceSettings
from matcher.adapters import postgres_market as market
from matcher.domain.market import NeedCase, OfferIndex
from matcher.domain.planner import plan
from matcher.domain.sla import CHINA


async def _plan(dsn: str, seconds: float) -> str:
    pool: asyncpg.Pool = await create_pool(dsn, max_size=2)
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT * FROM needs WHERE status IN ('open', 'escalated') ORDER BY received_at")
            needs = [
                NeedCase(
                    need_id=r["need_id"],
                    firm_id=r["firm_id"],
                    chain=r["chain"],
                    terms=NeedTerms.model_validate(r["terms"]),
                    firm=FirmFacts.model_validate(r["firm"]),
                    position=ChainPosition.model_validate(r["position"]),
                )
                for r in rows
            ]
            offers = [o for o in await market.all_offers(conn) if not o.withdrawn]
            roles = await market.all_roles(conn)
            officers = await market.officers_of(conn, sorted({o.bank_id for o in offers}))
    finally:
        await pool.close()
    day = datetime.now(UTC).astimezone(CHINA).date()
    index = OfferIndex(offers)
    result = plan(
        needs, offers, roles, officers, day, candidates=lambda n: index.candidates(n, roles, day), time_limit_s=seconds
    )
    lines = [
        f"{len(needs)} open or escalated needs, {len(offers)} offers, {result.pairs} eligible pairs",
        f"plan: {len(result.assignment)} needs placed, value {result.objective:.2f} "
        f"({'optimal' if result.optimal else f'bound {result.bound:.2f}'})",
    ]
    by_id = {o.product_id: o for o in offers}
    for need_id, product_id in result.assignment.items():
        lines.append(f"  {need_id} → {by_id[product_id].bank_name} / {by_id[product_id].terms.name}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    seconds = float(argv[0]) if argv else 30.0
    print(asyncio.run(_plan(ServiceSettings.load("matcher").database_url, seconds)))
