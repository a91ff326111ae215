"""Re-routing that means it: an officer who passed a need on never gets it back; a bank that declined for a reason of
its own, or let the deadline pass, is not asked again; an escalated need the SME amends is routed at once."""

from __future__ import annotations

from decimal import Decimal

from contracts import firms as firm_ev
from contracts import matcher as ev

from .conftest import Bank, MatcherWorld, need_event
from .test_routing import declined, proposals_of


async def first_proposal_to_the_lead(
    matcher: MatcherWorld,
) -> tuple[Bank, Bank, firm_ev.NeedSubmitted, ev.MatchProposed]:
    """A lead bank with two products and two officers, a cooperating bank, and a need's first proposal (the lead's)."""
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", products=2, officers=2)
    coop = await matcher.add_bank("coop", "工商银行东莞分行", "cooperating")
    need = need_event()
    await matcher.publish(need)
    [first] = await proposals_of(matcher, need.need_id, 1)
    assert first.bank_id == lead.bank_id
    assert isinstance(first, ev.MatchProposed)
    return lead, coop, need, first


async def test_a_decline_for_missing_information_goes_to_another_officer_of_the_same_bank(
    matcher: MatcherWorld,
) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", products=2, officers=2)
    await matcher.add_bank("coop", "工商银行东莞分行", "cooperating")
    need = need_event()
    await matcher.publish(need)
    [first] = await proposals_of(matcher, need.need_id, 1)
    assert first.bank_id == lead.bank_id
    await matcher.publish(declined(first, "insufficient_information"))
    _, second = await proposals_of(matcher, need.need_id, 2)
    assert isinstance(second, ev.MatchProposed)
    assert second.bank_id == lead.bank_id  # the reason is not the bank's: its other officer may take it
    assert second.officer_id != first.officer_id
    assert second.product_id != first.product_id


async def test_a_decline_for_a_reason_of_the_bank_goes_to_another_bank(matcher: MatcherWorld) -> None:
    lead, coop, need, first = await first_proposal_to_the_lead(matcher)
    await matcher.publish(declined(first, "capacity_exhausted"))
    _, second = await proposals_of(matcher, need.need_id, 2)
    assert (second.bank_id, second.attempt) == (coop.bank_id, 2)
    skipped = await matcher.pool.fetchval("SELECT skip_banks FROM needs WHERE need_id = $1", need.need_id)
    assert skipped == [lead.bank_id]


async def test_a_missed_deadline_goes_to_another_bank(matcher: MatcherWorld) -> None:
    lead, coop, need, _first = await first_proposal_to_the_lead(matcher)
    # Nobody answers within the 2-second deadline of this suite.
    _, second = await proposals_of(matcher, need.need_id, 2)
    assert second.bank_id == coop.bank_id  # not the lead bank's other officer or product
    kinds = [e.type for e in await matcher.published(need.need_id)]
    assert kinds == ["matcher.MatchProposed", "matcher.MatchExpired", "matcher.MatchProposed"]
    assert await matcher.pool.fetchval("SELECT sum(reserved) FROM products WHERE bank_id = $1", lead.bank_id) == 0


async def test_an_escalated_need_amended_by_its_sme_is_routed_at_once(matcher: MatcherWorld) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    need = need_event(amount="9000000")  # above the product's 300万 maximum
    await matcher.publish(need)
    [escalated] = await proposals_of(matcher, need.need_id, 1)
    assert isinstance(escalated, ev.NeedEscalated)
    assert [r.code for r in escalated.reasons] == ["amount_above_max"]
    amended = firm_ev.NeedAmended(
        producer="firms",
        need_id=need.need_id,
        firm_id=need.firm_id,
        terms=need.terms.model_copy(update={"amount": Decimal("2500000")}),
    )
    await matcher.publish(amended)  # the retry wait of this suite is an hour: only the amendment can route it
    _, proposed = await proposals_of(matcher, need.need_id, 2)
    assert isinstance(proposed, ev.MatchProposed)
    assert (proposed.bank_id, proposed.reserved_amount) == (lead.bank_id, Decimal("2500000"))
    assert proposed.causation_id == amended.event_id
    kinds = await matcher.pool.fetch("SELECT kind FROM decisions WHERE need_id = $1 ORDER BY decided_at", need.need_id)
    assert [r["kind"] for r in kinds] == ["first", "amended"]
