"""Eligibility, scoring and routing on hand-built cases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.values import BankRole
from matcher.domain.market import ChainRoles, OfferIndex
from matcher.domain.record import Skips, inputs_of, outcome_of, replay
from matcher.domain.routing import decide
from matcher.domain.score import pacing
from matcher.domain.sla import deadline

from .cases import COOP, DAY, HONOUR, LEAD, OTHER, need, offer, officers, roles

# (rule, a need and an offer that break exactly that rule)
BROKEN = [
    ("product_active", need(), offer(withdrawn=True)),
    ("product_active", need(), offer(terms={"active_from": date(2027, 1, 1)})),
    ("product_type", need(), offer(terms={"product_type": "credit_loan"})),
    ("chain", need(), offer(terms={"chains": ("new_energy",)})),
    ("consent", need(terms={"consent_until": date(2026, 11, 1)}), offer()),
    ("consent", need(terms={"consent_scope": "lead_bank_only"}), offer(bank=COOP)),
    ("consent", need(terms={"consent_scope": "chain_banks"}), offer(bank=OTHER)),
    ("amount_range", need(terms={"amount": Decimal("5000000")}), offer()),
    ("amount_range", need(terms={"amount": Decimal("50000")}), offer()),
    ("term_range", need(terms={"term_months": 36}), offer()),
    ("size_class", need(firm={"size_class": "medium", "employees": 400}), offer(terms={"size_classes": ("small",)})),
    ("town", need(), offer(terms={"towns": ("songshan_lake",)})),
    ("rate_ceiling", need(terms={"max_annual_rate": Decimal("0.03")}), offer()),
    ("honours", need(), offer(terms={"honours_required": ("little_giant",)})),
    (
        "chain_master_confirmation",
        need(position={"link_confirmed": False}),
        offer(terms={"requires_link_confirmation": True}),
    ),
    ("chain_master_confirmation", need(), offer(terms={"requires_receivable_confirmation": True})),
    ("collateral", need(), offer(terms={"collateral_accepted": ("real_estate",)})),
    ("capacity", need(), offer(reserved=Decimal("49500000"))),
]


@pytest.mark.parametrize(
    ("rule", "the_need", "the_offer"), BROKEN, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BROKEN)]
)
def test_each_hard_rule_excludes(rule, the_need, the_offer) -> None:
    decision = decide(the_need, [the_offer], roles(), officers(LEAD, COOP, OTHER), DAY)
    assert decision.choice is None
    assert [(e.product_id, e.rule) for e in decision.excluded] == [(the_offer.product_id, rule)]
    assert decision.excluded[0].detail


def test_an_eligible_offer_is_chosen_with_an_officer_and_explained() -> None:
    decision = decide(need(), [offer()], roles(), officers(LEAD), DAY)
    assert decision.choice is not None
    names = [c.name for c in decision.choice.components]
    assert names[:2] == ["lead_bank", "chain_confirmation"]
    assert all(c.explanation for c in decision.choice.components)
    assert decision.choice.score == pytest.approx(sum(c.weight * c.value for c in decision.choice.components), abs=1e-3)


def test_the_lead_bank_wins_ties() -> None:
    lead, coop = offer(bank=LEAD), offer(bank=COOP)
    for order in ([lead, coop], [coop, lead]):
        decision = decide(need(), order, roles(), officers(LEAD, COOP), DAY)
        assert decision.choice is not None
        assert decision.choice.offer is lead
        assert decision.choice.role is BankRole.LEAD


def test_the_lead_bank_comes_first_even_when_another_scores_higher() -> None:
    lead = offer(bank=LEAD, reserved=Decimal("40000000"))  # a busy line: low pacing score
    other = offer(bank=OTHER, terms={"honours_favoured": ("specialised",)})
    decision = decide(need(firm={"honours": (HONOUR,)}), [other, lead], roles(), officers(LEAD, OTHER), DAY)
    assert decision.choice is not None
    assert decision.choice.offer is lead
    [outranked] = decision.excluded
    assert (outranked.product_id, outranked.rule) == (other.product_id, "outranked")
    assert "lead bank first" in outranked.detail


def test_the_explanation_lists_each_excluded_candidates_rule() -> None:
    chosen = offer()
    too_small = offer(bank=COOP, terms={"amount_max": Decimal("500000")})
    withdrawn = offer(bank=OTHER, withdrawn=True)
    decision = decide(need(), [too_small, chosen, withdrawn], roles(), officers(LEAD, COOP, OTHER), DAY)
    assert decision.choice is not None
    assert decision.choice.offer is chosen
    assert {(e.product_id, e.rule) for e in decision.excluded} == {
        (too_small.product_id, "amount_range"),
        (withdrawn.product_id, "product_active"),
    }


def test_without_an_officer_who_covers_the_need_there_is_no_match() -> None:
    for crew in (
        officers(LEAD, available=False),
        officers(LEAD, chains=("new_energy",)),
        officers(LEAD, towns=("humen",)),
        {LEAD: []},
    ):
        decision = decide(need(), [offer()], roles(), crew, DAY)
        assert decision.choice is None
        assert decision.excluded[0].rule == "no_officer"


def test_the_least_loaded_officer_gets_the_match() -> None:
    from contracts.banks import OfficerProfile
    from matcher.domain.market import OfficerSlot

    profile = OfficerProfile(name="x", chains=("smart_terminal",), max_open_matches=10)
    busy, free, full = (OfficerSlot(uuid.uuid4(), LEAD, profile, n) for n in (7, 2, 10))
    decision = decide(need(), [offer()], roles(), {LEAD: [busy, full, free]}, DAY)
    assert decision.choice is not None
    assert decision.choice.officer is free


def test_already_tried_products_and_banks_are_skipped() -> None:
    first, second = offer(bank=LEAD), offer(bank=COOP)
    decision = decide(
        need(), [first, second], roles(), officers(LEAD, COOP), DAY, skip_products=frozenset({first.product_id})
    )
    assert decision.choice is not None
    assert decision.choice.offer is second
    decision = decide(need(), [first, second], roles(), officers(LEAD, COOP), DAY, skip_banks=frozenset({LEAD, COOP}))
    assert decision.choice is None
    assert {e.rule for e in decision.excluded} == {"already_tried"}


def test_capacity_pacing_keeps_lines_for_later_needs() -> None:
    assert pacing(0.0) == pytest.approx(1.0)
    assert pacing(1.0) == pytest.approx(0.0)
    values = [pacing(x / 10) for x in range(11)]
    assert values == sorted(values, reverse=True)
    fresh, busy = offer(bank=OTHER), offer(bank=OTHER, reserved=Decimal("30000000"))
    decision = decide(need(), [busy, fresh], ChainRoles(), officers(OTHER), DAY)
    assert decision.choice is not None
    assert decision.choice.offer is fresh


def test_the_index_returns_exactly_the_offers_a_naive_scan_would_accept() -> None:
    offers = [
        offer(terms={"chains": (c,), "product_type": t})
        for c in ("smart_terminal", "new_energy")
        for t in ("order_loan", "credit_loan")
    ]
    index = OfferIndex(offers)
    the_need = need(terms={"product_types": ("order_loan", "credit_loan")})
    indexed = decide(the_need, index.candidates(the_need), roles(), officers(LEAD), DAY)
    naive = decide(the_need, offers, roles(), officers(LEAD), DAY)
    assert indexed.choice is not None
    assert naive.choice is not None
    assert indexed.choice.offer.product_id == naive.choice.offer.product_id
    assert len(index.candidates(the_need)) == 2


def test_deadlines_count_working_hours_only() -> None:
    friday_4pm = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # 16:00 in Dongguan
    due = deadline(friday_4pm, 4 * 3600, working_hours=True)
    assert due.astimezone(UTC) == datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # Monday 11:30 in Dongguan
    assert deadline(friday_4pm, 60, working_hours=False) == friday_4pm + timedelta(seconds=60)


def test_a_record_keeps_the_officers_the_decision_sought_and_replays_from_them() -> None:
    lead = offer(bank=LEAD)
    coop = offer(bank=COOP)  # eligible too: outranked by the lead bank, its officer sought for the record
    other = offer(bank=OTHER, terms={"amount_max": Decimal("500000")})  # too small: no officer is sought
    crews = officers(LEAD, COOP, OTHER)
    wanted = need()
    decision = decide(wanted, [lead, coop, other], roles(), crews, DAY)
    assert decision.choice is not None
    assert decision.choice.offer is lead

    inputs = inputs_of(wanted, DAY, Skips(frozenset(), frozenset(), frozenset()), [lead, coop, other], roles(), crews,
                       None, decision)  # fmt: skip
    kept = {UUID(o[0]) for o in inputs["officers"]}
    assert kept == {crews[LEAD][0].officer_id, crews[COOP][0].officer_id}

    terms = {o.product_id: (o.bank_id, o.terms) for o in (lead, coop, other)}
    profiles = {s.officer_id: (s.bank_id, s.profile) for crew in crews.values() for s in crew}
    replayed = replay(
        inputs,
        outcome_of(decision, [lead, coop, other]),
        lambda product, _: terms[product],
        lambda officer, _: profiles[officer],
    )
    assert replayed.reproduces, replayed.differences
