"""One function per command: load, decide with the domain rules, save the rows and their events in the caller's
transaction (the outbox publishes the events when, and only when, the rows are committed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from banks import webhooks
from banks.access import check_manages_bank, check_sees_match
from banks.adapters import postgres_banks as bank_store
from banks.adapters import postgres_matches as match_store
from banks.adapters import postgres_officers as officer_store
from banks.adapters import postgres_products as product_store
from banks.commands import (
    Approve,
    Decline,
    Designate,
    Disburse,
    EndDesignation,
    RegisterBank,
    RegisterOfficer,
    Reject,
)
from banks.domain import product as product_rules
from banks.domain.match import Action, MatchStatus, check_approval, check_disbursement, next_status
from banks.views import BankView, DesignationView, MatchView, OfficerView, ProductView
from contracts import banks as ev
from contracts.values import BankRole
from lianrong_platform import outbox
from lianrong_platform.auth import Principal
from lianrong_platform.db import Connection
from lianrong_platform.errors import Conflict, Invalid, NotFound

PRODUCER = "banks"


# --- banks and designations ---------------------------------------------------------------------------------------
async def register_bank(conn: Connection, cmd: RegisterBank) -> BankView:
    bank_id = cmd.bank_id or uuid.uuid4()
    if not await bank_store.insert_bank(conn, bank_id, cmd.code, cmd.name, cmd.kind.value):
        raise Conflict("a bank with this id or code is registered already", field="/code")
    await outbox.record(
        conn, ev.BankRegistered(producer=PRODUCER, bank_id=bank_id, code=cmd.code, name=cmd.name, kind=cmd.kind)
    )
    view = await bank_store.bank(conn, bank_id)
    assert view is not None
    return view


async def designate(conn: Connection, actor: Principal, cmd: Designate) -> DesignationView:
    """Designate a lead or cooperating bank for a chain. A new lead ends the current one: a chain has one lead."""
    if await bank_store.bank(conn, cmd.bank_id) is None:
        raise Invalid("no such bank", field="/bank_id", code="unknown_bank")
    if cmd.valid_until is not None and cmd.valid_until < cmd.valid_from:
        raise Invalid("a designation cannot end before it starts", field="/valid_until", code="ends_before_start")
    ended: list[DesignationView] = []
    existing = await bank_store.current_designation(conn, cmd.chain, cmd.bank_id)
    if existing is not None:
        if existing.role == cmd.role.value:
            raise Conflict(f"this bank is already the chain's {cmd.role.value} bank")
        ended.append(existing)  # a change of role replaces the bank's current designation
    if cmd.role is BankRole.LEAD:
        lead = await bank_store.current_lead(conn, cmd.chain)
        if lead is not None and lead.bank_id != cmd.bank_id:
            ended.append(lead)
    for old in ended:
        await bank_store.end_designation(conn, old.designation_id, cmd.valid_from)
        await outbox.record(
            conn,
            ev.DesignationEnded(
                producer=PRODUCER,
                designation_id=old.designation_id,
                bank_id=old.bank_id,
                chain=old.chain,
                role=BankRole(old.role),
                ended_on=cmd.valid_from,
            ),
        )
    designation_id = uuid.uuid4()
    await bank_store.insert_designation(
        conn,
        designation_id,
        cmd.chain,
        cmd.bank_id,
        cmd.role.value,
        cmd.valid_from,
        cmd.valid_until,
        cmd.chain_credit_line,
        actor.subject,
    )
    await outbox.record(
        conn,
        ev.LeadBankDesignated(
            producer=PRODUCER,
            designation_id=designation_id,
            bank_id=cmd.bank_id,
            chain=cmd.chain,
            role=cmd.role,
            valid_from=cmd.valid_from,
            valid_until=cmd.valid_until,
            chain_credit_line=cmd.chain_credit_line,
        ),
    )
    view = await bank_store.designation(conn, designation_id)
    assert view is not None
    return view


async def end_designation(conn: Connection, designation_id: UUID, cmd: EndDesignation) -> DesignationView:
    current = await bank_store.designation(conn, designation_id)
    if current is None:
        raise NotFound("no such designation")
    if current.ended_on is not None:
        raise Conflict("this designation has ended already")
    await bank_store.end_designation(conn, designation_id, cmd.ended_on)
    await outbox.record(
        conn,
        ev.DesignationEnded(
            producer=PRODUCER,
            designation_id=designation_id,
            bank_id=current.bank_id,
            chain=current.chain,
            role=BankRole(current.role),
            ended_on=cmd.ended_on,
        ),
    )
    view = await bank_store.designation(conn, designation_id)
    assert view is not None
    return view


# --- products -----------------------------------------------------------------------------------------------------
async def publish_product(conn: Connection, actor: Principal, bank_id: UUID, terms: ev.ProductTerms) -> ProductView:
    check_manages_bank(actor, bank_id)
    if await bank_store.bank(conn, bank_id) is None:
        raise NotFound("no such bank")
    product_rules.check_terms(terms)
    product_id = uuid.uuid4()
    await product_store.insert(conn, product_id, bank_id, terms)
    await outbox.record(
        conn, ev.ProductPublished(producer=PRODUCER, product_id=product_id, bank_id=bank_id, terms=terms)
    )
    return await _product(conn, product_id)


async def _owned_product(conn: Connection, actor: Principal, product_id: UUID) -> ProductView:
    current = await product_store.product(conn, product_id, lock=True)
    if current is None:
        raise NotFound("no such product")
    check_manages_bank(actor, current.bank_id)
    return current


async def change_product(conn: Connection, actor: Principal, product_id: UUID, changes: dict[str, Any]) -> ProductView:
    current = await _owned_product(conn, actor, product_id)
    if current.withdrawn:
        raise Conflict("a withdrawn product cannot change")
    terms = ev.ProductTerms.model_validate({**current.terms.model_dump(), **changes})
    product_rules.check_terms(terms, disbursed=current.disbursed)
    if "capacity" in changes:
        # The line may not be cut below what is committed: disbursed here, and reserved by open matches as the
        # matcher's proposals told this service (the matcher itself never reserves beyond the line it knows).
        product_rules.check_line(terms.capacity, current.disbursed, await match_store.reserved_on(conn, product_id))
    await product_store.update_terms(conn, product_id, terms)
    await outbox.record(
        conn, ev.ProductChanged(producer=PRODUCER, product_id=product_id, bank_id=current.bank_id, terms=terms)
    )
    return await _product(conn, product_id)


async def withdraw_product(conn: Connection, actor: Principal, product_id: UUID) -> ProductView:
    current = await _owned_product(conn, actor, product_id)
    if current.withdrawn:
        raise Conflict("this product was withdrawn already")
    await product_store.withdraw(conn, product_id)
    await outbox.record(conn, ev.ProductWithdrawn(producer=PRODUCER, product_id=product_id, bank_id=current.bank_id))
    return await _product(conn, product_id)


async def _product(conn: Connection, product_id: UUID) -> ProductView:
    view = await product_store.product(conn, product_id)
    assert view is not None
    return view


# --- officers -----------------------------------------------------------------------------------------------------
async def register_officer(conn: Connection, actor: Principal, bank_id: UUID, cmd: RegisterOfficer) -> OfficerView:
    check_manages_bank(actor, bank_id)
    if await bank_store.bank(conn, bank_id) is None:
        raise NotFound("no such bank")
    officer_id = cmd.officer_id or uuid.uuid4()
    profile = ev.OfficerProfile.model_validate(cmd.model_dump(exclude={"officer_id"}))
    await officer_store.insert(conn, officer_id, bank_id, profile)
    await outbox.record(
        conn, ev.OfficerRegistered(producer=PRODUCER, officer_id=officer_id, bank_id=bank_id, profile=profile)
    )
    return await _officer(conn, officer_id)


async def change_officer(conn: Connection, actor: Principal, officer_id: UUID, changes: dict[str, Any]) -> OfficerView:
    current = await officer_store.officer(conn, officer_id)
    if current is None:
        raise NotFound("no such officer")
    check_manages_bank(actor, current.bank_id)
    profile = ev.OfficerProfile.model_validate({**current.profile.model_dump(), **changes})
    await officer_store.update(conn, officer_id, profile)
    await outbox.record(
        conn, ev.OfficerChanged(producer=PRODUCER, officer_id=officer_id, bank_id=current.bank_id, profile=profile)
    )
    return await _officer(conn, officer_id)


async def _officer(conn: Connection, officer_id: UUID) -> OfficerView:
    view = await officer_store.officer(conn, officer_id)
    assert view is not None
    return view


# --- the officer's answers ------------------------------------------------------------------------------------------
async def _assigned(
    conn: Connection, actor: Principal, match_id: UUID, action: Action
) -> tuple[MatchView, MatchStatus]:
    match = check_sees_match(actor, await match_store.match(conn, match_id, lock=True))
    if actor.officer_id != match.officer_id:
        raise NotFound("no such match")  # a bank admin may look, only the assigned officer may act
    after = next_status(
        match.status, action, now=datetime.now(UTC), answer_by=match.answer_by, decide_by=_decide_by(match)
    )
    return match, after


def _decide_by(match: MatchView) -> datetime | None:
    """When the bank's credit decision is due: the matcher's decision window from the officer's acceptance."""
    within = match.proposal.get("decide_within_seconds")
    accepted_at = match.outcome.get("accepted_at")
    if within is None or accepted_at is None:
        return None
    return datetime.fromisoformat(accepted_at) + timedelta(seconds=int(within))


