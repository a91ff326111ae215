"""Routing: the chain's lead bank first, then its cooperating banks, then any eligible bank; within a tier the best
score; an officer of the chosen bank who covers the chain and town and has room; every other candidate explained."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple
from uuid import UUID

from contracts.values import BankRole
from matcher.domain.eligibility import AFTER_INDEX, RULES, first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.score import Part, explain, total_of, values

TIER = {BankRole.LEAD: 0, BankRole.COOPERATING: 1, None: 2}
MAX_EXPLAINED = 50  # exclusions carried in one event: enough for a reader, bounded for the topic


class Excluded(NamedTuple):
    """A candidate not chosen, and the rule that excluded it (the contract's Exclusion, as plain data)."""

    bank_id: UUID
    product_id: UUID
    rule: str
    detail: str


@dataclass(frozen=True, eq=False)
class Choice:
    need: NeedCase
    offer: Offer
    officer: OfficerSlot
    role: BankRole | None
    score: float
    values: dict[str, float]
    day: date

    @cached_property
    def components(self) -> tuple[Part, ...]:
        """The score in words. Composed when the match is published, not while candidates are compared."""
        return explain(self.need, self.offer, self.role, self.officer, self.day, self.values)


@dataclass(frozen=True)
class Decision:
    choice: Choice | None
    excluded: tuple[Excluded, ...]
    considered: int


def pick_officer(officers: Iterable[OfficerSlot], need: NeedCase) -> OfficerSlot | None:
    fitting = [o for o in officers if o.covers(need.chain, need.firm.town)]
    return min(fitting, key=lambda o: (o.load, o.officer_id), default=None)


def decide(
    need: NeedCase,
    candidates: Sequence[Offer],
    roles: ChainRoles,
    officers_of: Callable[[UUID], Iterable[OfficerSlot]] | Mapping[UUID, Iterable[OfficerSlot]],
    day: date,
    *,
    skip_products: frozenset[UUID] = frozenset(),
    skip_banks: frozenset[UUID] = frozenset(),
    indexed: bool = False,
) -> Decision:
    """Choose for `need` among `candidates`. With `indexed`, the candidates come from OfferIndex.candidates and the
    rules the index guarantees are not checked again."""
    lookup = officers_of.get if isinstance(officers_of, Mapping) else officers_of
    # Exclusions are kept as plain tuples: a decision scans many candidates and explains a few.
    rules = AFTER_INDEX if indexed else RULES
    officer_of_bank: dict[UUID, OfficerSlot | None] = {}
    excluded: list[tuple[UUID, UUID, str, str]] = []
    eligible: list[tuple[tuple[int, float, UUID], Offer, OfficerSlot, BankRole | None, dict[str, float]]] = []
    role_of_bank: dict[UUID, BankRole | None] = {}
    skipping = bool(skip_products or skip_banks)
    for offer in candidates:
        bank_id = offer.bank_id
        if bank_id in role_of_bank:
            role = role_of_bank[bank_id]
        else:
            role = role_of_bank[bank_id] = roles.role_of(need.chain, bank_id, day)
        if skipping and (offer.product_id in skip_products or bank_id in skip_banks):
            excluded.append(
                (offer.bank_id, offer.product_id, "already_tried", "this bank or product passed the need on before")
            )
            continue
        broken = first_broken_rule(need, offer, role, day, rules)
        if broken is not None:
            excluded.append((offer.bank_id, offer.product_id, broken[0], broken[1]))
            continue
        if offer.bank_id not in officer_of_bank:  # one pick per bank and decision
            officer_of_bank[offer.bank_id] = pick_officer(lookup(offer.bank_id) or (), need)
        officer = officer_of_bank[offer.bank_id]
        if officer is None:
            excluded.append(
                (
                    offer.bank_id,
                    offer.product_id,
                    "no_officer",
                    "no available officer of this bank covers the chain and town",
                )
            )
            continue
        parts = values(need, offer, role, officer, day)
        # Lower tier first (lead bank before all), then higher score, then a stable order.
        eligible.append(((TIER[role], -total_of(parts), offer.product_id), offer, officer, role, parts))
    chosen: Choice | None = None
    outranked: list[tuple[UUID, UUID, str, str]] = []
    if eligible:
        eligible.sort(key=lambda e: e[0])
        (tier, neg_score, _), offer, officer, role, parts = eligible[0]
        chosen = Choice(need, offer, officer, role, -neg_score, parts, day)
        outranked = [
            (
                o.bank_id,
                o.product_id,
                "outranked",
                f"eligible, score {-key[1]:.2f}" + (" (lead bank first)" if key[0] > tier else ""),
            )
            for key, o, _, _, _ in eligible[1:]
        ]
    shown = (outranked + excluded)[:MAX_EXPLAINED]
    return Decision(chosen, tuple(Excluded(*e) for e in shown), len(candidates))
