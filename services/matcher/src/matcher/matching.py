"""The matcher's use cases, each inside the caller's transaction (the consumer's inbox transaction, or the sweep's):
route a need to the best candidate with capacity reserved, re-route when an officer declines or does not answer in
time, escalate when nobody is left and try escalated needs again later, and keep capacity and officer load in step
with outcomes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

import structlog

from contracts import Event
from contracts import matcher as ev
from lianrong_platform import outbox
from lianrong_platform.db import Connection
from matcher import desk
from matcher.adapters import postgres_decisions as decisions
from matcher.adapters import postgres_market as market
from matcher.adapters import postgres_needs as needs
from matcher.adapters.postgres_decisions import DecisionRow
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.prices import line_prices
from matcher.domain.reasons import describe, summarise
from matcher.domain.record import Skips, inputs_of, outcome_of
from matcher.domain.routing import Decision, decide
from matcher.domain.score import WEIGHTS, weights_version
from matcher.domain.sieve import Read
from matcher.domain.sla import CHINA, deadline
from matcher.domain.snapshot import Share, Snapshot
from matcher.settings import MatcherSettings

log = structlog.get_logger(__name__)

PRODUCER = "matcher"
MAX_RACES = 5  # another instance took the capacity or officer we chose: decide again with fresh numbers
WEIGHTS_VERSION = weights_version(WEIGHTS)


def _kind(row: dict[str, Any]) -> str:
    if row["status"] == "escalated":
        return "second_chance"
    if row["status"] == "waiting":
        return "waited"
    return "first" if row["attempts"] == 0 else "reroute"


async def route_need(
    conn: Connection,
    need_id: UUID,
    settings: MatcherSettings,
    *,
    cause: Event | None = None,
    now: datetime | None = None,
    found: tuple[NeedCase, dict[str, Any]] | None = None,
    kind: str | None = None,
    only_bank: UUID | None = None,
    only_product: UUID | None = None,
) -> ev.MatchProposed | ev.NeedEscalated | None:
    """Propose the need to its best candidate, or escalate it. None when the need is not open for routing.

    `found` is the need's row when the caller holds it locked already (it has just inserted it). Every decision
    that proposes or escalates is recorded with its inputs (the decision record, 全程留痕).

    `only_bank`: a coordinator's recommendation — that bank's products alone are candidates, whatever the tiers and
    even if the bank passed the need on before; when none can serve it, DeskRefused and nothing changes.

    `only_product`: a re-plan's placement (`python -m matcher plan --apply`) — that product alone is a candidate, under
    every rule and the need's skip lists; when it cannot serve the need now, nothing changes and None is returned."""
    found = found or await needs.need_for_update(conn, need_id)
    if found is None:
        return None
    need, row = found
    if row["status"] not in ("open", "waiting", "escalated"):
        return None
    now = now or datetime.now(UTC)
    kind = kind or _kind(row)
    day = now.astimezone(CHINA).date()
    envelope: dict[str, Any] = {"producer": PRODUCER, **(cause.caused() if cause else {})}
    retry_at = now + timedelta(seconds=settings.retry_escalated_seconds)  # when an escalated need is tried again
    skipped_banks = frozenset(row["skip_banks"]) - ({only_bank} if only_bank else set())
    skips = Skips(frozenset(row["skip_products"]), skipped_banks, frozenset(row["skip_officers"]))
    await decisions.keep_weights(conn, WEIGHTS_VERSION, WEIGHTS)
    for _ in range(MAX_RACES):
        offers = await market.offers_for(conn, need.chain, [t.value for t in need.terms.product_types])
        if only_bank is not None:
            offers = [o for o in offers if o.bank_id == only_bank]
        if only_product is not None:
            offers = [o for o in offers if o.product_id == only_product]
        roles = await market.roles_for(conn, need.chain)
        officers = await market.officers_of(conn, sorted({o.bank_id for o in offers}))
        prices = _prices(offers, settings)
        decision = _decide(need, offers, roles, officers, day, skips, prices)
        choice = decision.choice
        if choice is None and only_bank is not None:
            summary = summarise((e.code, e.params) for e in decision.excluded) or [("no_product", 0, {})]
            raise desk.DeskRefused(
                "This bank has no product and officer that can serve the need.",
                field="bank_id",
                code="bank_cannot_serve",
                params={"reasons": ",".join(code for code, _, _ in summary)},
            )
        if choice is None and only_product is not None:
            return None  # the plan's line or officer was taken since it was solved: the need stays as it was
        if choice is None and row["status"] == "escalated":
            # A second chance that found nobody either: the regulator knows already; wait and try again.
            await needs.set_need(conn, need_id, next_retry_at=retry_at)
            await decisions.note_quiet_retry(conn, need_id, now)
            return None
        wait_until = _waits(need, row, decision, offers, officers, settings, now) if choice is None else None
        if wait_until is not None and row["status"] == "waiting":
            # Still nothing, and capacity held by open proposals may still free: try again shortly, quietly.
            retry = min(wait_until, now + timedelta(seconds=settings.wait_retry_seconds))
            await needs.set_need(conn, need_id, next_retry_at=retry)
            await decisions.note_quiet_retry(conn, need_id, now)
            return None
        record = DecisionRow(
            kind,
            now,
            WEIGHTS_VERSION,
            inputs_of(need, day, skips, offers, roles, officers, prices, decision),
            outcome_of(decision, offers),
        )
        if wait_until is not None:  # wait for it before the need is escalated
            await needs.record_batch(conn, [], [_waiting(need, wait_until, now, record, settings)])
            return None
        if choice is None:
            escalated = await _escalate(conn, need, row, decision, record, envelope, retry_at)
            await desk.list_need(conn, need, "escalation", settings, now=now, cause=escalated)
            return escalated
        amount = need.terms.amount
        if not await market.reserve(conn, choice.offer.product_id, need.chain, amount, choice.officer.officer_id):
            continue
        proposal = needs.ProposalRow(
            match_id=uuid.uuid4(),
            need_id=need_id,
            chain=need.chain,
            bank_id=choice.offer.bank_id,
            product_id=choice.offer.product_id,
            officer_id=choice.officer.officer_id,
            amount=amount,
            attempt=row["attempts"] + 1,
            score=choice.score,
            answer_by=deadline(now, settings.sla_seconds, working_hours=settings.sla_working_hours),
            record=record,
        )
        await needs.insert_proposal(conn, proposal)
        route = "recommended" if only_bank is not None else "automatic"
        proposed = _proposed(proposal, need, decision, envelope, settings, route=route)
        await outbox.record(conn, proposed)
        return proposed
    raise RuntimeError(f"need {need_id}: capacity or officers kept changing under {MAX_RACES} decisions")


