"""Escalation is not the end: an escalated need is proposed again once a line frees up, and a need that still finds
nobody waits quietly (one escalation event, not one per attempt)."""

from __future__ import annotations

import asyncio

from contracts import firms as firm_ev
from contracts import matcher as ev

from .conftest import NOT_DESK, MatcherWorld, need_event

SLA_SECONDS = 3600  # officers do not run out of time here: only capacity decides
RETRY_SECONDS = 1


async def events_for(matcher: MatcherWorld, need, count: int) -> list:
    await matcher.wait_for(
        f"SELECT count(*) FROM outbox WHERE key = $1 AND {NOT_DESK}", count, str(need.need_id).encode()
    )
    return await matcher.routed(need.need_id)


async def test_an_escalated_need_is_proposed_once_the_line_it_needs_frees_up(matcher: MatcherWorld) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    first, second = need_event(), need_event()
    await matcher.publish(first)
    [holding] = await events_for(matcher, first, 1)
    assert isinstance(holding, ev.MatchProposed)
    await matcher.publish(second)  # the line is held by the first need
    [escalated] = await events_for(matcher, second, 1)
    assert isinstance(escalated, ev.NeedEscalated)

    await asyncio.sleep(3 * RETRY_SECONDS)  # retries while the line is still held publish nothing
    assert len(await matcher.routed(second.need_id)) == 1

    await matcher.publish(firm_ev.NeedWithdrawn(producer="firms", need_id=first.need_id, firm_id=first.firm_id))
    _, proposed = await events_for(matcher, second, 2)
    assert isinstance(proposed, ev.MatchProposed)
    assert (proposed.bank_id, proposed.attempt, proposed.reserved_amount) == (lead.bank_id, 1, second.terms.amount)
    assert await matcher.pool.fetchval("SELECT status FROM needs WHERE need_id = $1", second.need_id) == "proposed"
    reserved = await matcher.pool.fetchval("SELECT reserved FROM products WHERE product_id = $1", lead.products[0])
    assert reserved == second.terms.amount  # the withdrawn need's reservation went back, the second need's came in


async def test_a_need_nobody_can_ever_serve_is_escalated_once_and_keeps_waiting(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    need = need_event(amount="9000000")  # above every product's range
    await matcher.publish(need)
    [escalated] = await events_for(matcher, need, 1)
    assert isinstance(escalated, ev.NeedEscalated)
    first_wait = await matcher.pool.fetchval("SELECT next_retry_at FROM needs WHERE need_id = $1", need.need_id)
    await asyncio.sleep(4 * RETRY_SECONDS)
    later_wait = await matcher.pool.fetchval("SELECT next_retry_at FROM needs WHERE need_id = $1", need.need_id)
    assert later_wait > first_wait  # it was tried again
    assert len(await matcher.routed(need.need_id)) == 1  # and said nothing new
    assert await matcher.pool.fetchval("SELECT status FROM needs WHERE need_id = $1", need.need_id) == "escalated"
