"""Routing: the chain's lead bank first, then its cooperating banks, then any eligible bank; within a tier the best
score; an officer of the chosen bank who covers the chain and town and has room; every other candidate explained."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from contracts.matcher import Exclusion, ScoreComponent
from contracts.values import BankRole
from matcher.domain.eligibility import first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.score import components, total

TIER = {BankRole.LEAD: 0, BankRole.COOPERATING: 1, None: 2}
MAX_EXPLAINED = 50  # exclusions carried in one event: enough for a reader, bounded for the topic


@dataclass(frozen=True)
class Choice:
    offer: Offer
    officer: OfficerSlot
    role: BankRole | None
    score: float
    components: tuple[ScoreComponent, ...]


@dataclass(frozen=True)
class Decision:
    choice: Choice | None
    excluded: tuple[Exclusion, ...]
    considered: int


def pick_officer(officers: Iterable[OfficerSlot], need: NeedCase) -> OfficerSlot | None:
    fitting = [o for o in officers if o.covers(need.chain, need.firm.town)]
    return min(fitting, key=lambda o: (o.load, str(o.officer_id)), default=None)


def decide(
    need: NeedCase,
    candidates: Sequence[Offer],
    roles: ChainRoles,
    officers_of: Callable[[UUID], Iterable[OfficerSlot]] | Mapping[UUID, Iterable[OfficerSlot]],
    day: date,
    *,
    skip_products: frozenset[UUID] = frozenset(),
    skip_banks: frozenset[UUID] = frozenset(),
) -> Decision:
    lookup = officers_of.get if isinstance(officers_of, Mapping) else officers_of
    excluded: list[Exclusion] = []
    eligible: list[tuple[tuple[int, float, str], Choice]] = []
    for offer in candidates:
        role = roles.role_of(need.chain, offer.bank_id, day)
        if offer.product_id in skip_products or offer.bank_id in skip_banks:
            excluded.append(
                Exclusion(
                    bank_id=offer.bank_id,
                    product_id=offer.product_id,
                    rule="already_tried",
                    detail="this bank or product passed the need on before",
                )
            )
            continue
        broken = first_broken_rule(need, offer, role, day)
        if broken is not None:
            excluded.append(
                Exclusion(bank_id=offer.bank_id, product_id=offer.product_id, rule=broken[0], detail=broken[1])
            )
            continue
        officer = pick_officer(lookup(offer.bank_id) or (), need)
        if officer is None:
            excluded.append(
                Exclusion(
                    bank_id=offer.bank_id,
                    product_id=offer.product_id,
                    rule="no_officer",
                    detail="no available officer of this bank covers the chain and town",
                )
            )
            continue
        parts = components(need, offer, role, officer, day)
        score = total(parts)
        # Lower tier first (lead bank before all), then higher score, then a stable order.
        eligible.append(((TIER[role], -score, str(offer.product_id)), Choice(offer, officer, role, score, parts)))
    if not eligible:
        return Decision(None, tuple(excluded[:MAX_EXPLAINED]), len(candidates))
    eligible.sort(key=lambda e: e[0])
    chosen = eligible[0][1]
    outranked = [
        Exclusion(
            bank_id=c.offer.bank_id,
            product_id=c.offer.product_id,
            rule="outranked",
            detail=f"eligible, score {c.score:.2f}" + (" (lead bank first)" if key[0] > TIER[chosen.role] else ""),
        )
        for key, c in eligible[1:]
    ]
    return Decision(chosen, tuple((outranked + excluded)[:MAX_EXPLAINED]), len(candidates))