def _decide(
    need: NeedCase,
    offers: list[Offer] | Read,
    roles: ChainRoles,
    officers: Mapping[UUID, list[OfficerSlot]],
    day: date,
    skips: Skips,
    prices: dict[UUID, float],
) -> Decision:
    """The decision on what the service read for the need: the offers of its chain and asked kinds (as a list, or as
    a read of the batch's Sieve of them)."""
    return decide(
        need,
        offers,
        roles,
        officers,
        day,
        skip_products=skips.products,
        skip_banks=skips.banks,
        skip_officers=skips.officers,
        read_by_chain_and_kind=True,
        prices=prices,
    )


def _prices(offers: list[Offer], settings: MatcherSettings) -> dict[UUID, float]:
    """The capacity prices of the candidates' lines (none when prices are switched off)."""
    return {o.product_id: o.price for o in offers if o.price > 0} if settings.capacity_prices else {}


async def refresh_prices(conn: Connection, settings: MatcherSettings, *, now: datetime | None = None) -> int:
    """Learn the capacity prices again: the latest needs of the last `price_window_days` (at most
    `price_sample_needs`; what was asked, whatever became of it) against the share of every line's period that
    sample stands for. Returns how many lines have a price."""
    now = now or datetime.now(UTC)
    sample, oldest = await needs.latest(
        conn, settings.price_sample_needs, now - timedelta(days=settings.price_window_days)
    )
    prices: dict[UUID, float] = {}
    if sample and oldest is not None:
        offers = [o for o in await market.all_offers(conn) if not o.withdrawn]
        roles = await market.all_roles(conn)
        share = sample_share(now - oldest, settings)
        prices = line_prices(sample, offers, roles, now.astimezone(CHINA).date(), capacity_share=share)
    await market.replace_prices(conn, prices, now)
    return len(prices)


def sample_share(span: timedelta, settings: MatcherSettings) -> float:
    """The share of a line's period the demand sample stands for: the time from its oldest need to now. When the
    window holds more needs than the sample takes, the sample is the last days of it, not the whole window (a month
    of lines against a week of demand would leave every line unpriced); a young market's few days, not a month.
    At least a day, so a handful of needs minutes old does not price every line as if it were empty."""
    days = min(max(span / timedelta(days=1), 1.0), settings.price_window_days)
    return min(1.0, days / settings.line_period_days)