def _ids(match: MatchView) -> dict[str, Any]:
    return {
        "producer": PRODUCER,
        "match_id": match.match_id,
        "need_id": match.need_id,
        "bank_id": match.bank_id,
        "officer_id": match.officer_id,
    }


async def _answered(
    conn: Connection,
    event: ev.MatchAccepted | ev.MatchDeclined | ev.LoanApproved | ev.LoanRejected | ev.LoanDisbursed,
) -> None:
    """The officer's answer leaves as an event, and reaches the bank's own systems by webhook."""
    await outbox.record(conn, event)
    await webhooks.queue(conn, event.bank_id, event)


async def accept(conn: Connection, actor: Principal, match_id: UUID) -> MatchView:
    match, after = await _assigned(conn, actor, match_id, Action.ACCEPT)
    await match_store.set_status(conn, match_id, after, {"accepted_at": datetime.now(UTC).isoformat()})
    await _answered(conn, ev.MatchAccepted(**_ids(match)))
    return await _match(conn, match_id)


async def decline(conn: Connection, actor: Principal, match_id: UUID, cmd: Decline) -> MatchView:
    match, after = await _assigned(conn, actor, match_id, Action.DECLINE)
    await match_store.set_status(conn, match_id, after, {"decline_reason": cmd.reason.value, "note": cmd.note})
    await _answered(conn, ev.MatchDeclined(**_ids(match), reason=cmd.reason, note=cmd.note))
    return await _match(conn, match_id)


