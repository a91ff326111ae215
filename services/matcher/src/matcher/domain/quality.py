"""How good a set of matches is, the same yardstick for the streaming matcher, a greedy first-fit and the planner.

A pair's value is its score as if the line were untouched and the officer free: what the match is worth in itself
(lead bank, chain confirmation, fit, honours), not when it happened to be made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from matcher.domain.eligibility import RULES
from matcher.domain.market import ChainRoles, NeedCase, Offer
from matcher.domain.score import components, total


def pair_value(need: NeedCase, offer: Offer, roles: ChainRoles, day: date) -> float:
    fresh = dataclasses.replace(offer, disbursed=Decimal(0), reserved=Decimal(0))
    return total(components(need, fresh, roles.role_of(need.chain, offer.bank_id, day), None, day))


def total_value(
    assignment: Mapping[UUID, UUID],
    needs: Mapping[UUID, NeedCase],
    offers: Mapping[UUID, Offer],
    roles: ChainRoles,
    day: date,
) -> float:
    return sum(pair_value(needs[n], offers[p], roles, day) for n, p in assignment.items())


def violations(
    assignment: Mapping[UUID, UUID],
    needs: Mapping[UUID, NeedCase],
    offers: Iterable[Offer],
    roles: ChainRoles,
    day: date,
) -> list[str]:
    """Every hard rule an assignment breaks: a pair that is not eligible, or a line committed beyond its capacity."""
    by_id = {o.product_id: o for o in offers}
    problems: list[str] = []
    used: dict[UUID, Decimal] = {}
    for need_id, product_id in assignment.items():
        need, offer = needs[need_id], by_id[product_id]
        role = roles.role_of(need.chain, offer.bank_id, day)
        fresh = dataclasses.replace(offer, disbursed=Decimal(0), reserved=Decimal(0))
        for name, rule in RULES:
            if name != "capacity" and rule(need, fresh, role, day) is not None:
                problems.append(f"{need_id} → {product_id}: {name}")
        used[product_id] = used.get(product_id, Decimal(0)) + need.terms.amount
    for product_id, amount in used.items():
        offer = by_id[product_id]
        if amount > offer.terms.capacity - offer.disbursed - offer.reserved:
            problems.append(f"{product_id}: committed {amount} beyond its free capacity")
    return problems
