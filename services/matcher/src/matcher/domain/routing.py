"""Routing: the chain's lead bank first, then its cooperating banks, then any eligible bank; within a tier the best
score; an officer of the chosen bank who covers the chain and town and has room; every other candidate explained."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from contracts.values import BankRole
from matcher.domain.eligibility import AFTER_INDEX, AFTER_READ, RULES, Rule, first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.prices import price_of
from matcher.domain.reasons import describe
from matcher.domain.score import Part, explain, total_of, values
from matcher.domain.sieve import STATIC, Read, bits

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


class Decision:
    """A need's decision: the choice (or none) and every candidate not chosen with why.

    Without capacity prices the lead bank's tier is judged first and lower tiers only when it has no eligible
    candidate; what the lower tiers would have been told (a broken rule, no officer, or outranked by the lead bank
    with their score) is worked out when the decision record asks for it, from what they were at the decision: the
    offers are immutable and their banks' officers are copied. So the record gets every exclusion, and a decision
    that only needs its choice does not pay for them."""

    __slots__ = ("_deferred", "_excluded", "_settled", "choice", "considered")

    def __init__(
        self,
        choice: Choice | None,
        excluded: tuple[Excluded, ...] | list[Excluded],
        considered: int,
        deferred: Callable[[], list[Excluded]] | None = None,
    ) -> None:
        self.choice = choice
        self.considered = considered
        self._settled = excluded
        self._deferred = deferred
        self._excluded: tuple[Excluded, ...] | None = None

    @property
    def excluded(self) -> tuple[Excluded, ...]:
        if self._excluded is None:
            later = self._deferred() if self._deferred is not None else []
            self._excluded = (*self._settled, *later)
            self._deferred = None
        return self._excluded


def pick_officer(
    officers: Iterable[OfficerSlot], need: NeedCase, skip: frozenset[UUID] = frozenset()
) -> OfficerSlot | None:
    """The least loaded officer who covers the need's chain and town and has room; never one who passed it on."""
    chain, town = need.chain, need.firm.town
    best: OfficerSlot | None = None
    best_load = 0.0
    for o in officers:
        if o.covers(chain, town) and (not skip or o.officer_id not in skip):
            load = o.load
            # Ties go to the lowest officer id (UUIDs order by their int; comparing the ints is the same order).
            if best is None or load < best_load or (load == best_load and o.officer_id.int < best.officer_id.int):
                best, best_load = o, load
    return best


# (sort key, offer, officer, role, score components, score)
_Eligible = tuple[tuple[float, UUID], Offer, OfficerSlot, BankRole | None, dict[str, float], float]


def decide(
    need: NeedCase,
    candidates: Sequence[Offer] | Read,
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
    the need's chain and asked kinds (the service's reads), and those two rules are not checked again. Given those
    candidates as a Sieve's Read, the rules it answers with sets are intersected first (domain/sieve.py): the same
    decision, exclusions and all, for the work of the few candidates that pass them.

    With capacity `prices` (domain/prices.py), the best score less the price of the line taken wins, the lead bank
    preferred through its score; without, the lead bank's tier first, then the best score: a lower tier is judged only
    when every tier above it has no eligible candidate (see Decision)."""
    lookup = officers_of.get if isinstance(officers_of, Mapping) else officers_of
    rules = AFTER_INDEX if indexed else AFTER_READ if read_by_chain_and_kind else RULES
    skips = (skip_products, skip_banks, skip_officers)
    if isinstance(candidates, Read):
        return _decide_sieved(need, candidates, roles, lookup, day, rules, skips, prices)
    role_of_bank: dict[UUID, BankRole | None] = {}
    tiers: tuple[list[tuple[Offer, BankRole | None]], ...] = ([], [], [])
    for offer in candidates:
        bank_id = offer.bank_id
        if bank_id in role_of_bank:
            role = role_of_bank[bank_id]
        else:
            role = role_of_bank[bank_id] = roles.role_of(need.chain, bank_id, day)
        tiers[0 if prices else TIER[role]].append((offer, role))
    return _by_tiers(need, tiers, lookup, day, rules, skips, prices, len(candidates))


def _by_tiers(
    need: NeedCase,
    tiers: Sequence[list[tuple[Offer, BankRole | None]]],
    lookup: Callable[[UUID], Iterable[OfficerSlot] | None],
    day: date,
    rules: tuple[tuple[str, Rule], ...],
    skips: tuple[frozenset[UUID], frozenset[UUID], frozenset[UUID]],
    prices: Mapping[UUID, float] | None,
    considered: int,
    told: Callable[[], list[Excluded]] | None = None,
) -> Decision:
    """The first tier with an eligible candidate chooses; the tiers below it are judged when the record asks, and
    `told` (the candidates excluded before the tiers were judged) then too."""
    excluded: list[Excluded] = []
    for at, tier in enumerate(tiers):
        eligible = _judge(need, tier, lookup, day, rules, skips, prices, excluded)
        if not eligible:
            continue
        eligible.sort(key=lambda e: e[0])
        _, offer, officer, role, parts, score = eligible[0]
        chosen = Choice(need, offer, officer, role, score, parts, day)
        excluded.extend(_outranked(eligible[1:], "outranked"))
        below = [pair for lower in tiers[at + 1 :] for pair in lower]
        if not below and told is None:
            return Decision(chosen, excluded, considered)
        # The lower tiers' banks' officers as they are now: a batch's later decisions change the crews in place.
        crews = {b: tuple(lookup(b) or ()) for b in {o.bank_id for o, _ in below}}

        def later(
            below: list[tuple[Offer, BankRole | None]] = below, crews: dict[UUID, tuple[OfficerSlot, ...]] = crews
        ) -> list[Excluded]:
            found = told() if told is not None else []
            passed = _judge(need, below, crews.get, day, rules, skips, prices, found)
            return found + _outranked(passed, "outranked_by_lead_bank")

        return Decision(chosen, excluded, considered, later)
    # Every candidate is accounted for: the decision record keeps them all; events carry only the chosen bank's.
    return Decision(None, excluded, considered, told)


def _decide_sieved(
    need: NeedCase,
    read: Read,
    roles: ChainRoles,
    lookup: Callable[[UUID], Iterable[OfficerSlot] | None],
    day: date,
    rules: tuple[tuple[str, Rule], ...],
    skips: tuple[frozenset[UUID], frozenset[UUID], frozenset[UUID]],
    prices: Mapping[UUID, float] | None,
) -> Decision:
    sieve, within = read
    offers = sieve.offers  # replaced, never changed, when a line moves: what this decision was decided on
    role_at, by_role = sieve.roles(roles, need.chain, day)
    tiers = (within,) if prices else by_role
    skip_products, skip_banks, skip_officers = skips
    skipped = 0
    if skip_products or skip_banks:
        skipped = within & sieve.matching(lambda o: o.product_id in skip_products or o.bank_id in skip_banks)
    by_sets, one_by_one = _split(rules)
    left, failing = sieve.sift(need, day, by_sets, within & ~skipped)
    only_officers = (frozenset[UUID](), frozenset[UUID](), skip_officers)

    def told() -> list[Excluded]:
        """The candidates the sets excluded, each with its first broken rule's code and parameters."""
        found = [Excluded(offers[i].bank_id, offers[i].product_id, "already_tried", "already_tried", {})
                 for i in bits(skipped)]  # fmt: skip
        explained, together = sieve.explained, sieve.explained_sets
        for name, rule, fail in failing:
            facet = sieve.facet(name, need, day)
            whole = None if facet is None else (name, fail, facet[0] & fail, facet[1])
            if whole is not None and (known_set := together.get(whole)) is not None:
                found.extend(known_set)  # the same offers excluded for the same reasons as for an earlier need
                continue
            start = len(found)
            for i in bits(fail):
                if facet is not None:
                    key = (i, name, (facet[0] >> i) & 1, facet[1])
                    if (known := explained.get(key)) is not None:
                        found.append(known)
                        continue
                broken = rule(need, offers[i], role_at[i], day)
                if broken is None:  # a set and its rule disagree: a defect, never a silent wrong record
                    raise RuntimeError(f"rule {name}: product {offers[i].product_id} passes it but its set excluded it")
                found.append(Excluded(offers[i].bank_id, offers[i].product_id, name, broken.code, broken.params))
                if facet is not None:
                    explained[key] = found[-1]
            if whole is not None:
                if len(together) > 20_000:
                    together.clear()
                together[whole] = tuple(found[start:])
        return found

    pairs = [[(offers[i], role_at[i]) for i in bits(left & tier)] for tier in tiers]
    return _by_tiers(need, pairs, lookup, day, one_by_one, only_officers, prices, within.bit_count(), told)


