"""Soft preferences: an explainable score in [0, 1] as a weighted sum of named components.

Weights are data a regulator can read and argue with; each component says in words why it scored what it did.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import mul
from typing import NamedTuple

from contracts.values import BankRole, HonourCode
from matcher.domain.market import NeedCase, Offer, OfficerSlot

WEIGHTS: dict[str, float] = {
    "lead_bank": 0.30,  # the chain's designated bank: the policy's point
    "chain_confirmation": 0.20,  # the chain master vouches for the supplier (and the receivable)
    "capacity_pacing": 0.15,  # keep some of every line for later needs
    "rate_fit": 0.10,  # room under the firm's rate ceiling
    "amount_fit": 0.10,  # the amount sits well inside the product's range
    "term_fit": 0.05,
    "honours": 0.05,  # honours the product favours (专精特新 …)
    "officer_load": 0.05,  # an officer with time to answer
}
_PACING_NORM = 1 - math.exp(-1)


def weights_version(weights: dict[str, float]) -> str:
    """A short digest of the weights: every decision records the version it was scored with, and a replay says when
    the weights in force differ from the recorded ones."""
    return hashlib.sha256(json.dumps(weights, sort_keys=True).encode()).hexdigest()[:12]


def pacing(committed_fraction: float) -> float:
    """1 − e^(x−1), scaled to 1 for an untouched line and 0 for a full one: late needs still find credit."""
    x = min(max(committed_fraction, 0.0), 1.0)
    return (1 - math.exp(x - 1)) / _PACING_NORM


def centrality(value: float, low: float, high: float) -> float:
    """1 in the middle of [low, high], 0.5 at its ends."""
    if high <= low:
        return 1.0
    position = (value - low) / (high - low)
    return 1 - abs(2 * position - 1) / 2


def values(
    need: NeedCase, offer: Offer, role: BankRole | None, officer: OfficerSlot | None, day: date
) -> dict[str, float]:
    """Each component's value in [0, 1]; cheap, so every eligible candidate can be scored: what depends on the offer
    alone is computed once per offer (an offer is replaced, never changed, when its line moves)."""
    pace, low, high, term_low, term_high, rate_min, favoured = _own(offer)
    n = need.terms
    result = {
        "lead_bank": 1.0 if role is BankRole.LEAD else 0.5 if role is BankRole.COOPERATING else 0.0,
        "chain_confirmation": (0.6 if need.position.link_confirmed else 0.0)
        + (0.4 if need.position.receivable_id is not None else 0.0),
        "capacity_pacing": pace,
        "rate_fit": _rate_fit(n.max_annual_rate, rate_min),
        "amount_fit": centrality(float(n.amount), low, high),
        "term_fit": _term_fit(n.term_months, term_low, term_high),
        "honours": 1.0 if favoured and not favoured.isdisjoint(_held(need, day)) else 0.0,
    }
    if officer is not None:
        result["officer_load"] = 1 - officer.load
    return result


def _own(offer: Offer) -> tuple[float, float, float, int, int, Decimal, frozenset[HonourCode]]:
    """The parts of a score the offer alone decides: its line's pacing, its ranges, its rate and favoured honours."""
    own = offer.memo.get("score:own")
    if own is None:
        t = offer.terms
        own = offer.memo["score:own"] = (
            pacing(offer.committed_fraction),
            float(t.amount_min),
            float(t.amount_max),
            t.term_min_months,
            t.term_max_months,
            t.rate_min,
            frozenset(t.honours_favoured),
        )
    return own


@lru_cache(maxsize=4096)
def _term_fit(months: int, low: int, high: int) -> float:
    """A term's centrality in a product's range (a few dozen terms and ranges: computed once per triple)."""
    return centrality(months, low, high)


@lru_cache(maxsize=4096)
def _rate_fit(ceiling: Decimal | None, rate_min: Decimal) -> float:
    """Room under the firm's rate ceiling (a handful of ceilings and rates: computed once per pair of them)."""
    if ceiling is None or ceiling <= 0:
        return 0.5
    return max(0.0, min(1.0, float((ceiling - rate_min) / ceiling) * 4))


