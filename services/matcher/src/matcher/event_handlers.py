"""Events in: each event of the firms and banks services updates the matcher's read model or moves a need along.
Every handler runs inside the consumer's inbox transaction, so a replayed event has no second effect."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

import structlog

from contracts import Event
from contracts import banks as bank_ev
from contracts import firms as firm_ev
from contracts.values import DeclineReason, RejectReason
from lianrong_platform.db import Connection
from lianrong_platform.kafka.subscriptions import Subscriptions
from matcher import desk, matching
from matcher.adapters import postgres_market as market
from matcher.adapters import postgres_needs as needs
from matcher.domain.market import NeedCase
from matcher.settings import MatcherSettings

log = structlog.get_logger(__name__)
subscriptions = Subscriptions()

# Facts about the market kept in the read model: one handler each for the banks' and the firms' side.
BankFact = (
    bank_ev.BankRegistered
    | bank_ev.LeadBankDesignated
    | bank_ev.DesignationEnded
    | bank_ev.ProductPublished
    | bank_ev.ProductChanged
    | bank_ev.ProductWithdrawn
    | bank_ev.OfficerRegistered
    | bank_ev.OfficerChanged
)
BANK_FACTS: tuple[type[BankFact], ...] = typing.get_args(BankFact)
FirmFact = (
    firm_ev.FirmRegistered
    | firm_ev.FirmChanged
    | firm_ev.ChainMasterDesignated
    | firm_ev.SupplierLinkConfirmed
    | firm_ev.SupplierLinkRejected
    | firm_ev.SupplierLinkRevoked
    | firm_ev.ReceivableConfirmed
    | firm_ev.ReceivableRevoked
)
FIRM_FACTS: tuple[type[FirmFact], ...] = typing.get_args(FirmFact)

# Declines that say the bank as a whole will not lend for this need: its other products are skipped too.
BANK_WIDE_DECLINES = frozenset(
    {DeclineReason.OUTSIDE_APPETITE, DeclineReason.CONFLICT_OF_INTEREST, DeclineReason.CAPACITY_EXHAUSTED}
)


@subscriptions.handles(firm_ev.NeedSubmitted)
async def need_submitted(conn: Connection, event: firm_ev.NeedSubmitted, settings: MatcherSettings) -> None:
    case = NeedCase(
        need_id=event.need_id,
        firm_id=event.firm_id,
        chain=event.chain,
        terms=event.terms,
        firm=event.firm,
        position=event.position,
        first_loan=event.first_loan,
    )
    if found := await needs.insert_need(conn, case):
        if event.source == "recommendation_list":
            # Listed by a town task force: on its desk from the start, the clock to a decision running.
            await desk.list_need(conn, case, "recommendation_list", settings, now=event.occurred_at, cause=event)
        await matching.route_need(conn, event.need_id, settings, cause=event, found=found)


@subscriptions.handles_many(firm_ev.NeedSubmitted)
async def needs_submitted(conn: Connection, events: Sequence[firm_ev.NeedSubmitted], settings: MatcherSettings) -> None:
    """A fetched run of new needs: inserted with one statement and decided together (matching.route_new_needs),
    with exactly the effects of `need_submitted` applied to each in order."""
    cases = [
        NeedCase(
            need_id=e.need_id,
            firm_id=e.firm_id,
            chain=e.chain,
            terms=e.terms,
            firm=e.firm,
            position=e.position,
            first_loan=e.first_loan,
        )
        for e in events
    ]
    found = await needs.insert_needs(conn, cases)
    causes: dict[UUID, Event] = {}
    for e in events:
        causes.setdefault(e.need_id, e)
    for case, _ in found:
        cause = causes[case.need_id]
        if isinstance(cause, firm_ev.NeedSubmitted) and cause.source == "recommendation_list":
            await desk.list_need(conn, case, "recommendation_list", settings, now=cause.occurred_at, cause=cause)
    if found:
        await matching.route_new_needs(conn, found, causes, settings)


@subscriptions.handles(firm_ev.NeedAmended)
async def need_amended(conn: Connection, event: firm_ev.NeedAmended, settings: MatcherSettings) -> None:
    found = await needs.need_for_update(conn, event.need_id)
    if found is None:
        return
    await needs.set_need(conn, event.need_id, terms=event.terms.model_dump(mode="json"))
    if found[1]["status"] == "escalated":
        # The SME changed what stopped it (amount, term, consent): route it again now, not at the next retry.
        await needs.set_need(conn, event.need_id, status="open")
        await matching.route_need(conn, event.need_id, settings, cause=event, kind="amended")


@subscriptions.handles(firm_ev.NeedWithdrawn)
async def need_withdrawn(conn: Connection, event: firm_ev.NeedWithdrawn, settings: MatcherSettings) -> None:
    if await needs.need_for_update(conn, event.need_id) is None:
        return
    live = await needs.live_proposal(conn, event.need_id)
    if live is not None:
        await matching.release(conn, live, "withdrawn")
    await needs.set_need(conn, event.need_id, status="withdrawn")


@subscriptions.handles(bank_ev.MatchAccepted)
async def match_accepted(conn: Connection, event: bank_ev.MatchAccepted, settings: MatcherSettings) -> None:
    proposal = await needs.proposal_for_update(conn, event.match_id)
    if proposal is None or proposal["status"] != "open":
        log.warning("match.late_answer", match_id=str(event.match_id), status=proposal and proposal["status"])
        return
    # The bank's decision deadline runs from the acceptance (the event's time, so a replay agrees).
    decide_by = event.occurred_at + timedelta(seconds=settings.decision_seconds)
    await needs.accept(conn, event.match_id, event.occurred_at, decide_by)
    await needs.set_need(conn, event.need_id, status="proposed")
    await desk.note_contact(conn, event.need_id, event.occurred_at)


@subscriptions.handles(bank_ev.MatchDeclined)
async def match_declined(conn: Connection, event: bank_ev.MatchDeclined, settings: MatcherSettings) -> None:
    proposal = await needs.proposal_for_update(conn, event.match_id)
    if proposal is None or proposal["status"] != "open":
        return
    await matching.reroute(conn, proposal, "declined", settings, event, skip_bank=event.reason in BANK_WIDE_DECLINES)


@subscriptions.handles(bank_ev.LoanApproved)
async def loan_approved(conn: Connection, event: bank_ev.LoanApproved, settings: MatcherSettings) -> None:
    proposal = await needs.proposal_for_update(conn, event.match_id)
    if proposal is None or proposal["status"] not in ("open", "accepted"):
        return
    # Hold what was approved, no more: the rest of the reservation goes back to the line.
    surplus = proposal["reserved_amount"] - event.amount
    if surplus > 0:
        await market.release(conn, proposal["product_id"], proposal["bank_id"], proposal["chain"], surplus)
    await needs.set_proposal(
        conn, event.match_id, "approved", reserved_amount=min(event.amount, proposal["reserved_amount"])
    )
    await desk.note_decision(conn, event.need_id, event.occurred_at, approved=True)


@subscriptions.handles(bank_ev.LoanRejected)
async def loan_rejected(conn: Connection, event: bank_ev.LoanRejected, settings: MatcherSettings) -> None:
    proposal = await needs.proposal_for_update(conn, event.match_id)
    if proposal is None or proposal["status"] not in ("open", "accepted"):
        return
    await desk.note_decision(conn, event.need_id, event.occurred_at, approved=False)
    if event.reason is RejectReason.FIRM_WITHDREW:
        await matching.release(conn, proposal, "rejected")
        await needs.set_need(conn, event.need_id, status="closed")
        return
    await matching.reroute(conn, proposal, "rejected", settings, event, skip_bank=True)


@subscriptions.handles(bank_ev.LoanDisbursed)
async def loan_disbursed(conn: Connection, event: bank_ev.LoanDisbursed, settings: MatcherSettings) -> None:
    proposal = await needs.proposal_for_update(conn, event.match_id)
    if proposal is None or proposal["status"] == "disbursed":
        return
    await matching.disbursed(conn, proposal, event.amount)


@subscriptions.handles(*BANK_FACTS)
async def bank_events(conn: Connection, event: BankFact) -> None:
    match event:
        case bank_ev.BankRegistered():
            await market.upsert_bank(conn, event.bank_id, event.name)
        case bank_ev.LeadBankDesignated():
            await market.upsert_designation(
                conn,
                event.designation_id,
                event.chain,
                event.bank_id,
                event.role.value,
                event.valid_from,
                event.valid_until,
                event.chain_credit_line,
            )
        case bank_ev.DesignationEnded():
            await market.end_designation(conn, event.designation_id, event.ended_on)
        case bank_ev.ProductPublished() | bank_ev.ProductChanged():
            await market.upsert_product(conn, event.product_id, event.bank_id, event.terms)
        case bank_ev.ProductWithdrawn():
            await market.withdraw_product(conn, event.product_id)
        case bank_ev.OfficerRegistered() | bank_ev.OfficerChanged():
            await market.upsert_officer(conn, event.officer_id, event.bank_id, event.profile)


@subscriptions.handles(*FIRM_FACTS)
async def firm_events(conn: Connection, event: FirmFact) -> None:
    match event:
        case firm_ev.FirmRegistered() | firm_ev.FirmChanged():
            facts = event.facts.model_dump(mode="json")
            await market.upsert_firm(conn, event.firm_id, facts)
            await needs.refresh_open_needs_of_firm(conn, event.firm_id, facts=facts)
        case firm_ev.ChainMasterDesignated():
            await market.add_chain_master(conn, event.firm_id, event.chains)
        case firm_ev.SupplierLinkConfirmed():
            await market.upsert_link(
                conn,
                event.link_id,
                event.supplier_firm_id,
                event.chain_master_firm_id,
                event.chain,
                event.tier.value,
                "confirmed",
            )
            position = {
                "link_confirmed": True,
                "chain_master_firm_id": str(event.chain_master_firm_id),
                "tier": event.tier.value,
            }
            await needs.refresh_open_needs_of_firm(conn, event.supplier_firm_id, chain=event.chain, position=position)
        case firm_ev.SupplierLinkRejected():
            await conn.execute("UPDATE links SET status = 'rejected' WHERE link_id = $1", event.link_id)
        case firm_ev.SupplierLinkRevoked():
            await conn.execute("UPDATE links SET status = 'revoked' WHERE link_id = $1", event.link_id)
            await needs.drop_confirmation(
                conn, event.supplier_firm_id, chain=event.chain, chain_master=event.chain_master_firm_id
            )
        case firm_ev.ReceivableRevoked():
            await conn.execute("DELETE FROM receivables WHERE receivable_id = $1", event.receivable_id)
            await needs.drop_confirmation(conn, event.supplier_firm_id, receivable_id=event.receivable_id)
        case firm_ev.ReceivableConfirmed():
            await market.add_receivable(conn, event.receivable_id, event.supplier_firm_id, event.amount, event.due_date)
