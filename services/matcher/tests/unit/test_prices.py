"""Capacity prices: a line that some needs alone can use is priced, and a need that can go elsewhere leaves it to
them — the lead bank still chosen whenever its line is not worth more to others."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

from matcher.domain.prices import line_prices
from matcher.domain.routing import decide
from matcher.domain.streaming import stream
from matcher.matching import sample_share
from matcher.settings import MatcherSettings

from .cases import DAY, LEAD, OTHER, need, offer, officers, roles


def test_a_scarce_lead_line_is_priced_and_kept_for_the_need_only_it_can_serve() -> None:
    lead = offer(bank=LEAD, terms={"capacity": Decimal("1000000")})
    other = offer(bank=OTHER, terms={"capacity": Decimal("50000000")})
    flexible = need(terms={"amount": Decimal("1000000"), "consent_scope": "any_eligible_bank"})
    lead_only = need(terms={"amount": Decimal("1000000"), "consent_scope": "lead_bank_only"})
    crew = officers(LEAD, OTHER)

    # First come, lead bank first: the flexible need takes the lead line and the lead-only need finds nothing.
    assert stream([flexible, lead_only], [lead, other], roles(), crew, DAY) == {flexible.need_id: lead.product_id}

    prices = line_prices([flexible, lead_only], [lead, other], roles(), DAY, capacity_share=1.0)
    assert prices[lead.product_id] > 0
    assert other.product_id not in prices  # nobody else needs it: free

    first = decide(flexible, [lead, other], roles(), crew, DAY, prices=prices).choice
    assert first is not None
    assert first.offer.product_id == other.product_id
    taken = dataclasses.replace(other, reserved=Decimal("1000000"))
    second = decide(lead_only, [lead, taken], roles(), crew, DAY, prices=prices).choice
    assert second is not None
    assert second.offer.product_id == lead.product_id  # both placed


def test_an_unpriced_market_still_goes_to_the_lead_bank_first() -> None:
    lead = offer(bank=LEAD, terms={"capacity": Decimal("50000000")})
    other = offer(bank=OTHER, terms={"capacity": Decimal("50000000")})
    needs = [need(terms={"consent_scope": "any_eligible_bank"}) for _ in range(3)]
    prices = line_prices(needs, [lead, other], roles(), DAY, capacity_share=1.0)
    assert prices == {}  # lines enough for everyone: no line is worth keeping
    chosen = decide(needs[0], [lead, other], roles(), officers(LEAD, OTHER), DAY, prices=prices).choice
    assert chosen is not None
    assert chosen.offer.bank_id == LEAD


def test_the_sample_is_priced_against_the_days_it_stands_for() -> None:
    settings = MatcherSettings()  # a 30-day window, lines granted for 365 days
    # A busy month: the 2,000 latest needs came in the last 6 days, so they meet 6 days' worth of every line.
    assert sample_share(timedelta(days=6), settings) == 6 / 365
    # A quiet month: the sample is the whole window.
    assert sample_share(timedelta(days=30), settings) == 30 / 365
    # Minutes of demand are read as a day's: never a line priced as if nothing of it were there.
    assert sample_share(timedelta(minutes=5), settings) == 1 / 365
    # A line granted for less than the window: the whole line.
    assert sample_share(timedelta(days=30), MatcherSettings(line_period_days=10)) == 1.0
