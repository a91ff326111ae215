"""After an officer accepts, the bank has until the decision deadline for a credit decision: a match with none by
then is released, counted as a breach and the need offered to another bank."""

from __future__ import annotations

from contracts import banks as bank_ev
from contracts import matcher as ev

from .conftest import MatcherWorld
from .test_rerouting import first_proposal_to_the_lead

SLA_SECONDS = 3600  # the officer answers in time
DECISION_SECONDS = 2  # but the bank then decides nothing


async def test_an_accepted_match_with_no_decision_in_time_is_released_and_rerouted(matcher: MatcherWorld) -> None:
    lead, coop, need, first = await first_proposal_to_the_lead(matcher)
    assert first.decide_within_seconds == DECISION_SECONDS
    accepted = bank_ev.MatchAccepted(
        producer="banks",
        match_id=first.match_id,
        need_id=first.need_id,
        bank_id=first.bank_id,
        officer_id=first.officer_id,
    )
    await matcher.publish(accepted)
    await matcher.wait_for(
        "SELECT count(*) FROM proposals WHERE match_id = $1 AND status = 'accepted'", 1, first.match_id
    )
    assert await matcher.pool.fetchval("SELECT reserved FROM products WHERE product_id = $1", first.product_id) > 0

    await matcher.wait_for(
        "SELECT count(*) FROM outbox WHERE key = $1 AND event_type = 'matcher.MatchDecisionOverdue'",
        1,
        str(need.need_id).encode(),
    )
    events = await matcher.published(need.need_id)
    assert [e.type for e in events] == [
        "matcher.MatchProposed",
        "matcher.MatchDecisionOverdue",
        "matcher.MatchProposed",
    ]
    overdue, second = events[1], events[2]
    assert isinstance(overdue, ev.MatchDecisionOverdue)
    assert isinstance(second, ev.MatchProposed)
    assert overdue.match_id == first.match_id
    assert (overdue.decide_by - overdue.accepted_at).total_seconds() == DECISION_SECONDS
    assert second.bank_id == coop.bank_id
    assert second.attempt == 2
    assert second.causation_id == overdue.event_id
    status = await matcher.pool.fetchval("SELECT status FROM proposals WHERE match_id = $1", first.match_id)
    assert status == "lapsed"
    # The lead bank's line, chain usage and officer are free again; only the new proposal holds anything.
    assert await matcher.pool.fetchval("SELECT sum(reserved) FROM products WHERE bank_id = $1", lead.bank_id) == 0
    assert await matcher.pool.fetchval("SELECT reserved FROM chain_lines WHERE bank_id = $1", lead.bank_id) == 0
    assert await matcher.pool.fetchval("SELECT open_matches FROM officers WHERE officer_id = $1", first.officer_id) == 0