# What stops a need now but may not for long: a line or a whole-chain line held by open proposals, officers at their
# limit. (Any other exclusion holds until the need, the product or the officer changes.)
_MAY_FREE = frozenset({"line_insufficient", "chain_line_insufficient", "no_officer"})


def _waits(
    need: NeedCase,
    row: dict[str, Any],
    decision: Decision,
    offers: list[Offer],
    officers: Mapping[UUID, list[OfficerSlot]],
    settings: MatcherSettings,
    now: datetime,
) -> datetime | None:
    """Until when the need may wait for capacity to free, or None: it is escalated now."""
    if not settings.wait_for_capacity_seconds or row["status"] not in ("open", "waiting"):
        return None
    wait_until: datetime = row.get("wait_until") or now + timedelta(seconds=settings.wait_for_capacity_seconds)
    if now >= wait_until:
        return None
    by_id = {o.product_id: o for o in offers}
    amount = need.terms.amount
    for e in decision.excluded:
        offer = by_id.get(e.product_id)
        if offer is None or e.code not in _MAY_FREE:
            continue
        if e.code == "line_insufficient" and offer.free + offer.reserved >= amount:
            return wait_until  # open reservations on this line would make room
        if e.code == "chain_line_insufficient" and offer.chain_free is not None:
            return wait_until
        if e.code == "no_officer" and any(
            o.profile.available and o.open_matches for o in officers.get(offer.bank_id, ())
        ):
            return wait_until  # an officer who is on duty has open matches that will close
    return None


def _waiting(
    need: NeedCase, wait_until: datetime, now: datetime, record: DecisionRow, settings: MatcherSettings
) -> needs.Escalation:
    retry_at = min(wait_until, now + timedelta(seconds=settings.wait_retry_seconds))
    return needs.Escalation(need.need_id, retry_at, record, status="waiting", wait_until=wait_until)


async def retry_waiting(conn: Connection, settings: MatcherSettings, *, now: datetime | None = None) -> int:
    """Waiting needs due for another try are routed again: proposed if capacity freed, escalated once their wait is
    over; returns how many were proposed."""
    now = now or datetime.now(UTC)
    proposed = 0
    for need_id in await needs.due_waiting(conn, now, 50):
        if isinstance(await route_need(conn, need_id, settings, now=now), ev.MatchProposed):
            proposed += 1
    return proposed


class _RaceLost(Exception):
    """Another instance took part of a line, a chain line or an officer's slot the batch counted on."""


async def route_new_needs(
    conn: Connection,
    found: list[tuple[NeedCase, dict[str, Any]]],
    causes: dict[UUID, Event],
    settings: MatcherSettings,
    *,
    now: datetime | None = None,
) -> None:
    """`route_need` for a batch of needs just inserted, in arrival order, with the same choices, records and events
    — but against one reading of the market (a Snapshot each decision takes its share of) and written with a
    statement per table: the reservations (guarded), the proposals, records and need statuses, the desk listings,
    the outbox.

    If the guarded write finds that another instance took part of what the batch counted on, the batch's
    reservations are rolled back (a savepoint) and the batch is decided again on a fresh reading of the market (the
    other instance's reservations are committed by then: the guarded write waited for its row locks); after
    `BATCH_ATTEMPTS` lost races, each need is decided again on its own."""
    now = now or datetime.now(UTC)
    day = now.astimezone(CHINA).date()
    retry_at = now + timedelta(seconds=settings.retry_escalated_seconds)
    await decisions.keep_weights(conn, WEIGHTS_VERSION, WEIGHTS)
    chains = sorted({need.chain for need, _ in found})
    kinds = sorted({t.value for need, _ in found for t in need.terms.product_types})
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        snapshot = await market.snapshot_for(conn, chains, kinds)
        shares, outcomes, waits = _decide_batch(found, snapshot, day, now, settings)
        try:
            async with conn.transaction():  # a savepoint: the batch's reservations, all or none
                if shares and not await market.reserve_batch(conn, shares):
                    raise _RaceLost
        except _RaceLost:
            log.info("batch.race_lost", needs=len(found), attempt=attempt)
            continue
        await _write_batch(conn, outcomes, causes, settings, now, retry_at, waits)
        return
    for need, row in found:
        await route_need(conn, need.need_id, settings, cause=causes[need.need_id], now=now, found=(need, row))


