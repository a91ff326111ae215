"""Upper bounds on what any assignment could achieve on a market: the LP relaxation of the placement problem (a need
may be split, lines and officers' room are sums), solved with GLOP. Deterministic, unlike a time-limited integer
search, and never below the best integer answer; a quality ÷ bound is therefore a floor on quality ÷ optimum.

Two objectives: the value of the placements (the same per-pair value as the planner: fit and the lead-bank policy),
and the yuan placed."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ortools.linear_solver import pywraplp

from matcher.domain.eligibility import first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfferIndex, OfficerSlot
from matcher.domain.quality import pair_value

WAN = 10_000.0  # amounts in 万元 inside the LP: coefficients near 1 keep the simplex well conditioned


def lp_bound(
    needs: list[NeedCase],
    offers: list[Offer],
    roles: ChainRoles,
    officers: dict[UUID, list[OfficerSlot]],
    day: date,
    objective: Literal["value", "yuan"],
) -> float:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    index = OfferIndex(offers)
    by_need: dict[UUID, list[pywraplp.Variable]] = defaultdict(list)
    by_product: dict[UUID, list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
    by_bank: dict[UUID, list[pywraplp.Variable]] = defaultdict(list)
    terms = []
    for need in needs:
        covering = {bank: [o for o in crew if o.covers(need.chain, need.firm.town)] for bank, crew in officers.items()}
        for offer in index.candidates(need, roles, day):
            role = roles.role_of(need.chain, offer.bank_id, day)
            fresh = dataclasses.replace(offer, disbursed=Decimal(0), reserved=Decimal(0))
            if first_broken_rule(need, fresh, role, day) is not None or not covering.get(offer.bank_id):
                continue
            x = solver.NumVar(0.0, 1.0, "")
            by_need[need.need_id].append(x)
            by_product[offer.product_id].append((float(need.terms.amount) / WAN, x))
            by_bank[offer.bank_id].append(x)
            weight = pair_value(need, offer, roles, day) if objective == "value" else float(need.terms.amount) / WAN
            terms.append((weight, x))
    for xs in by_need.values():
        solver.Add(sum(xs) <= 1)
    free = {o.product_id: float(o.free) / WAN for o in offers}
    for product_id, loads in by_product.items():
        solver.Add(sum(a * x for a, x in loads) <= free[product_id])
    for bank, xs in by_bank.items():  # the bank's officers' room, summed: weaker than per officer, so still a bound
        room = sum(max(0, o.profile.max_open_matches - o.open_matches) for o in officers.get(bank, ()))
        solver.Add(sum(xs) <= room)
    solver.Maximize(sum(w * x for w, x in terms))
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        raise RuntimeError(f"the LP relaxation did not solve (status {status})")
    value = float(solver.Objective().Value())
    return value if objective == "value" else value * WAN
