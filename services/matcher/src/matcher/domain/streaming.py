"""The streaming matcher's decisions replayed in memory: needs in arrival order, each routed as the service routes
it (decide, reserve the amount, take an officer's slot). The benchmark and the planner's tests use it to compare
the service's policy with other ones on the same market without Kafka or a database in the way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from uuid import UUID

from matcher.domain.market import ChainRoles, NeedCase, Offer, OfferIndex, OfficerSlot
from matcher.domain.prices import line_prices
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
    learn_prices: Sequence[float] = (),
    history: Sequence[NeedCase] = (),
    prices: Mapping[UUID, float] | None = None,
) -> dict[UUID, UUID]:
    """With `learn_prices` (fractions of the stream, e.g. 0.05, 0.1, 0.2, 0.4, 0.8), capacity prices are learned as
    the service's price refresh learns them: at each point, from the latest needs against the share of every line
    they stand for, and used for the needs after it. Without `history` that is a market's first period (the needs
    seen so far, against that part of the lines); with the needs of the period before it, the service once it has
    run a period: one period's latest needs (the end of `history`, then the stream) against the whole lines, from
    the first need on. `prices` fixes the prices instead (to measure what given prices would do)."""
    offers = list(offers)
    index = OfferIndex(offers)
    crews = {bank: list(slots) for bank, slots in officers.items()}
    assignment: dict[UUID, UUID] = {}
    refresh = {max(1, int(len(needs) * f)): f for f in learn_prices}
    if prices is None:
        prices = line_prices(history, offers, roles, day, capacity_share=1.0) if history else {}
    for i, need in enumerate(needs):
        if i in refresh and history:
            window = [*history[max(0, len(history) - len(needs) + i) :], *needs[:i]]
            prices = line_prices(window, offers, roles, day, capacity_share=len(window) / len(needs))
        elif i in refresh:
            prices = line_prices(needs[:i], offers, roles, day, capacity_share=refresh[i])
        candidates = index.read(need, roles, day) if indexed else index.all()
        decision = decide(need, candidates, roles, crews, day, indexed=indexed, prices=prices)
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
