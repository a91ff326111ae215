"""The Sieve answers the hard rules with sets: a decision on a Sieve's read must be the decision on the same offers as
a plain list — the choice, its score and every exclusion with its code and parameters — whatever the market."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.domain.market import OfferIndex
from matcher.domain.routing import Decision, decide
from matcher.domain.sieve import Read, Sieve

from .cases import COOP, DAY, LEAD, OTHER, need, offer, officers, roles
from .test_eligibility_and_routing import BROKEN


def record(d: Decision) -> tuple[Any, ...]:
    choice = d.choice and (d.choice.offer.product_id, d.choice.officer.officer_id, d.choice.score)
    return (
        choice,
        d.considered,
        sorted((str(e.product_id), e.rule, e.code, sorted(e.params.items())) for e in d.excluded),
    )


def whole(offers: list[Any]) -> Read:
    sieve = Sieve(offers)
    return Read(sieve, sieve.all)


@pytest.mark.parametrize(
    ("rule", "the_need", "the_offer"), BROKEN, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BROKEN)]
)
def test_each_hard_rule_excludes_through_the_sets_as_it_does_offer_by_offer(rule, the_need, the_offer) -> None:
    crews = officers(LEAD, COOP, OTHER)
    listed = decide(the_need, [the_offer], roles(), crews, DAY)
    sieved = decide(the_need, whole([the_offer]), roles(), crews, DAY)
    assert [(e.rule, e.code, e.params) for e in sieved.excluded] == [(rule, *listed.excluded[0][3:])]
    assert sieved.choice is None


AMOUNTS = st.sampled_from([Decimal(x) for x in ("50000", "100000", "999999.99", "1000000", "3000000", "6000000")])
KINDS = st.sampled_from(["order_loan", "credit_loan", "receivable_pledge"])
TOWNS = st.sampled_from(["changan", "humen", "songshan_lake"])


@st.composite
def offers(draw: st.DrawFn) -> Any:
    low, high = sorted(draw(st.lists(AMOUNTS, min_size=2, max_size=2)))
    t_low, t_high = sorted(draw(st.lists(st.integers(1, 36), min_size=2, max_size=2)))
    terms: dict[str, Any] = {
        "product_type": draw(KINDS),
        "amount_min": low,
        "amount_max": high,
        "term_min_months": t_low,
        "term_max_months": t_high,
        "rate_min": draw(st.sampled_from([Decimal("0.03"), Decimal("0.045"), Decimal("0.06")])),
        "rate_max": Decimal("0.08"),
        "size_classes": tuple(draw(st.sets(st.sampled_from(["micro", "small", "medium"]), min_size=1))),
        "towns": tuple(draw(st.sets(TOWNS, max_size=2))),
        "collateral_accepted": tuple(draw(st.sets(st.sampled_from(["none", "real_estate", "receivable"]), min_size=1))),
        "honours_required": tuple(draw(st.sets(st.sampled_from(["little_giant", "specialised"]), max_size=1))),
        "requires_link_confirmation": draw(st.booleans()),
        "requires_receivable_confirmation": draw(st.booleans()),
        "capacity": draw(st.sampled_from([Decimal("2000000"), Decimal("50000000")])),
        "active_from": DAY - timedelta(days=draw(st.sampled_from([-3, 0, 30]))),
    }
    return offer(
        bank=draw(st.sampled_from([LEAD, COOP, OTHER, uuid.UUID(int=4)])),
        terms=terms,
        reserved=draw(st.sampled_from([Decimal(0), Decimal("1500000")])),
        withdrawn=draw(st.booleans()) and draw(st.booleans()),
        chain_free=draw(st.sampled_from([None, Decimal("800000"), Decimal("90000000")])),
    )


@st.composite
def needs(draw: st.DrawFn) -> Any:
    confirmed = draw(st.booleans())
    receivable = confirmed and draw(st.booleans())
    position: dict[str, Any] = {"link_confirmed": confirmed}
    if receivable:
        due = DAY + timedelta(days=draw(st.sampled_from([-1, 60])))
        position |= {"receivable_id": uuid.uuid4(), "receivable_amount": Decimal("900000"), "receivable_due": due}
    held = draw(st.sets(st.sampled_from(["little_giant", "specialised"]), max_size=1))
    size = draw(st.sampled_from(["micro", "small", "medium"]))
    return need(
        terms={
            "amount": draw(AMOUNTS),
            "term_months": draw(st.integers(1, 40)),
            "product_types": tuple(draw(st.sets(KINDS, min_size=1))),
            "collateral": tuple(draw(st.sets(st.sampled_from(["none", "real_estate", "receivable"]), min_size=1))),
            "max_annual_rate": draw(st.sampled_from([None, Decimal("0.04"), Decimal("0.07")])),
            "consent_scope": draw(st.sampled_from(["any_eligible_bank", "chain_banks", "lead_bank_only"])),
            "consent_until": DAY + timedelta(days=draw(st.sampled_from([-1, 365]))),
        },
        firm={
            "town": draw(TOWNS),
            "size_class": size,
            "employees": {"micro": 5, "small": 60, "medium": 400}[size],
            "revenue_last_year": Decimal("3000000"),
            "honours": tuple({"code": h, "valid_from": date(2025, 1, 1), "valid_until": None} for h in held),
        },
        position=position,
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(offers(), min_size=1, max_size=25),
    st.lists(needs(), min_size=1, max_size=4),
    st.booleans(),
    st.booleans(),
    st.integers(0, 3),
)
def test_a_sieve_decides_exactly_as_the_plain_list_of_the_same_offers(
    the_offers, the_needs, priced, skipping, busy
) -> None:
    crews = officers(LEAD, COOP, OTHER, uuid.UUID(int=4), max_open_matches=3)
    for i, slots in enumerate(crews.values()):
        slots[0] = dataclasses.replace(slots[0], open_matches=min(3, busy + i % 2))
    sieve = Sieve(the_offers)
    prices = {o.product_id: 0.02 * (i % 4) for i, o in enumerate(the_offers)} if priced else None
    for the_need in the_needs:
        skips: dict[str, Any] = (
            {"skip_products": frozenset({the_offers[0].product_id}), "skip_banks": frozenset({COOP})}
            if skipping
            else {}
        )
        listed = decide(the_need, list(sieve.offers), roles(), crews, DAY, prices=prices, **skips)
        sieved = decide(the_need, Read(sieve, sieve.all), roles(), crews, DAY, prices=prices, **skips)
        assert record(sieved) == record(listed)
        if sieved.choice is not None:  # the next need sees the line after this one took its share
            taken = sieved.choice.offer
            assert sieve.replace(dataclasses.replace(taken, reserved=taken.reserved + the_need.terms.amount))


def test_the_lower_tiers_are_told_as_they_stood_when_the_need_was_decided() -> None:
    """Exclusions are composed when the record asks; officers that later decisions load meanwhile change nothing."""
    crews = officers(LEAD, COOP, max_open_matches=2)
    the_offers = [offer(), offer(bank=COOP)]
    the_need = need()
    eager = record(decide(the_need, list(the_offers), roles(), crews, DAY))
    lazy = decide(the_need, whole(the_offers), roles(), crews, DAY)
    crews[COOP][0] = dataclasses.replace(crews[COOP][0], open_matches=2)  # the cooperating bank's officer is now full
    assert record(lazy) == eager
    assert {e.code for e in lazy.excluded} == {"outranked_by_lead_bank"}


def test_the_index_reads_the_lines_as_they_move_and_new_terms_when_they_change() -> None:
    first = offer(terms={"capacity": Decimal("1500000")})
    index = OfferIndex([first, offer(bank=COOP)])
    the_need = need()
    chosen = decide(the_need, index.read(the_need, roles(), DAY), roles(), officers(LEAD, COOP), DAY, indexed=True)
    assert chosen.choice is not None
    assert chosen.choice.offer.product_id == first.product_id
    index.put(dataclasses.replace(first, reserved=Decimal("1000000")))  # only 500,000 left: the lead bank's line
    after = decide(the_need, index.read(the_need, roles(), DAY), roles(), officers(LEAD, COOP), DAY, indexed=True)
    assert after.choice is not None
    assert after.choice.offer.bank_id == COOP
    assert {(e.product_id, e.code) for e in after.excluded} == {(first.product_id, "line_insufficient")}
    wider = dataclasses.replace(first, terms=first.terms.model_copy(update={"capacity": Decimal("9000000")}))
    index.put(wider)  # new terms: the sets are built again
    again = decide(the_need, index.read(the_need, roles(), DAY), roles(), officers(LEAD, COOP), DAY, indexed=True)
    assert again.choice is not None
    assert again.choice.offer.product_id == first.product_id


def test_an_offer_excluded_from_either_side_of_its_range_is_told_which_each_time() -> None:
    """Exclusions are composed once per offer and side, then reused: a need under the minimum and one over the
    maximum must each hear their own."""
    sieve = Sieve([offer()])  # 100,000 – 3,000,000 yuan, 3 – 24 months
    crews = officers(LEAD)
    asked = [("50000", 12), ("5000000", 12), ("50000", 12), ("1000000", 2), ("1000000", 36), ("1000000", 2)]
    told = []
    for amount, months in asked:
        the_need = need(terms={"amount": Decimal(amount), "term_months": months})
        told.append(
            [(e.code, e.params) for e in decide(the_need, Read(sieve, sieve.all), roles(), crews, DAY).excluded]
        )
    assert told == [
        [("amount_below_min", {"min": "100000.00"})],
        [("amount_above_max", {"max": "3000000.00"})],
        [("amount_below_min", {"min": "100000.00"})],
        [("term_below_min", {"min": "3"})],
        [("term_above_max", {"max": "24"})],
        [("term_below_min", {"min": "3"})],
    ]


def test_a_chains_sets_are_kept_for_the_next_batch_only_while_its_products_terms_stay_the_same() -> None:
    first, second = offer(terms={"capacity": Decimal("1500000")}), offer(bank=COOP)
    kept = Sieve([first, second])
    the_need, crews = need(), officers(LEAD, COOP)
    decide(the_need, Read(kept, kept.all), roles(), crews, DAY)  # sets built for this need
    fuller = dataclasses.replace(first, reserved=Decimal("1000000"))  # the next batch reads the lines again
    again = kept.again([fuller, second])
    assert again is not None
    assert again.offers == (fuller, second)
    decided = decide(the_need, Read(again, again.all), roles(), crews, DAY)
    fresh = decide(the_need, Read(Sieve([fuller, second]), 0b11), roles(), crews, DAY)
    assert record(decided) == record(fresh)
    assert decided.choice is not None
    assert decided.choice.offer.bank_id == COOP  # the lead bank's line as just read, not as the sets were built
    new_terms = dataclasses.replace(first, terms=first.terms.model_copy(update={"amount_max": Decimal("900000")}))
    assert kept.again([new_terms, second]) is None
    assert kept.again([first]) is None
    assert kept.again([second, first]) is None
    assert kept.again([dataclasses.replace(first, withdrawn=True), second]) is None


def test_a_consent_exclusion_says_the_scope_of_each_need_even_when_composed_before() -> None:
    sieve = Sieve([offer(bank=COOP), offer(bank=OTHER)])
    crews = officers(COOP, OTHER)
    told = []
    for scope, until in [("lead_bank_only", None), ("chain_banks", None), ("lead_bank_only", None),
                         ("chain_banks", date(2026, 11, 1))]:  # fmt: skip
        terms: dict[str, Any] = {"consent_scope": scope} | ({"consent_until": until} if until else {})
        decision = decide(need(terms=terms), Read(sieve, sieve.all), roles(), crews, DAY)
        told.append(sorted((e.code, tuple(e.params.items())) for e in decision.excluded))
    assert told == [
        [("consent_lead_bank_only", ()), ("consent_lead_bank_only", ())],
        [("consent_chain_banks_only", ())],  # the cooperating bank's product is eligible
        [("consent_lead_bank_only", ()), ("consent_lead_bank_only", ())],
        [("consent_expired", (("until", "2026-11-01"),)), ("consent_expired", (("until", "2026-11-01"),))],
    ]
