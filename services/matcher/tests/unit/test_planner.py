"""The optimal planner: the same rules and capacities as the streaming matcher, a better total where arrival order
misleads the streaming matcher, and never a violation."""

from __future__ import annotations

import dataclasses
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


def test_the_planner_counts_fen_not_whole_yuan() -> None:
    line = offer(terms={"capacity": Decimal("100.00"), "amount_min": Decimal("1"), "amount_max": Decimal("100")})
    needs = [need(terms={"amount": Decimal("50.90")}), need(terms={"amount": Decimal("49.90")})]
    best = plan(needs, [line], roles(), officers(LEAD), DAY)
    assert len(best.assignment) == 1  # 100.80 does not fit a line of 100.00


def test_the_planner_gives_each_need_an_officer_with_room_who_covers_it() -> None:
    wide = offer(bank=LEAD, terms={"capacity": Decimal("100000000")})
    needs = [need() for _ in range(5)]
    crew = officers(LEAD, max_open_matches=2)  # one officer, room for two
    best = plan(needs, [wide], roles(), crew, DAY)
    assert len(best.assignment) == 2
    assert set(best.officers) == set(best.assignment)
    assert set(best.officers.values()) == {crew[LEAD][0].officer_id}
    elsewhere = officers(LEAD, towns=("humen",))  # covers another town only
    assert plan(needs, [wide], roles(), elsewhere, DAY).assignment == {}


def test_the_planner_keeps_a_bank_within_its_whole_chain_line() -> None:
    products = [
        dataclasses.replace(offer(bank=LEAD, terms={"capacity": Decimal("10000000")}), chain_free=Decimal("3000000"))
        for _ in range(2)
    ]
    needs = [need(terms={"amount": Decimal("1000000")}) for _ in range(6)]
    best = plan(needs, products, roles(), officers(LEAD), DAY)
    assert len(best.assignment) == 3  # two lines of 10M, but 3M left of the bank's line for the chain
