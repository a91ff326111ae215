"""The matcher against the real Kafka and PostgreSQL: lead bank first, re-routing on decline and on a missed
deadline, escalation when nobody is left, and no second match for a replayed event."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from contracts import banks as bank_ev
from contracts import firms as firm_ev
from contracts import matcher as ev

from .conftest import NOT_DESK, MatcherWorld, need_event


async def proposals_of(matcher: MatcherWorld, need_id: uuid.UUID, count: int) -> list:
    await matcher.wait_for(
        f"SELECT count(*) FROM outbox WHERE key = $1 AND event_type <> 'matcher.MatchExpired' AND {NOT_DESK}",
        count,
        str(need_id).encode(),
    )
    return [e for e in await matcher.routed(need_id) if not isinstance(e, ev.MatchExpired)]


def declined(proposal: ev.MatchProposed, reason: str) -> bank_ev.MatchDeclined:
    """The officer's answer to a proposal, as the banks service publishes it."""
    return bank_ev.MatchDeclined(
        producer="banks",
        match_id=proposal.match_id,
        need_id=proposal.need_id,
        bank_id=proposal.bank_id,
        officer_id=proposal.officer_id,
        reason=reason,
    )


async def test_a_need_is_proposed_to_the_lead_banks_officer(matcher: MatcherWorld) -> None:
    await matcher.add_bank("coop", "工商银行东莞分行", "cooperating")
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    await matcher.add_bank("other", "招商银行东莞分行", None)
    need = need_event()
    await matcher.publish(need)
    [proposal] = await proposals_of(matcher, need.need_id, 1)
    assert isinstance(proposal, ev.MatchProposed)
    assert (proposal.bank_id, proposal.bank_role, proposal.attempt) == (lead.bank_id, "lead", 1)
    assert proposal.officer_id in lead.officers
    assert proposal.officer_name == "东莞农村商业银行服务官1"
    assert proposal.correlation_id == need.correlation_id
    assert proposal.causation_id == need.event_id
    assert proposal.excluded == ()  # the two other banks' products never travel to the chosen bank
    excluded = await matcher.exclusions(proposal.match_id)
    assert sorted(code for _, code, _ in excluded) == ["outranked_by_lead_bank"] * 2
    assert proposal.components[0].name == "lead_bank"
    reserved = await matcher.pool.fetchval("SELECT reserved FROM products WHERE product_id = $1", lead.products[0])
    assert reserved == Decimal("1000000.00")


async def test_a_decline_reroutes_to_the_next_candidate_and_frees_the_reservation(matcher: MatcherWorld) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    coop = await matcher.add_bank("coop", "工商银行东莞分行", "cooperating")
    need = need_event()
    await matcher.publish(need)
    [first] = await proposals_of(matcher, need.need_id, 1)
    await matcher.publish(declined(first, "outside_appetite"))
    _, second = await proposals_of(matcher, need.need_id, 2)
    assert (second.bank_id, second.bank_role, second.attempt) == (coop.bank_id, "cooperating", 2)
    assert all(e.bank_id == coop.bank_id for e in second.excluded)
    excluded = await matcher.exclusions(second.match_id)
    assert [code for p, code, _ in excluded if p == str(lead.products[0])] == ["already_tried"]
    assert await matcher.pool.fetchval("SELECT reserved FROM products WHERE product_id = $1", lead.products[0]) == 0
    assert await matcher.pool.fetchval("SELECT open_matches FROM officers WHERE officer_id = $1", first.officer_id) == 0


