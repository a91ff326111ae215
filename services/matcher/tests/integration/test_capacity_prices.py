"""Capacity prices in the running matcher: learned from the window's demand into `line_prices`, read with the offers,
used by both the batch and the one-need path, and recorded with each decision so it replays."""

from __future__ import annotations

import json

from matcher import matching
from matcher.settings import MatcherSettings

from .conftest import MatcherWorld, need_event
from .test_decision_record import explain_all


async def a_month_of_demand(matcher: MatcherWorld) -> None:
    """40 needs only the lead bank may serve and 40 any bank may, received over the last weeks (already handled)."""
    for i in range(80):
        e = need_event(consent_scope="lead_bank_only" if i % 2 else "any_eligible_bank")
        await matcher.pool.execute(
            """INSERT INTO needs (need_id, firm_id, chain, terms, firm, position, first_loan, status, received_at)
               VALUES ($1, $2, $3, $4, $5, $6, false, 'closed', now() - make_interval(days => $7))""",
            e.need_id,
            e.firm_id,
            e.chain,
            json.loads(e.terms.model_dump_json()),
            json.loads(e.firm.model_dump_json()),
            json.loads(e.position.model_dump_json()),
            i % 25,
        )


async def test_learned_prices_keep_the_lead_line_for_the_needs_only_it_can_serve(matcher: MatcherWorld) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="60000000")
    other = await matcher.add_bank("other", "招商银行东莞分行", None, capacity="900000000")

    before = need_event(consent_scope="any_eligible_bank")
    await matcher.publish(before)
    await matcher.wait_for("SELECT count(*) FROM proposals", 1)
    assert await matcher.pool.fetchval("SELECT bank_id FROM proposals") == lead.bank_id  # unpriced: lead bank first

    await a_month_of_demand(matcher)
    async with matcher.pool.acquire() as conn, conn.transaction():
        priced = await matching.refresh_prices(conn, MatcherSettings())
    # The sample spans 24 days (its oldest need): 24/365 of the lead line (≈ 3.9M) against 40M of needs only it may
    # serve: priced. The other line (≈ 59M for those days) holds every other need: free.
    prices = dict(await matcher.pool.fetch("SELECT product_id, price FROM line_prices"))
    assert priced == 1
    assert prices[lead.products[0]] > 0
    assert other.products[0] not in prices

    flexible, lead_only = need_event(consent_scope="any_eligible_bank"), need_event(consent_scope="lead_bank_only")
    await matcher.publish(flexible, lead_only)
    await matcher.wait_for("SELECT count(*) FROM proposals", 3)
    placed = dict(await matcher.pool.fetch("SELECT need_id, bank_id FROM proposals"))
    assert placed[flexible.need_id] == other.bank_id  # it could go elsewhere: the lead line is kept
    assert placed[lead_only.need_id] == lead.bank_id

    record = await matcher.pool.fetchval("SELECT inputs FROM decisions WHERE need_id = $1", flexible.need_id)
    assert record["prices"] == {str(lead.products[0]): prices[lead.products[0]]}
    async with matcher.pool.acquire() as conn:
        explained = await explain_all(conn)
    assert len(explained) == 3
    assert all(d["reproduces"] for d in explained)
