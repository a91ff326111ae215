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
from matcher.domain.eligibility import AFTER_INDEX, AFTER_READ, RULES, first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.prices import price_of
from matcher.domain.reasons import describe
from matcher.domain.score import Part, explain, total_of, values

TIER = {BankRole.LEAD: 0, BankRole.COOPERATING: 1, None: 2}


class Excluded(NamedTuple):
    """A candidate not chosen: the rule that excluded it, with a stable code and its parameters (the contract's
    Exclusion, as plain data)."""

    bank_id: UUID
    product_id: UUID
    rule: str
    code: str
    params: dict[str, str]

    @property
    def detail(self) -> str:
        return describe(self.code, self.params)


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


def pick_officer(
    officers: Iterable[OfficerSlot], need: NeedCase, skip: frozenset[UUID] = frozenset()
) -> OfficerSlot | None:
    """The least loaded officer who covers the need's chain and town and has room; never one who passed it on."""
    fitting = [o for o in officers if o.officer_id not in skip and o.covers(need.chain, need.firm.town)]
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
    skip_officers: frozenset[UUID] = frozenset(),
    indexed: bool = False,
    read_by_chain_and_kind: bool = False,
    prices: Mapping[UUID, float] | None = None,
) -> Decision:
    """Choose for `need` among `candidates`. With `indexed`, the candidates come from OfferIndex.candidates and the
    rules the index guarantees are not checked again; with `read_by_chain_and_kind`, the candidates are the offers of
    the need's chain and asked kinds (the service's reads), and those two rules are not checked again.

    With capacity `prices` (domain/prices.py), the best score less the price of the line taken wins, the lead bank
    preferred through its score; without, the lead bank's tier first, then the best score."""
    lookup = officers_of.get if isinstance(officers_of, Mapping) else officers_of
    # Exclusions are kept as plain tuples: a decision scans many candidates and explains a few.
    rules = AFTER_INDEX if indexed else AFTER_READ if read_by_chain_and_kind else RULES
    officer_of_bank: dict[UUID, OfficerSlot | None] = {}
    excluded: list[Excluded] = []
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
            excluded.append(Excluded(bank_id, offer.product_id, "already_tried", "already_tried", {}))
            continue
        broken = first_broken_rule(need, offer, role, day, rules)
        if broken is not None:
            name, (code, params) = broken
            excluded.append(Excluded(bank_id, offer.product_id, name, code, params))
            continue
        if bank_id not in officer_of_bank:  # one pick per bank and decision
            officer_of_bank[bank_id] = pick_officer(lookup(bank_id) or (), need, skip_officers)
        officer = officer_of_bank[bank_id]
        if officer is None:
            excluded.append(Excluded(bank_id, offer.product_id, "no_officer", "no_officer", {}))
            continue
        parts = values(need, offer, role, officer, day)
        if prices:
            worth = total_of(parts) - price_of(prices, offer.product_id, need.terms.amount)
            eligible.append(((0, -worth, offer.product_id), offer, officer, role, parts))
            continue
        # Lower tier first (lead bank before all), then higher score, then a stable order.
        eligible.append(((TIER[role], -total_of(parts), offer.product_id), offer, officer, role, parts))
    chosen: Choice | None = None
    outranked: list[Excluded] = []
    if eligible:
        eligible.sort(key=lambda e: e[0])
        (tier, _, _), offer, officer, role, parts = eligible[0]
        chosen = Choice(need, offer, officer, role, total_of(parts), parts, day)
        outranked = [
            Excluded(
                o.bank_id,
                o.product_id,
                "outranked",
                "outranked_by_lead_bank" if key[0] > tier else "outranked",
                {"score": f"{total_of(parts_):.4f}"},
            )
            for key, o, _, _, parts_ in eligible[1:]
        ]
    # Every candidate is accounted for: the decision record keeps them all; events carry only the chosen bank's.
    return Decision(chosen, tuple(outranked + excluded), len(candidates))
