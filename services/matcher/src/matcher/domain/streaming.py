"""The streaming matcher's decisions replayed in memory: needs in arrival order, each routed as the service routes
it (decide, reserve the amount, take an officer's slot). The benchmark and the planner's tests use it to compare
the service's policy with other ones on the same market without Kafka or a database in the way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from uuid import UUID

from matcher.domain.market import ChainRoles, NeedCase, Offer, OfferIndex, OfficerSlot
from matcher.domain.routing import Decision, decide


def stream(
    needs: Sequence[NeedCase],
    offers: Iterable[Offer],
    roles: ChainRoles,
    officers: dict[UUID, list[OfficerSlot]],
    day: date,
    *,
    indexed: bool = True,
    on_decision: Callable[[NeedCase, Decision], None] | None = None,
) -> dict[UUID, UUID]:
    index = OfferIndex(offers)
    crews = {bank: list(slots) for bank, slots in officers.items()}
    assignment: dict[UUID, UUID] = {}
    for need in needs:
        candidates = index.candidates(need, roles, day) if indexed else index.all()
        decision = decide(need, candidates, roles, crews, day, indexed=indexed)
        if on_decision is not None:
            on_decision(need, decision)
        choice = decision.choice
        if choice is None:
            continue
        index.put(dataclasses.replace(choice.offer, reserved=choice.offer.reserved + need.terms.amount))
        crew = crews[choice.offer.bank_id]
        crew[crew.index(choice.officer)] = dataclasses.replace(
            choice.officer, open_matches=choice.officer.open_matches + 1
        )
        assignment[need.need_id] = choice.offer.product_id
    return assignment
