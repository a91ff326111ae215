"""Capacity prices (bid prices): what a yuan of each product's line is worth to the needs that compete for it.

They are the dual values of the line constraints in the LP relaxation of the placement problem over a sample of
recent demand, each line scaled to the share of its period the sample covers (demand learned from the stream). A
line that only a few needs can use, or that many needs want, gets a high price; a line nobody else needs, none.

The streaming matcher then chooses the candidate with the best score less the price of the line it would take: a
need that can go to several banks leaves a scarce line to the needs that only it can serve (typically the lead
bank's line, for firms that consented to the lead bank alone). The lead-bank policy stays in the score (its 0.30
weight): the lead bank is chosen whenever its line is not worth more to others.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from matcher.domain.eligibility import first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer
from matcher.domain.quality import pair_value

WAN = 10_000.0  # prices are per 万元; amounts in 万元 keep the simplex well conditioned


def line_prices(
    needs: Sequence[NeedCase],
    offers: Iterable[Offer],
    roles: ChainRoles,
    day: date,
    *,
    capacity_share: float,
) -> dict[UUID, float]:
    """Each product's price per 万元 of its line (only those above zero), from the LP over `needs` against
    `capacity_share` of every line's capacity."""
    # Imported here: deciding a need uses only `price_of`, never the solver.
    from ortools.linear_solver import pywraplp  # type: ignore[import-untyped]

    by_chain: dict[str, list[Offer]] = defaultdict(list)
    for offer in offers:
        if not offer.withdrawn:
            for chain in offer.terms.chains:
                by_chain[chain].append(offer)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    by_need: dict[UUID, list[Any]] = defaultdict(list)
    loads: dict[UUID, list[tuple[float, Any]]] = defaultdict(list)
    capacity: dict[UUID, float] = {}
    objective = []
    for need in needs:
        kinds = set(need.terms.product_types)
        amount = float(need.terms.amount) / WAN
        for offer in by_chain.get(need.chain, ()):
            if offer.terms.product_type not in kinds:
                continue
            role = roles.role_of(need.chain, offer.bank_id, day)
            fresh = dataclasses.replace(offer, disbursed=Decimal(0), reserved=Decimal(0), chain_free=None)
            if first_broken_rule(need, fresh, role, day) is not None:
                continue
            x = solver.NumVar(0.0, 1.0, "")
            by_need[need.need_id].append(x)
            loads[offer.product_id].append((amount, x))
            capacity[offer.product_id] = float(offer.terms.capacity) / WAN * capacity_share
            objective.append((pair_value(need, offer, roles, day), x))
    if not objective:
        return {}
    for xs in by_need.values():
        solver.Add(sum(xs) <= 1)
    lines = {p: solver.Add(sum(a * x for a, x in terms) <= capacity[p]) for p, terms in loads.items()}
    solver.Maximize(sum(w * x for w, x in objective))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return {}
    return {p: round(c.dual_value(), 6) for p, c in lines.items() if c.dual_value() > 1e-9}


def price_of(prices: Mapping[UUID, float] | None, product_id: UUID, amount: Decimal) -> float:
    """What taking `amount` of the product's line costs, in score units."""
    if not prices:
        return 0.0
    return prices.get(product_id, 0.0) * float(amount) / WAN
