"""Soft preferences: an explainable score in [0, 1] as a weighted sum of named components.

Weights are data a regulator can read and argue with; each component says in words why it scored what it did.
"""

from __future__ import annotations

import math
from datetime import date

from contracts.matcher import ScoreComponent
from contracts.values import BankRole
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


def components(
    need: NeedCase, offer: Offer, role: BankRole | None, officer: OfficerSlot | None, day: date
) -> tuple[ScoreComponent, ...]:
    t, n = offer.terms, need.terms
    parts: list[tuple[str, float, str]] = []
    if role is BankRole.LEAD:
        parts.append(("lead_bank", 1.0, f"{offer.bank_name} is the chain's lead bank (主办行)"))
    elif role is BankRole.COOPERATING:
        parts.append(("lead_bank", 0.5, f"{offer.bank_name} is a cooperating bank (合作银行) of the chain"))
    else:
        parts.append(("lead_bank", 0.0, f"{offer.bank_name} holds no designation for this chain"))

    confirmed = 0.6 if need.position.link_confirmed else 0.0
    confirmed += 0.4 if need.position.receivable_id is not None else 0.0
    parts.append(
        (
            "chain_confirmation",
            confirmed,
            "the chain master confirmed the supply link" + (" and a receivable" if confirmed > 0.6 else "")
            if confirmed
            else "no chain-master confirmation yet",
        )
    )

    fraction = offer.committed_fraction
    parts.append(("capacity_pacing", pacing(fraction), f"{fraction:.0%} of the product's line is committed"))

    if n.max_annual_rate is None or n.max_annual_rate <= 0:
        parts.append(("rate_fit", 0.5, "the firm set no rate ceiling"))
    else:
        room = float((n.max_annual_rate - t.rate_min) / n.max_annual_rate)
        parts.append(
            (
                "rate_fit",
                max(0.0, min(1.0, room * 4)),
                f"from {t.rate_min:.2%} against the firm's ceiling {n.max_annual_rate:.2%}",
            )
        )

    parts.append(
        (
            "amount_fit",
            centrality(float(n.amount), float(t.amount_min), float(t.amount_max)),
            "the amount within the product's range",
        )
    )
    parts.append(
        (
            "term_fit",
            centrality(n.term_months, t.term_min_months, t.term_max_months),
            "the term within the product's range",
        )
    )

    held = {
        h.code for h in need.firm.honours if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until)
    }
    favoured = held & set(t.honours_favoured)
    parts.append(
        (
            "honours",
            1.0 if favoured else 0.0,
            "the product favours " + ", ".join(sorted(h.value for h in favoured))
            if favoured
            else "no honour the product favours",
        )
    )

    if officer is not None:
        parts.append(
            (
                "officer_load",
                1 - officer.load,
                f"the officer holds {officer.open_matches} of {officer.profile.max_open_matches} open matches",
            )
        )
    return tuple(
        ScoreComponent(name=name, weight=WEIGHTS[name], value=round(value, 4), explanation=why)
        for name, value, why in parts
    )


def total(parts: tuple[ScoreComponent, ...]) -> float:
    return round(sum(p.weight * p.value for p in parts), 4)
