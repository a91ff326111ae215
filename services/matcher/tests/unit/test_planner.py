"""The optimal planner: the same rules and capacities as the streaming matcher, a better total where arrival order
misleads the streaming matcher, and never a violation."""

from __future__ import annotations

from decimal import Decimal

from matcher.domain.planner import plan
from matcher.domain.quality import total_value, violations
from matcher.domain.streaming import stream

from .cases import DAY, LEAD, OTHER, need, offer, officers, roles


def test_the_planner_matches_what_arrival_order_loses() -> None:
    lead = offer(bank=LEAD, terms={"capacity": Decimal("10000000"), "amount_max": Decimal("9000000")})
    small = offer(bank=OTHER, terms={"capacity": Decimal("4000000"), "amount_max": Decimal("4000000")})
    first, second = need(terms={"amount": Decimal("4000000")}), need(terms={"amount": Decimal("8000000")})
    needs, offers, crew = [first, second], [lead, small], officers(LEAD, OTHER)

    streamed = stream(needs, offers, roles(), crew, DAY)
    assert streamed == {first.need_id: lead.product_id}  # lead first: the 8M need finds no room left

    best = plan(needs, offers, roles(), crew, DAY)
    assert best.optimal
    assert best.assignment == {first.need_id: small.product_id, second.need_id: lead.product_id}
    by_need = {n.need_id: n for n in needs}
    by_offer = {o.product_id: o for o in offers}
    assert total_value(best.assignment, by_need, by_offer, roles(), DAY) > total_value(
        streamed, by_need, by_offer, roles(), DAY
    )
    assert best.objective == round(total_value(best.assignment, by_need, by_offer, roles(), DAY), 4)
    assert violations(best.assignment, by_need, offers, roles(), DAY) == []
    assert violations(streamed, by_need, offers, roles(), DAY) == []


def test_the_planner_respects_hard_rules_and_capacity() -> None:
    tight = offer(bank=LEAD, terms={"capacity": Decimal("3000000")})
    needs = [need(terms={"amount": Decimal("2000000")}) for _ in range(3)]
    wrong_chain = offer(bank=OTHER, terms={"chains": ("new_energy",)})
    best = plan(needs, [tight, wrong_chain], roles(), officers(LEAD, OTHER), DAY)
    assert list(best.assignment.values()) == [tight.product_id]  # one 2M need fits in a 3M line


def test_violations_are_found() -> None:
    small = offer(terms={"capacity": Decimal("1000000"), "amount_max": Decimal("1000000")})
    big = need(terms={"amount": Decimal("2000000")})
    problems = violations({big.need_id: small.product_id}, {big.need_id: big}, [small], roles(), DAY)
    assert any("amount_range" in p for p in problems)
    assert any("beyond its free capacity" in p for p in problems)
