"""What the benchmark measures on one market, without Kafka: decision time and match quality."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from uuid import UUID

from bench.baselines import greedy_first_fit
from bench.bound import lp_bound
from bench.checker import Placement, check
from bench.market import DAY, Market
from contracts.values import BankRole
from matcher.domain.market import NeedCase, OfferIndex
from matcher.domain.planner import plan
from matcher.domain.prices import line_prices
from matcher.domain.quality import total_value
from matcher.domain.routing import Decision, decide
from matcher.domain.streaming import stream


@dataclass(frozen=True)
class DecisionTimes:
    """µs per decision. `*_us`: the decision as the service records it — its choice and every candidate's exclusion
    composed; `*_choice_us`: the choice alone (exclusions are composed when the record asks for them)."""

    products: int
    decisions: int
    indexed_us: float
    naive_us: float
    same_choices: bool
    indexed_choice_us: float = 0.0
    naive_choice_us: float = 0.0
    same_records: bool = False

    @property
    def speedup(self) -> float:
        return self.naive_us / self.indexed_us

    @property
    def speedup_choice(self) -> float:
        return self.naive_choice_us / self.indexed_choice_us


def decision_times(market: Market, decisions: int = 600, repeats: int = 3) -> DecisionTimes:
    """Per-need decision time of the indexed path (the need's chain, kinds, size and consented banks, read from the
    chain's Sieve) against a scan of every product, on the same needs and the same market state; the best of
    `repeats` rounds each. Raises if the two ever choose differently, or if the Sieve's record (every exclusion)
    differs from the one the same candidates give as a plain list."""
    index = OfferIndex(market.offers)
    needs = market.needs[:decisions]
    everything = index.all()

    def round_(indexed: bool, record: bool) -> tuple[float, list[UUID | None]]:
        started = time.perf_counter()
        picks = []
        for need in needs:
            d = decide(
                need,
                index.read(need, market.roles, DAY) if indexed else everything,
                market.roles,
                market.officers,
                DAY,
                indexed=indexed,
            )
            if record:
                d.excluded  # noqa: B018 — composing the exclusions is what is timed
            picks.append(d.choice.offer.product_id if d.choice else None)
        return (time.perf_counter() - started) / len(needs) * 1e6, picks

    timed = {
        (indexed, record): min((round_(indexed, record) for _ in range(repeats)), key=lambda r: r[0])
        for indexed in (True, False)
        for record in (True, False)
    }
    indexed, naive = timed[(True, True)], timed[(False, True)]
    if indexed[1] != naive[1]:  # a faster path that chooses differently is not the same matcher
        differ = sum(a != b for a, b in zip(indexed[1], naive[1], strict=True))
        raise RuntimeError(f"the indexed and naive paths chose differently for {differ} of {len(needs)} needs")
    for need in needs:
        sieved = decide(need, index.read(need, market.roles, DAY), market.roles, market.officers, DAY, indexed=True)
        listed = decide(
            need, index.candidates(need, market.roles, DAY), market.roles, market.officers, DAY, indexed=True
        )
        if _record(sieved) != _record(listed):
            raise RuntimeError(f"need {need.need_id}: the Sieve's decision record differs from the plain list's")
    return DecisionTimes(
        len(market.offers),
        len(needs),
        indexed[0],
        naive[0],
        True,
        timed[(True, False)][0],
        timed[(False, False)][0],
        True,
    )


def _record(d: Decision) -> tuple[object, ...]:
    choice = d.choice and (d.choice.offer.product_id, d.choice.officer.officer_id, d.choice.score)
    return choice, d.considered, sorted((e.product_id, e.rule, e.code, sorted(e.params.items())) for e in d.excluded)


@dataclass(frozen=True)
class Quality:
    """One market's placements by the streaming matcher, greedy first-fit and the best integer plan found, against
    the LP relaxation's bounds; per need (the planner's pair value: fit and the lead-bank policy) and per yuan.

    `streaming` is the matcher as it runs once it has a period's demand to learn capacity prices from (the service
    learns them from the last 30 days); `first_period_*` the same market's first period (prices learned only from
    the needs seen so far); `hindsight_*` the matcher with the prices learned from this very stream, known in
    advance: what pricing lines can reach at best with a matcher that places every need it can."""

    lines_to_demand: float
    needs: int
    streaming: float
    greedy: float
    best_integer: float
    bound: float
    gap: float  # (bound − best integer) ÷ bound: how far the best plan found may be from the optimum
    streaming_yuan: float
    greedy_yuan: float
    bound_yuan: float
    matched_streaming: int
    matched_greedy: int
    matched_best: int
    capacity_used: float
    lead_share: float
    jain_fairness: float
    violations: int
    planner_seconds: float
    first_period: float = 0.0
    first_period_yuan: float = 0.0
    hindsight: float = 0.0
    hindsight_yuan: float = 0.0

    @property
    def per_need(self) -> float:
        return self.streaming / self.bound

    @property
    def per_yuan(self) -> float:
        return self.streaming_yuan / self.bound_yuan


def _fill_by_bank(market: Market, assignment: dict[UUID, UUID]) -> dict[UUID, float]:
    by_offer = {o.product_id: o for o in market.offers}
    needs = {n.need_id: n for n in market.needs}
    line: dict[UUID, Decimal] = defaultdict(Decimal)
    used: dict[UUID, Decimal] = defaultdict(Decimal)
    for offer in market.offers:
        line[offer.bank_id] += offer.terms.capacity
    for need_id, product_id in assignment.items():
        used[by_offer[product_id].bank_id] += needs[need_id].terms.amount
    return {bank: float(used[bank] / line[bank]) for bank in line if line[bank] > 0}


def jain(values: list[float]) -> float:
    return sum(values) ** 2 / (len(values) * sum(v * v for v in values)) if any(values) else 0.0


LEARN_AT = (0.05, 0.1, 0.2, 0.4, 0.8)  # the points of the stream where capacity prices are learned again


def quality(market: Market, history: list[NeedCase], planner_seconds: float = 20.0) -> Quality:
    """`history`: the period before, on the same market (the same firms, banks and products)."""
    needs = {n.need_id: n for n in market.needs}
    offers = {o.product_id: o for o in market.offers}
    placements: list[Placement] = []

    def placed(need: NeedCase, decision: Decision) -> None:
        if decision.choice is not None:
            placements.append(
                Placement(need.need_id, decision.choice.offer.product_id, decision.choice.officer.officer_id)
            )

    # The service learns capacity prices from the latest month's needs as it runs: here the period before, then
    # the stream as it goes. The first period has only the needs streamed so far.
    stream_ = partial(stream, market.needs, market.offers, market.roles, market.officers, DAY)
    streamed = stream_(on_decision=placed, learn_prices=LEARN_AT, history=history)
    first_period = stream_(learn_prices=LEARN_AT)
    hindsight = stream_(prices=line_prices(market.needs, market.offers, market.roles, DAY, capacity_share=1.0))
    greedy = greedy_first_fit(market.needs, market.offers, market.roles, market.officers, DAY)
    index = OfferIndex(market.offers)
    started = time.perf_counter()
    best = plan(
        market.needs,
        market.offers,
        market.roles,
        market.officers,
        DAY,
        candidates=lambda n: index.candidates(n, market.roles, DAY),
        time_limit_s=planner_seconds,
    )
    solved_in = time.perf_counter() - started
    bound = lp_bound(market.needs, market.offers, market.roles, market.officers, DAY, "value")
    bound_yuan = lp_bound(market.needs, market.offers, market.roles, market.officers, DAY, "yuan")

    def value(assignment: dict[UUID, UUID]) -> float:
        return total_value(assignment, needs, offers, market.roles, DAY)

    def yuan(assignment: dict[UUID, UUID]) -> float:
        return float(sum((needs[n].terms.amount for n in assignment), Decimal(0)))

    capacity = sum((o.terms.capacity for o in market.offers), Decimal(0))
    with_lead = [
        n for n in streamed if market.roles.role_of(needs[n].chain, offers[streamed[n]].bank_id, DAY) is BankRole.LEAD
    ]
    in_chain = [n for n in streamed if needs[n].chain in market.lead_of]
    best_value = value(best.assignment)
    return Quality(
        lines_to_demand=round(market.lines_to_demand, 3),
        needs=len(market.needs),
        streaming=value(streamed),
        greedy=value(greedy),
        best_integer=best_value,
        bound=bound,
        gap=round((bound - best_value) / bound, 4) if bound else 0.0,
        streaming_yuan=yuan(streamed),
        greedy_yuan=yuan(greedy),
        bound_yuan=bound_yuan,
        matched_streaming=len(streamed),
        matched_greedy=len(greedy),
        matched_best=len(best.assignment),
        capacity_used=float(Decimal(yuan(streamed)) / capacity),
        lead_share=len(with_lead) / max(1, len(in_chain)),
        jain_fairness=jain(list(_fill_by_bank(market, streamed).values())),
        violations=len(check(placements, needs, offers, market.officers, market.roles, DAY)),
        planner_seconds=solved_in,
        first_period=value(first_period),
        first_period_yuan=yuan(first_period),
        hindsight=value(hindsight),
        hindsight_yuan=yuan(hindsight),
    )
