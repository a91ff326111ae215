"""The optimal planner: all open needs × all offers at once, under the same hard rules and capacities as the
streaming matcher, solved exactly with OR-Tools CP-SAT.

A need cannot be split between banks, so this is an integer assignment with knapsack capacities; a min-cost flow
would be its relaxation (and an upper bound). It is the yardstick for the streaming matcher and an optional periodic
re-plan; officers' load limits are left to the streaming matcher.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from ortools.sat.python import cp_model

from matcher.domain.eligibility import first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.quality import pair_value
from matcher.domain.routing import pick_officer

SCALE = 10_000  # CP-SAT works in integers: values to 1e-4


@dataclass(frozen=True)
class Plan:
    assignment: dict[UUID, UUID]  # need → product
    objective: float
    bound: float
    optimal: bool
    pairs: int


def plan(
    needs: Sequence[NeedCase],
    offers: Sequence[Offer],
    roles: ChainRoles,
    officers_of: Callable[[UUID], Iterable[OfficerSlot]] | Mapping[UUID, Iterable[OfficerSlot]],
    day: date,
    *,
    candidates: Callable[[NeedCase], Iterable[Offer]] | None = None,
    time_limit_s: float = 30.0,
    workers: int = 2,
) -> Plan:
    lookup = officers_of.get if isinstance(officers_of, Mapping) else officers_of
    model = cp_model.CpModel()
    chosen: dict[tuple[UUID, UUID], cp_model.IntVar] = {}
    values: dict[tuple[UUID, UUID], int] = {}
    load: dict[UUID, list[tuple[int, cp_model.IntVar]]] = {}
    free = {o.product_id: o.free for o in offers}
    for need in needs:
        pool = candidates(need) if candidates else offers
        for offer in pool:
            role = roles.role_of(need.chain, offer.bank_id, day)
            # Capacity is the model's constraint, not a per-pair rule: judge each pair against an untouched line.
            fresh = dataclasses.replace(offer, disbursed=Decimal(0), reserved=Decimal(0))
            if first_broken_rule(need, fresh, role, day) is not None or need.terms.amount > free[offer.product_id]:
                continue
            if pick_officer(lookup(offer.bank_id) or (), need) is None:
                continue
            key = (need.need_id, offer.product_id)
            chosen[key] = model.new_bool_var(f"x_{len(chosen)}")
            values[key] = round(pair_value(need, offer, roles, day) * SCALE)
            load.setdefault(offer.product_id, []).append((int(need.terms.amount), chosen[key]))
    by_need: dict[UUID, list[cp_model.IntVar]] = {}
    for (need_id, _), var in chosen.items():
        by_need.setdefault(need_id, []).append(var)
    for vars_ in by_need.values():
        model.add_at_most_one(vars_)
    for product_id, terms in load.items():
        model.add(sum(amount * var for amount, var in terms) <= int(free[product_id]))
    model.maximize(sum(values[k] * v for k, v in chosen.items()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Plan({}, 0.0, 0.0, False, len(chosen))
    assignment = {n: p for (n, p), var in chosen.items() if solver.value(var)}
    return Plan(
        assignment,
        solver.objective_value / SCALE,
        solver.best_objective_bound / SCALE,
        status == cp_model.OPTIMAL,
        len(chosen),
    )
