"""A need no line can take now, but whose line is held by an open proposal, waits for it to free before it is
escalated: placed without an escalation when the proposal is declined in time, escalated (and listed on the desk)
once its wait is over when nothing frees."""

from __future__ import annotations

import asyncio

from contracts import matcher as ev

from .conftest import MatcherWorld, need_event
from .test_decision_record import explain_all
from .test_routing import declined

SLA_SECONDS = 86400
WAIT_SECONDS = 4


async def test_a_need_waits_for_a_held_line_and_takes_it_when_it_frees(matcher: MatcherWorld) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    first, second = need_event(), need_event()
    await matcher.publish(first)
    await matcher.wait_for("SELECT count(*) FROM proposals", 1)
    await matcher.publish(second)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status = 'waiting'", 1)
    assert await matcher.routed(second.need_id) == []  # nothing said yet: no escalation while it waits

    (proposal,) = await matcher.routed(first.need_id)
    assert isinstance(proposal, ev.MatchProposed)
    await matcher.publish(declined(proposal, "insufficient_information"))  # the line frees
    await matcher.wait_for("SELECT count(*) FROM proposals WHERE need_id = $1", 1, second.need_id, within_s=10)
    kinds = [e.type for e in await matcher.routed(second.need_id)]
    assert kinds == ["matcher.MatchProposed"]
    taken = await matcher.pool.fetchrow("SELECT product_id, attempt FROM proposals WHERE need_id = $1", second.need_id)
    assert taken["product_id"] == lead.products[0]
    async with matcher.pool.acquire() as conn:
        explained = await explain_all(conn)
    assert {d["kind"] for d in explained} >= {"first", "waited"}
    assert all(d["reproduces"] for d in explained)


async def test_a_need_whose_line_does_not_free_is_escalated_when_its_wait_is_over(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    first, second = need_event(), need_event()
    await matcher.publish(first)
    await matcher.wait_for("SELECT count(*) FROM proposals", 1)
    await matcher.publish(second)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status = 'waiting'", 1)
    await asyncio.sleep(WAIT_SECONDS / 2)
    assert await matcher.pool.fetchval("SELECT status FROM needs WHERE need_id = $1", second.need_id) == "waiting"
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status = 'escalated'", 1, within_s=WAIT_SECONDS + 5)
    kinds = [e.type for e in await matcher.published(second.need_id)]
    assert kinds == ["matcher.NeedEscalated", "matcher.NeedListed"]


async def test_a_need_that_no_line_could_ever_take_is_escalated_at_once(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    too_big = need_event(amount="5000000")  # above the product's maximum: no reservation will change that
    await matcher.publish(too_big)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status = 'escalated'", 1, within_s=2)
