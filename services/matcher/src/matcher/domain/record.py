"""全程留痕: what a routing decision was decided on, kept so an examiner can replay it years later.

A record holds the need as it stood, the day, the needs' skip lists, and for every candidate product the version of
its terms and the line figures read; the chain's designations; every officer of the candidate banks with the version
of their profile and their load. Product terms and officer profiles are stored once per version beside the records
(they rarely change), so a record stays small. `replay` decides again from those inputs with the code in force and
says whether the choice, the score and every exclusion come out the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.banks import OfficerProfile, ProductTerms
from contracts.firms import ChainPosition, FirmFacts, NeedTerms
from contracts.values import BankRole
from matcher.domain.market import ChainRoles, Designation, NeedCase, Offer, OfficerSlot
from matcher.domain.routing import Decision, decide


@dataclass(frozen=True)
class Skips:
    products: frozenset[UUID] = frozenset()
    banks: frozenset[UUID] = frozenset()
    officers: frozenset[UUID] = frozenset()


def inputs_of(
    need: NeedCase,
    day: date,
    skips: Skips,
    offers: list[Offer],
    roles: ChainRoles,
    officers: Mapping[UUID, list[OfficerSlot]],
    prices: Mapping[UUID, float] | None = None,
    decision: Decision | None = None,
) -> dict[str, Any]:
    """The decision's inputs as compact JSON: lists, not objects, for the many candidates and officers; the capacity
    prices of the candidates' lines when the decision used any. With the `decision`, only the officers it looked
    at: those of the banks with a candidate that broke no rule (an officer is sought for no other bank, so the
    replay decides the same; a record is then about half as large)."""
    if decision is not None:
        looked_at = consulted(decision)
        officers = {bank: crew for bank, crew in officers.items() if bank in looked_at}
    found = {
        "prices": {str(p): price for p, price in prices.items()}
    } if prices else {}  # fmt: skip
    return found | {
        "day": day.isoformat(),
        "need": {
            "need_id": str(need.need_id),
            "firm_id": str(need.firm_id),
            "chain": need.chain,
            "first_loan": need.first_loan,
            "terms": need.recorded[0],
            "firm": need.recorded[1],
            "position": need.recorded[2],
        },
        "skip": [sorted(map(str, s)) for s in (skips.products, skips.banks, skips.officers)],
        "offers": [o.recorded for o in offers],  # see Offer.recorded
        "roles": roles.recorded,
        "officers": [s.recorded for slots in officers.values() for s in slots],
    }  # fmt: skip


def consulted(decision: Decision) -> set[UUID]:
    """The banks whose officers a decision sought: the chosen one's, and those of every candidate outranked or
    left without an officer (the candidates that broke no rule)."""
    banks = {e.bank_id for e in decision.excluded if e.rule in ("outranked", "no_officer")}
    if decision.choice is not None:
        banks.add(decision.choice.offer.bank_id)
    return banks


def outcome_of(decision: Decision, offers: list[Offer]) -> dict[str, Any]:
    """What was decided: the choice and every candidate not chosen, with its reason code and parameters; a
    candidate is named by its place in the recorded offers."""
    choice = decision.choice
    place = {o.product_id: i for i, o in enumerate(offers)}
    return {
        "choice": None
        if choice is None
        else {
            "product_id": str(choice.offer.product_id),
            "bank_id": str(choice.offer.bank_id),
            "officer_id": str(choice.officer.officer_id),
            "role": choice.role and choice.role.value,
            "score": choice.score,
            "values": choice.values,
        },
        "excluded": [[place[e.product_id], e.code, e.params] for e in decision.excluded],
    }


def excluded_products(inputs: Mapping[str, Any], outcome: Mapping[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """The recorded exclusions as (product id, code, params)."""
    offers = inputs["offers"]
    return [(offers[i][0], code, params) for i, code, params in outcome["excluded"]]


def versions_read(inputs: Mapping[str, Any]) -> tuple[set[tuple[UUID, int]], set[tuple[UUID, int]]]:
    """The (product, terms version) and (officer, profile version) pairs a record needs to be replayed."""
    products = {(UUID(o[0]), int(o[1])) for o in inputs["offers"]}
    officers = {(UUID(s[0]), int(s[1])) for s in inputs["officers"]}
    return products, officers


@dataclass
class Replay:
    """A recorded decision decided again: `reproduces` when choice, score and exclusions are all the same."""

    recorded: dict[str, Any]
    now: dict[str, Any]
    differences: list[str] = field(default_factory=list)

    @property
    def reproduces(self) -> bool:
        return not self.differences


def replay(
    inputs: Mapping[str, Any],
    recorded: Mapping[str, Any],
    terms_of: Callable[[UUID, int], tuple[UUID, ProductTerms]],
    profile_of: Callable[[UUID, int], tuple[UUID, OfficerProfile]],
    decider: Callable[..., Decision] = decide,
) -> Replay:
    n = inputs["need"]
    need = NeedCase(
        need_id=UUID(n["need_id"]),
        firm_id=UUID(n["firm_id"]),
        chain=n["chain"],
        terms=NeedTerms.model_validate(n["terms"]),
        firm=FirmFacts.model_validate(n["firm"]),
        position=ChainPosition.model_validate(n["position"]),
        first_loan=n["first_loan"],
    )
    offers = []
    for pid, version, disbursed, reserved, withdrawn, chain_free in inputs["offers"]:
        bank_id, terms = terms_of(UUID(pid), version)
        offers.append(
            Offer(
                product_id=UUID(pid),
                bank_id=bank_id,
                bank_name="",
                terms=terms,
                disbursed=Decimal(disbursed),
                reserved=Decimal(reserved),
                withdrawn=withdrawn,
                chain_free=None if chain_free is None else Decimal(chain_free),
                version=version,
            )
        )
    roles = ChainRoles(
        [
            Designation(need.chain, UUID(b), BankRole(r), date.fromisoformat(f), u and date.fromisoformat(u))
            for b, r, f, u in inputs["roles"]
        ]
    )
    officers: dict[UUID, list[OfficerSlot]] = {}
    for oid, version, open_matches in inputs["officers"]:
        bank_id, profile = profile_of(UUID(oid), version)
        slot = OfficerSlot(UUID(oid), bank_id, profile, open_matches, version)
        officers.setdefault(slot.bank_id, []).append(slot)
    products, banks, officer_skips = (frozenset(map(UUID, s)) for s in inputs["skip"])
    prices = {UUID(p): float(price) for p, price in inputs.get("prices", {}).items()}
    decision = decider(
        need,
        offers,
        roles,
        officers,
        date.fromisoformat(inputs["day"]),
        skip_products=products,
        skip_banks=banks,
        skip_officers=officer_skips,
        prices=prices or None,
    )
    now = outcome_of(decision, offers)
    return Replay(dict(recorded), now, _differences(recorded, now))


def _differences(recorded: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    was, is_ = recorded.get("choice"), now.get("choice")
    pick = ("product_id", "officer_id")
    if (was is None) != (is_ is None) or (was and is_ and any(was[k] != is_[k] for k in pick)):
        found.append(f"choice: recorded {_choice(was)}, now {_choice(is_)}")
    elif was and is_ and abs(float(was["score"]) - float(is_["score"])) > 1e-9:
        found.append(f"score: recorded {was['score']}, now {is_['score']}")
    old = {_exclusion_key(e) for e in recorded.get("excluded", [])}
    new = {_exclusion_key(e) for e in now.get("excluded", [])}
    if old != new:
        found.append(f"exclusions: {len(old - new)} recorded only, {len(new - old)} now only")
    return found


def _exclusion_key(e: list[Any]) -> tuple[Any, ...]:
    place, code, params = e
    return place, code, tuple(sorted(params.items()))


def _choice(choice: Mapping[str, Any] | None) -> str:
    if choice is None:
        return "nobody (escalated)"
    return f"product {choice['product_id']} / officer {choice['officer_id']}"
