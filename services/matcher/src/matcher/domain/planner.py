"""The optimal planner: all open needs × all offers at once, under the same hard rules and limits as the streaming
matcher, solved with OR-Tools CP-SAT.

The same problem as streaming: a pair is eligible by the same rules; each product's line, each bank's whole-chain
credit line (整链授信) for a chain, and each officer's room for open matches bound the plan; a need placed with a
bank is given one of that bank's officers who covers its chain and town (never one who passed it on). Amounts are
in fen, so two needs of 50.90 and 49.90 do not fit a line of 100.00. The objective is the pair value (fit and the
lead-bank policy, as the quality yardstick counts it).

A need cannot be split between banks, so this is an integer assignment with knapsack capacities. It is the yardstick
for the streaming matcher and, with `python -m matcher plan --apply`, a periodic re-plan of the needs left open.
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

SCALE = 10_000  # CP-SAT works in integers: values to 1e-4


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


@dataclass(frozen=True)
class Plan:
    assignment: dict[UUID, UUID]  # need → product
    objective: float
    bound: float
    optimal: bool
    pairs: int
    officers: dict[UUID, UUID] = dataclasses.field(default_factory=dict)  # need → officer


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
    line: dict[UUID, list[tuple[int, cp_model.IntVar]]] = {}
    chain_line: dict[tuple[UUID, str], list[tuple[int, cp_model.IntVar]]] = {}
    chain_free: dict[tuple[UUID, str], int] = {}
    staffed: dict[tuple[UUID, UUID], list[tuple[UUID, cp_model.IntVar]]] = {}  # (need, bank) → its officers
    desk: dict[UUID, list[cp_model.IntVar]] = {}  # officer → the needs given to them
    room: dict[UUID, int] = {}
    free = {o.product_id: fen(o.free) for o in offers}
    for need in needs:
        pool = candidates(need) if candidates else offers
        amount = fen(need.terms.amount)
        for offer in pool:
            role = roles.role_of(need.chain, offer.bank_id, day)
            # Lines are the model's constraints, not per-pair rules: judge each pair against untouched lines.
            fresh = dataclasses.replace(offer, disbursed=Decimal(0), reserved=Decimal(0), chain_free=None)
            if first_broken_rule(need, fresh, role, day) is not None or amount > free[offer.product_id]:
                continue
            crew = [
                o for o in lookup(offer.bank_id) or () if o.covers(need.chain, need.firm.town)
            ]  # fmt: skip
            if not crew:
                continue
            key = (need.need_id, offer.product_id)
            chosen[key] = var = model.new_bool_var(f"x_{len(chosen)}")
            values[key] = round(pair_value(need, offer, roles, day) * SCALE)
            line.setdefault(offer.product_id, []).append((amount, var))
            if offer.chain_free is not None:
                whole = (offer.bank_id, need.chain)
                chain_free[whole] = fen(offer.chain_free)
                chain_line.setdefault(whole, []).append((amount, var))
            by_bank = (need.need_id, offer.bank_id)
            if by_bank not in staffed:
                staffed[by_bank] = []
                for officer in crew:
                    y = model.new_bool_var(f"y_{len(desk)}_{len(staffed)}")
                    staffed[by_bank].append((officer.officer_id, y))
                    desk.setdefault(officer.officer_id, []).append(y)
                    room[officer.officer_id] = officer.profile.max_open_matches - officer.open_matches
    by_need: dict[UUID, list[cp_model.IntVar]] = {}
    by_need_bank: dict[tuple[UUID, UUID], list[cp_model.IntVar]] = {}
    bank_of = {o.product_id: o.bank_id for o in offers}
    for (need_id, product_id), var in chosen.items():
        by_need.setdefault(need_id, []).append(var)
        by_need_bank.setdefault((need_id, bank_of[product_id]), []).append(var)
    for vars_ in by_need.values():
        model.add_at_most_one(vars_)
    for key, vars_ in by_need_bank.items():  # placed with a bank ⇔ given exactly one of its covering officers
        model.add(sum(vars_) == sum(y for _, y in staffed[key]))
    for officer_id, ys in desk.items():
        model.add(sum(ys) <= max(0, room[officer_id]))
    for product_id, terms in line.items():
        model.add(sum(amount * var for amount, var in terms) <= free[product_id])
    for whole, terms in chain_line.items():
        model.add(sum(amount * var for amount, var in terms) <= max(0, chain_free[whole]))
    model.maximize(sum(values[k] * v for k, v in chosen.items()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Plan({}, 0.0, 0.0, False, len(chosen))
    assignment = {n: p for (n, p), var in chosen.items() if solver.value(var)}
    given = {
        need_id: officer_id
        for (need_id, _), ys in staffed.items()
        for officer_id, y in ys
        if solver.value(y)
    }  # fmt: skip
    return Plan(
        assignment,
        solver.objective_value / SCALE,
        solver.best_objective_bound / SCALE,
        status == cp_model.OPTIMAL,
        len(chosen),
        given,
    )