def _held(need: NeedCase, day: date) -> frozenset[HonourCode]:
    """The honours the firm holds on the day, once per need and day (each of its candidates asks)."""
    held = need.memo.get(day)
    if held is None:
        held = need.memo[day] = frozenset(
            h.code for h in need.firm.honours if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until)
        )
    return held


def _favoured(need: NeedCase, offer: Offer, day: date) -> set[str]:
    if not offer.terms.honours_favoured:
        return set()
    return {h.value for h in _held(need, day) & set(offer.terms.honours_favoured)}


def total_of(parts: dict[str, float]) -> float:
    return round(float(sum(map(mul, map(WEIGHTS.__getitem__, parts), parts.values()))), 4)


class Part(NamedTuple):
    """One component of a score (the contract's ScoreComponent, as plain data)."""

    name: str
    weight: float
    value: float
    explanation: str
    params: dict[str, str]


def explain(
    need: NeedCase, offer: Offer, role: BankRole | None, officer: OfficerSlot | None, day: date, parts: dict[str, float]
) -> tuple[Part, ...]:
    """The components in words, for the match that is made (an officer and an SME read these)."""
    t, n = offer.terms, need.terms
    lead = {
        BankRole.LEAD: f"{offer.bank_name} is the chain's lead bank (主办行)",
        BankRole.COOPERATING: f"{offer.bank_name} is a cooperating bank (合作银行) of the chain",
    }
    confirmed = parts["chain_confirmation"]
    favoured = _favoured(need, offer, day)
    words = {
        "lead_bank": lead.get(role, f"{offer.bank_name} holds no designation for this chain")
        if role
        else f"{offer.bank_name} holds no designation for this chain",
        "chain_confirmation": (
            "the chain master confirmed the supply link" + (" and a receivable" if confirmed > 0.6 else "")
        )
        if confirmed
        else "no chain-master confirmation yet",
        "capacity_pacing": f"{offer.committed_fraction:.0%} of the product's line is committed",
        "rate_fit": "the firm set no rate ceiling"
        if n.max_annual_rate is None
        else f"from {t.rate_min:.2%} against the firm's ceiling {n.max_annual_rate:.2%}",
        "amount_fit": "the amount within the product's range",
        "term_fit": "the term within the product's range",
        "honours": "the product favours " + ", ".join(sorted(favoured))
        if favoured
        else "no honour the product favours",
    }
    if officer is not None:
        words["officer_load"] = (
            f"the officer holds {officer.open_matches} of {officer.profile.max_open_matches} open matches"
        )
    params = {
        "lead_bank": {"case": (role.value if role else "none"), "bank": offer.bank_name},
        "chain_confirmation": {"case": ("link_and_receivable" if confirmed > 0.6 else "link") if confirmed else "none"},
        "capacity_pacing": {"committed": f"{offer.committed_fraction:.0%}"},
        "rate_fit": {"case": "no_ceiling"}
        if n.max_annual_rate is None
        else {"case": "ceiling", "rate_min": f"{t.rate_min:.2%}", "ceiling": f"{n.max_annual_rate:.2%}"},
        "amount_fit": {"case": "within"},
        "term_fit": {"case": "within"},
        "honours": {"case": "favoured", "honours": ",".join(sorted(favoured))} if favoured else {"case": "none"},
    }
    if officer is not None:
        params["officer_load"] = {"open": str(officer.open_matches), "max": str(officer.profile.max_open_matches)}
    return tuple(
        Part(name, WEIGHTS[name], round(value, 4), words[name][:500], params[name]) for name, value in parts.items()
    )


def components(
    need: NeedCase, offer: Offer, role: BankRole | None, officer: OfficerSlot | None, day: date
) -> tuple[Part, ...]:
    return explain(need, offer, role, officer, day, values(need, offer, role, officer, day))


def total(parts: tuple[Part, ...]) -> float:
    return round(sum(p.weight * p.value for p in parts), 4)