BATCH_ATTEMPTS = 3  # a batch lost to another instance is decided again whole this often, then need by need


def _decide_batch(
    found: list[tuple[NeedCase, dict[str, Any]]],
    snapshot: Snapshot,
    day: date,
    now: datetime,
    settings: MatcherSettings,
) -> tuple[list[Share], list[tuple[NeedCase, dict[str, Any], Decision, DecisionRow]], dict[UUID, datetime]]:
    """Each need of the batch decided in order, each taking its share of the snapshot; their records; and the needs
    that wait for capacity to free instead of being escalated."""
    shares: list[Share] = []
    outcomes: list[tuple[NeedCase, dict[str, Any], Decision, DecisionRow]] = []
    waits: dict[UUID, datetime] = {}
    for need, row in found:
        skips = Skips(frozenset(row["skip_products"]), frozenset(row["skip_banks"]), frozenset(row["skip_officers"]))
        roles = snapshot.roles_for(need.chain)
        read = snapshot.read(need, roles, day)
        offers = read.offers
        officers = snapshot.officers_of(o.bank_id for o in offers)
        prices = _prices(offers, settings)
        decision = _decide(need, read, roles, officers, day, skips, prices)
        record = DecisionRow(
            _kind(row), now, WEIGHTS_VERSION, inputs_of(need, day, skips, offers, roles, officers, prices, decision),
            outcome_of(decision, offers),
        )  # fmt: skip
        if (choice := decision.choice) is not None:
            share = Share(choice.offer.product_id, choice.offer.bank_id, need.chain, need.terms.amount,
                          choice.officer.officer_id)  # fmt: skip
            snapshot.take(choice.offer, choice.officer, share)
            shares.append(share)
        elif wait_until := _waits(need, row, decision, offers, officers, settings, now):
            waits[need.need_id] = wait_until
        outcomes.append((need, row, decision, record))
    return shares, outcomes, waits


async def _write_batch(
    conn: Connection,
    outcomes: list[tuple[NeedCase, dict[str, Any], Decision, DecisionRow]],
    causes: dict[UUID, Event],
    settings: MatcherSettings,
    now: datetime,
    retry_at: datetime,
    waits: dict[UUID, datetime],
) -> None:
    """The decided batch: proposals, records and statuses in one statement, desk listings, then every event in the
    order the one-need path would have recorded them."""
    answer_by = deadline(now, settings.sla_seconds, working_hours=settings.sla_working_hours)
    proposals: list[needs.ProposalRow] = []
    escalations: list[needs.Escalation] = []
    announced: list[tuple[NeedCase, dict[str, Any], Decision, dict[str, Any], needs.ProposalRow | None]] = []
    for need, row, decision, record in outcomes:
        envelope: dict[str, Any] = {"producer": PRODUCER, **causes[need.need_id].caused()}
        choice = decision.choice
        if choice is None and (wait_until := waits.get(need.need_id)):
            escalations.append(_waiting(need, wait_until, now, record, settings))
            continue
        if choice is None:
            escalations.append(needs.Escalation(need.need_id, retry_at, record))
            announced.append((need, row, decision, envelope, None))
            continue
        proposal = needs.ProposalRow(
            match_id=uuid.uuid4(),
            need_id=need.need_id,
            chain=need.chain,
            bank_id=choice.offer.bank_id,
            product_id=choice.offer.product_id,
            officer_id=choice.officer.officer_id,
            amount=need.terms.amount,
            attempt=row["attempts"] + 1,
            score=choice.score,
            answer_by=answer_by,
            record=record,
        )
        proposals.append(proposal)
        announced.append((need, row, decision, envelope, proposal))
    # PostgreSQL writes the batch while this process builds and encodes its events (on another core on a small
    # machine): the statement is sent at the first yield, and nothing else uses the connection until it is done.
    writing = asyncio.create_task(needs.record_batch(conn, proposals, escalations))
    try:
        await asyncio.sleep(0)
        events: list[Event] = [
            _escalated(need, row, decision, envelope)
            if proposal is None
            else _proposed(proposal, need, decision, envelope, settings, route="automatic")
            for need, row, decision, envelope, proposal in announced
        ]
        rows = outbox.encoded(*events)
    finally:
        await writing
    by_id = {need.need_id: need for need, _, _, _ in outcomes}
    # On the desk because it was escalated: the escalation is the listing's cause, as in `route_need`.
    escalated: list[tuple[NeedCase, Event]] = [(by_id[e.need_id], e) for e in events if isinstance(e, ev.NeedEscalated)]
    listed = {e.need_id: e for e in await desk.list_escalated(conn, escalated, settings, now=now)} if escalated else {}
    ordered: list[outbox.Row] = []
    for event, encoded in zip(events, rows, strict=True):
        ordered.append(encoded)
        if isinstance(event, ev.NeedEscalated) and event.need_id in listed:
            ordered.extend(outbox.encoded(listed[event.need_id]))
    await outbox.insert(conn, ordered)