async def approve(conn: Connection, actor: Principal, match_id: UUID, cmd: Approve) -> MatchView:
    match, _ = await _assigned(conn, actor, match_id, Action.APPROVE)
    product = await product_store.product(conn, match.product_id)
    requested = await match_store.requested_amount(conn, match.need_id)
    if product is None or requested is None:
        raise Conflict("the need or product of this match is not known here yet; try again shortly")
    check_approval(cmd.amount, cmd.annual_rate, cmd.term_months, requested, product.terms)
    await match_store.record_approval(conn, match_id, cmd.amount, cmd.model_dump(mode="json"))
    await _answered(
        conn,
        ev.LoanApproved(
            **_ids(match),
            product_id=match.product_id,
            amount=cmd.amount,
            annual_rate=cmd.annual_rate,
            term_months=cmd.term_months,
        ),
    )
    return await _match(conn, match_id)


async def reject(conn: Connection, actor: Principal, match_id: UUID, cmd: Reject) -> MatchView:
    match, after = await _assigned(conn, actor, match_id, Action.REJECT)
    await match_store.set_status(conn, match_id, after, {"reject_reason": cmd.reason.value, "note": cmd.note})
    await _answered(conn, ev.LoanRejected(**_ids(match), reason=cmd.reason, note=cmd.note))
    return await _match(conn, match_id)


async def disburse(conn: Connection, actor: Principal, match_id: UUID, cmd: Disburse) -> MatchView:
    match, _ = await _assigned(conn, actor, match_id, Action.DISBURSE)
    assert match.approved is not None
    china = ZoneInfo("Asia/Shanghai")
    check_disbursement(
        cmd.amount,
        Decimal(str(match.approved["amount"])),
        on=cmd.disbursed_on,
        earliest=match.received_at.astimezone(china).date(),
        today=datetime.now(china).date(),
    )
    product = await product_store.product(conn, match.product_id)
    assert product is not None
    if not await product_store.consume_capacity(conn, match.product_id, cmd.amount):
        raise Conflict("the product's remaining capacity is smaller than this disbursement", field="/amount")
    await match_store.record_disbursement(conn, match_id, cmd.amount, {"disbursed_on": cmd.disbursed_on.isoformat()})
    await _answered(
        conn,
        ev.LoanDisbursed(
            **_ids(match),
            product_id=match.product_id,
            amount=cmd.amount,
            disbursed_on=cmd.disbursed_on,
            unsecured=product_rules.is_unsecured(product.terms),
        ),
    )
    return await _match(conn, match_id)


async def _match(conn: Connection, match_id: UUID) -> MatchView:
    view = await match_store.match(conn, match_id)
    assert view is not None
    return view