async def test_a_missed_deadline_expires_the_proposal_and_reroutes(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    coop = await matcher.add_bank("coop", "工商银行东莞分行", "cooperating")
    need = need_event()
    await matcher.publish(need)
    # Nobody answers: the 2-second deadline passes, the sweep expires and re-routes.
    await matcher.wait_for(
        "SELECT count(*) FROM outbox WHERE key = $1 AND event_type = 'matcher.MatchProposed'",
        2,
        str(need.need_id).encode(),
        within_s=20,
    )
    first, expired, second = (await matcher.published(need.need_id))[:3]
    assert isinstance(expired, ev.MatchExpired)
    assert expired.match_id == first.match_id
    assert isinstance(second, ev.MatchProposed)
    assert (second.bank_id, second.attempt) == (coop.bank_id, 2)
    assert second.causation_id == expired.event_id


async def test_when_no_candidate_is_left_the_need_is_escalated(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    need = need_event()
    await matcher.publish(need)
    [first] = await proposals_of(matcher, need.need_id, 1)
    await matcher.publish(declined(first, "capacity_exhausted"))
    _, escalated = await proposals_of(matcher, need.need_id, 2)
    assert isinstance(escalated, ev.NeedEscalated)
    assert escalated.attempts == 1
    assert [(r.code, r.products) for r in escalated.reasons] == [("already_tried", 1)]
    assert await matcher.pool.fetchval("SELECT status FROM needs WHERE need_id = $1", need.need_id) == "escalated"


async def test_a_need_nobody_can_serve_is_escalated_at_once(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    need = need_event(amount="9000000")  # above every product's range
    await matcher.publish(need)
    [escalated] = await proposals_of(matcher, need.need_id, 1)
    assert isinstance(escalated, ev.NeedEscalated)
    # What stopped it, as a code with the figure the SME can act on, and no bank named.
    assert escalated.reasons == (ev.Reason(code="amount_above_max", products=1, params={"max": "3000000.00"}),)
    # And it has an owner: its town's coordination desk (融资需求调度), in the same transaction.
    assert [e.type for e in await matcher.published(need.need_id)] == ["matcher.NeedEscalated", "matcher.NeedListed"]


async def test_replayed_events_create_no_second_match(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    need = need_event()
    twin = need.model_copy(update={"event_id": uuid.uuid4()})  # re-published with a new event id
    await matcher.publish(need, need, twin)
    await matcher.wait_for(
        "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", 2, [need.event_id, twin.event_id]
    )
    assert len(await matcher.published(need.need_id)) == 1
    assert await matcher.pool.fetchval("SELECT count(*) FROM proposals WHERE need_id = $1", need.need_id) == 1


async def test_disbursement_consumes_capacity_and_withdrawal_releases_it(matcher: MatcherWorld) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    paid, dropped = need_event(), need_event(amount="500000")
    await matcher.publish(paid, dropped)
    [p] = await proposals_of(matcher, paid.need_id, 1)
    await proposals_of(matcher, dropped.need_id, 1)
    ids = {
        "producer": "banks",
        "match_id": p.match_id,
        "need_id": paid.need_id,
        "bank_id": p.bank_id,
        "officer_id": p.officer_id,
    }
    await matcher.publish(
        bank_ev.MatchAccepted(**ids),
        bank_ev.LoanApproved(
            **ids, product_id=p.product_id, amount=Decimal("800000"), annual_rate=Decimal("0.04"), term_months=12
        ),
        bank_ev.LoanDisbursed(
            **ids, product_id=p.product_id, amount=Decimal("800000"), disbursed_on=date(2026, 11, 22), unsecured=True
        ),
        firm_ev.NeedWithdrawn(producer="firms", need_id=dropped.need_id, firm_id=dropped.firm_id),
    )
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status IN ('disbursed', 'withdrawn')", 2)
    row = await matcher.pool.fetchrow(
        "SELECT reserved, disbursed FROM products WHERE product_id = $1", lead.products[0]
    )
    assert (row["reserved"], row["disbursed"]) == (Decimal("0.00"), Decimal("800000.00"))
    assert await matcher.pool.fetchval("SELECT sum(open_matches) FROM officers") == 0


async def test_the_plan_command_reads_the_live_read_model(matcher: MatcherWorld) -> None:
    from matcher.plan import _plan

    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="2000000")
    big, small = need_event(amount="2500000"), need_event(amount="900000")
    await matcher.publish(big, small)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status IN ('escalated', 'proposed')", 2)
    report = await _plan(matcher.dsn, 5)
    # The 2.5M need is above the product's 2M line; the 0.9M one is proposed, so not open.
    assert report.splitlines()[0] == "1 open or escalated needs, 1 offers, 0 eligible pairs"
    assert "0 needs placed" in report