def _proposed(
    p: needs.ProposalRow,
    need: NeedCase,
    decision: Decision,
    envelope: dict[str, Any],
    settings: MatcherSettings,
    *,
    route: str,
) -> ev.MatchProposed:
    choice = decision.choice
    assert choice is not None
    return ev.MatchProposed(
        **envelope,
        match_id=p.match_id,
        need_id=p.need_id,
        firm_id=need.firm_id,
        chain=need.chain,
        bank_id=p.bank_id,
        bank_name=choice.offer.bank_name or "",
        bank_role=choice.role,
        product_id=p.product_id,
        product_name=choice.offer.terms.name,
        officer_id=p.officer_id,
        officer_name=choice.officer.profile.name,
        reserved_amount=p.amount,
        attempt=p.attempt,
        score=p.score,
        components=tuple(
            _component(part.name, part.weight, part.value, part.explanation, tuple(part.params.items()))
            for part in choice.components
        ),
        # The addressed bank learns why its own products were or were not chosen, never another bank's.
        excluded=tuple(
            _exclusion(e.bank_id, e.product_id, e.rule, e.code, tuple(e.params.items()))
            for e in decision.excluded
            if e.bank_id == p.bank_id
        ),
        answer_by=p.answer_by,
        decide_within_seconds=settings.decision_seconds,
        route=route,
    )


def _escalated(need: NeedCase, row: dict[str, Any], decision: Decision, envelope: dict[str, Any]) -> ev.NeedEscalated:
    summary = summarise((e.code, e.params) for e in decision.excluded) or [("no_product", 0, {})]
    log.info(
        "need.escalated",
        need_id=str(need.need_id),
        attempts=row["attempts"],
        considered=decision.considered,
        reasons=",".join(f"{code}×{count}" for code, count, _ in summary),
    )
    return ev.NeedEscalated(
        **envelope,
        need_id=need.need_id,
        firm_id=need.firm_id,
        chain=need.chain,
        attempts=row["attempts"],
        reasons=tuple(_reason(code, count, tuple(params.items())) for code, count, params in summary),
    )


# The parts of events, built from the matcher's own checked values (names, weights, codes, explanations cut to 500)
# and not validated again; frozen, so one instance serves every event with the same content: most parts repeat
# (the lead bank's component, `line_insufficient` on 3 products, one product's exclusion for many needs).
@lru_cache(maxsize=65_536)
def _component(
    name: str, weight: float, value: float, explanation: str, params: tuple[tuple[str, str], ...]
) -> ev.ScoreComponent:
    return ev.ScoreComponent.model_construct(
        name=name, weight=weight, value=value, explanation=explanation, params=dict(params)
    )


@lru_cache(maxsize=65_536)
def _exclusion(
    bank_id: UUID, product_id: UUID, rule: str, code: str, params: tuple[tuple[str, str], ...]
) -> ev.Exclusion:
    return ev.Exclusion.model_construct(
        bank_id=bank_id,
        product_id=product_id,
        rule=rule,
        code=code,
        params=dict(params),
        detail=describe(code, dict(params))[:500],
    )


@lru_cache(maxsize=16_384)
def _reason(code: str, count: int, params: tuple[tuple[str, str], ...]) -> ev.Reason:
    return ev.Reason.model_construct(code=code, products=count, params=dict(params))


async def _escalate(
    conn: Connection,
    need: NeedCase,
    row: dict[str, Any],
    decision: Decision,
    record: DecisionRow,
    envelope: dict[str, Any],
    retry_at: datetime,
) -> ev.NeedEscalated:
    await needs.escalate(conn, need.need_id, retry_at, record)
    escalated = _escalated(need, row, decision, envelope)
    await outbox.record(conn, escalated)
    return escalated