@lru_cache(maxsize=8)
def _split(rules: tuple[tuple[str, Rule], ...]) -> tuple[tuple[tuple[str, Rule], ...], tuple[tuple[str, Rule], ...]]:
    """The rules a Sieve answers with sets, and the rest (checked offer by offer, after them)."""
    return tuple((n, r) for n, r in rules if n in STATIC), tuple((n, r) for n, r in rules if n not in STATIC)


_UNPICKED: Any = object()  # no officer picked yet for the bank (None: picked, and there is none)


def _judge(
    need: NeedCase,
    pairs: Iterable[tuple[Offer, BankRole | None]],
    lookup: Callable[[UUID], Iterable[OfficerSlot] | None],
    day: date,
    rules: tuple[tuple[str, Rule], ...],
    skips: tuple[frozenset[UUID], frozenset[UUID], frozenset[UUID]],
    prices: Mapping[UUID, float] | None,
    excluded: list[Excluded],
) -> list[_Eligible]:
    """The candidates that break no rule and have an officer, scored (less their line's price); every other one is
    added to `excluded` with its first broken rule."""
    skip_products, skip_banks, skip_officers = skips
    skipping = bool(skip_products or skip_banks)
    officer_of_bank: dict[UUID, OfficerSlot | None] = {}
    eligible: list[_Eligible] = []
    for offer, role in pairs:
        bank_id = offer.bank_id
        if skipping and (offer.product_id in skip_products or bank_id in skip_banks):
            excluded.append(Excluded(bank_id, offer.product_id, "already_tried", "already_tried", {}))
            continue
        broken = first_broken_rule(need, offer, role, day, rules)
        if broken is not None:
            name, (code, params) = broken
            excluded.append(Excluded(bank_id, offer.product_id, name, code, params))
            continue
        officer = officer_of_bank.get(bank_id, _UNPICKED)
        if officer is _UNPICKED:  # one pick per bank and decision
            officer = officer_of_bank[bank_id] = pick_officer(lookup(bank_id) or (), need, skip_officers)
        if officer is None:
            excluded.append(Excluded(bank_id, offer.product_id, "no_officer", "no_officer", {}))
            continue
        parts = values(need, offer, role, officer, day)
        score = total_of(parts)
        worth = score - price_of(prices, offer.product_id, need.terms.amount) if prices else score
        eligible.append(((-worth, offer.product_id), offer, officer, role, parts, score))
    return eligible


def _outranked(eligible: Iterable[_Eligible], code: str) -> list[Excluded]:
    return [
        Excluded(o.bank_id, o.product_id, "outranked", code, {"score": f"{score:.4f}"})
        for _, o, _, _, _, score in eligible
    ]