async def release(conn: Connection, proposal: dict[str, Any], status: str) -> None:
    """Close a live proposal: its reservation (product line and chain line) and the officer's slot are free again."""
    await needs.close_proposal(conn, proposal["match_id"], status)
    await market.release(
        conn, proposal["product_id"], proposal["bank_id"], proposal["chain"], proposal["reserved_amount"]
    )
    await market.free_officer(conn, proposal["officer_id"])


async def reroute(
    conn: Connection,
    proposal: dict[str, Any],
    status: str,
    settings: MatcherSettings,
    cause: Event,
    *,
    skip_bank: bool = False,
) -> None:
    """The proposal is closed and the need routed again, never to the same product or officer; with `skip_bank`,
    never to the same bank."""
    await release(conn, proposal, status)
    need_id = proposal["need_id"]
    await needs.skip(
        conn,
        need_id,
        product_id=proposal["product_id"],
        bank_id=proposal["bank_id"] if skip_bank else None,
        officer_id=proposal["officer_id"],
    )
    await needs.set_need(conn, need_id, status="open")
    await route_need(conn, need_id, settings, cause=cause)


def _about(proposal: dict[str, Any]) -> dict[str, Any]:
    """The fields every event about one proposal carries."""
    return {
        "producer": PRODUCER,
        "match_id": proposal["match_id"],
        "need_id": proposal["need_id"],
        "bank_id": proposal["bank_id"],
        "officer_id": proposal["officer_id"],
        "attempt": proposal["attempt"],
    }


async def _pass_on(
    conn: Connection,
    proposals: list[dict[str, Any]],
    status: str,
    settings: MatcherSettings,
    event_of: Callable[[dict[str, Any]], ev.MatchExpired | ev.MatchDecisionOverdue],
) -> int:
    """Close each proposal with its event and route its need to another bank (a bank that let a deadline pass did
    not staff the need)."""
    for proposal in proposals:
        event = event_of(proposal)
        await outbox.record(conn, event)
        await reroute(conn, proposal, status, settings, event, skip_bank=True)
    return len(proposals)


async def expire_overdue(
    conn: Connection, settings: MatcherSettings, *, now: datetime | None = None, limit: int = 50
) -> int:
    """The SLA sweep: every open proposal past its answer deadline is expired and its need re-routed."""
    overdue = await needs.overdue(conn, now or datetime.now(UTC), limit)
    return await _pass_on(conn, overdue, "expired", settings, lambda p: ev.MatchExpired(**_about(p)))


async def lapse_undecided(
    conn: Connection, settings: MatcherSettings, *, now: datetime | None = None, limit: int = 50
) -> int:
    """Accepted matches with no credit decision by their decision deadline are released, counted as a breach
    (MatchDecisionOverdue) and their needs re-routed."""
    # A grace period after the deadline lets a decision the bank made just in time arrive before the match lapses.
    since = (now or datetime.now(UTC)) - timedelta(seconds=settings.decision_grace_seconds)
    return await _pass_on(
        conn,
        await needs.undecided(conn, since, limit),
        "lapsed",
        settings,
        lambda p: ev.MatchDecisionOverdue(**_about(p), accepted_at=p["accepted_at"], decide_by=p["decide_by"]),
    )


async def retry_escalated(
    conn: Connection, settings: MatcherSettings, *, now: datetime | None = None, limit: int = 20
) -> int:
    """Escalated needs whose wait is over are routed again, oldest wait first; returns how many found a bank now.

    Escalation is not the end for an SME: the line another need held comes back when that need is declined, rejected
    or withdrawn, an officer returns from leave, a bank publishes a product. A need that still finds nobody waits
    another `retry_escalated_seconds` and publishes nothing new; after `retry_escalated_days` it is left to the
    regulator and the banks."""
    now = now or datetime.now(UTC)
    proposed = 0
    for need_id in await needs.due_for_retry(conn, now, now - timedelta(days=settings.retry_escalated_days), limit):
        if isinstance(await route_need(conn, need_id, settings, now=now), ev.MatchProposed):
            proposed += 1
    return proposed


async def disbursed(conn: Connection, proposal: dict[str, Any], amount: Decimal) -> None:
    await needs.close_proposal(conn, proposal["match_id"], "disbursed")
    await market.consume(
        conn, proposal["product_id"], proposal["bank_id"], proposal["chain"], proposal["reserved_amount"], amount
    )
    await market.free_officer(conn, proposal["officer_id"])
    await needs.set_need(conn, proposal["need_id"], status="disbursed")
