"""One function per command: load, decide with the domain rules, save the rows and their events in the caller's
transaction (the outbox makes the events leave exactly when the rows are committed)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from uuid import UUID

from contracts import firms as ev
from firms.access import acting_firm, check_own_firm
from firms.adapters import postgres_firms as firm_store
from firms.adapters import postgres_links as link_store
from firms.adapters import postgres_needs as need_store
from firms.adapters import postgres_pledges as pledges
from firms.adapters import postgres_reference as reference
from firms.clock import today
from firms.commands import (
    AddChain,
    AmendNeed,
    ChangeFirm,
    Decide,
    DeclareReceivable,
    DeclareSupplierLink,
    DesignateChainMaster,
    RegisterFirm,
    SubmitNeed,
    WithdrawNeed,
)
from firms.domain import links, need
from firms.domain.backing import AdvanceRates, check_backed
from firms.domain.honours import check_honours
from firms.domain.need import Milestone
from firms.domain.size import SizeThresholds
from firms.domain.uscc import InvalidUscc, validate_uscc
from firms.views import ChainView, FirmView, LinkView, NeedView, ReceivableView
from lianrong_platform import outbox
from lianrong_platform.auth import Principal, Role
from lianrong_platform.db import Connection
from lianrong_platform.errors import Conflict, Invalid, NotFound

PRODUCER = "firms"
THRESHOLDS = SizeThresholds.load()
ADVANCE_RATES = AdvanceRates.load()


def _facts(town: str, employees: int, revenue: Decimal, honours: tuple[ev.Honour, ...]) -> ev.FirmFacts:
    return ev.FirmFacts(
        town=town,
        employees=employees,
        revenue_last_year=revenue,
        size_class=THRESHOLDS.classify(employees, revenue),
        honours=check_honours(honours),
    )


async def _check_town(conn: Connection, town: str) -> None:
    if not await reference.town_exists(conn, town):
        raise Invalid(f"{town!r} is not one of Dongguan's towns, streets or parks", field="/town", code="unknown_town")


async def _check_chain(conn: Connection, chain: str, field: str = "/chain") -> None:
    if await reference.unknown_chains(conn, [chain]):
        raise Invalid(f"{chain!r} is not a key chain", field=field, code="unknown_chain")


# --- firms --------------------------------------------------------------------------------------------------------
async def register_firm(conn: Connection, actor: Principal, cmd: RegisterFirm) -> FirmView:
    if actor.role is Role.ADMIN:
        firm_id = cmd.firm_id or uuid.uuid4()
    else:
        if cmd.firm_id is not None and cmd.firm_id != actor.firm_id:
            raise Invalid("a firm registers itself: leave firm_id out", field="/firm_id", code="firm_id_not_allowed")
        firm_id = acting_firm(actor)
    try:
        uscc = validate_uscc(cmd.uscc)
    except InvalidUscc as exc:
        raise Invalid(str(exc), field="/uscc", code=exc.code, params=exc.params) from exc
    await _check_town(conn, cmd.town)
    facts = _facts(cmd.town, cmd.employees, cmd.revenue_last_year, cmd.honours)
    if await firm_store.claimable(conn, firm_id, uscc):
        return await _claim(conn, firm_id, cmd, facts)
    if await firm_store.exists(conn, firm_id):
        raise Conflict("this firm is registered already")
    if await firm_store.uscc_taken(conn, uscc):
        raise Conflict("a firm with this USCC is registered already", field="/uscc")
    await firm_store.insert(conn, firm_id, uscc, cmd.legal_name, facts, cmd.contact)
    await outbox.record(
        conn, ev.FirmRegistered(producer=PRODUCER, firm_id=firm_id, uscc=uscc, legal_name=cmd.legal_name, facts=facts)
    )
    return await _firm_view(conn, firm_id)


async def _claim(conn: Connection, firm_id: UUID, cmd: RegisterFirm, facts: ev.FirmFacts) -> FirmView:
    """A firm a recommendation list created, claimed by its owner logged in with its USCC: the owner's own name,
    facts and contact replace the list's."""
    await firm_store.claim(conn, firm_id, cmd.legal_name, facts, cmd.contact)
    await outbox.record(conn, ev.FirmChanged(producer=PRODUCER, firm_id=firm_id, facts=facts))
    return await _firm_view(conn, firm_id)


async def change_firm(conn: Connection, actor: Principal, firm_id: UUID, cmd: ChangeFirm) -> FirmView:
    check_own_firm(actor, firm_id)
    current = await firm_store.facts(conn, firm_id, lock=True)
    if current is None:
        raise NotFound("no such firm")
    if cmd.town is not None:
        await _check_town(conn, cmd.town)
    facts = _facts(
        cmd.town or current.town,
        current.employees if cmd.employees is None else cmd.employees,
        current.revenue_last_year if cmd.revenue_last_year is None else cmd.revenue_last_year,
        current.honours if cmd.honours is None else cmd.honours,
    )
    if cmd.contact is not None:
        await firm_store.save_contact(conn, firm_id, cmd.contact)
    if facts != current:
        await firm_store.update_facts(conn, firm_id, facts)
        await outbox.record(conn, ev.FirmChanged(producer=PRODUCER, firm_id=firm_id, facts=facts))
    return await _firm_view(conn, firm_id)


async def get_firm(conn: Connection, actor: Principal, firm_id: UUID) -> FirmView:
    check_own_firm(actor, firm_id)
    return await _firm_view(conn, firm_id)


async def _firm_view(conn: Connection, firm_id: UUID) -> FirmView:
    view = await firm_store.view(conn, firm_id)
    if view is None:
        raise NotFound("no such firm")
    return view


# --- reference data -------------------------------------------------------------------------------------------------
async def add_chain(conn: Connection, cmd: AddChain) -> ChainView:
    if not await reference.add_chain(conn, cmd.code, cmd.name_zh, cmd.name_en):
        raise Conflict("this chain exists already", field="/code")
    return ChainView(code=cmd.code, name_zh=cmd.name_zh, name_en=cmd.name_en)


async def designate_chain_master(conn: Connection, cmd: DesignateChainMaster) -> None:
    ident = await firm_store.identity(conn, cmd.firm_id)
    if ident is None:
        raise Invalid("the chain master must be a registered firm", field="/firm_id", code="unknown_firm")
    unknown = await reference.unknown_chains(conn, list(cmd.chains))
    if unknown:
        raise Invalid(f"not key chains: {', '.join(unknown)}", field="/chains", code="unknown_chain")
    await reference.designate_chain_master(conn, cmd.firm_id, list(cmd.chains))
    chains = tuple(await reference.chains_mastered_by(conn, cmd.firm_id))
    await outbox.record(
        conn, ev.ChainMasterDesignated(producer=PRODUCER, firm_id=cmd.firm_id, legal_name=ident[1], chains=chains)
    )


# --- supplier links (确权) ------------------------------------------------------------------------------------------
async def declare_link(conn: Connection, actor: Principal, firm_id: UUID, cmd: DeclareSupplierLink) -> LinkView:
    check_own_firm(actor, firm_id)
    if not await firm_store.exists(conn, firm_id):
        raise NotFound("no such firm")
    if cmd.chain not in await reference.chains_mastered_by(conn, cmd.chain_master_firm_id):
        raise Invalid(
            "that firm is not a chain master of this chain", field="/chain_master_firm_id", code="not_chain_master"
        )
    if cmd.chain_master_firm_id == firm_id:
        raise Invalid("a firm cannot supply itself", field="/chain_master_firm_id", code="supplies_itself")
    link_id = uuid.uuid4()
    if not await link_store.insert_link(
        conn, link_id, firm_id, cmd.chain_master_firm_id, cmd.chain, cmd.tier.value, cmd.annual_supply_value
    ):
        raise Conflict("this link is declared already and not rejected")
    await outbox.record(
        conn,
        ev.SupplierLinkDeclared(
            producer=PRODUCER,
            link_id=link_id,
            supplier_firm_id=firm_id,
            chain_master_firm_id=cmd.chain_master_firm_id,
            chain=cmd.chain,
            tier=cmd.tier,
            annual_supply_value=cmd.annual_supply_value,
        ),
    )
    return await _link_view(conn, link_id)


async def decide_link(conn: Connection, actor: Principal, link_id: UUID, confirm: bool, cmd: Decide) -> LinkView:
    link = await link_store.link(conn, link_id, lock=True)
    if link is None or actor.firm_id != link.chain_master_firm_id:
        raise NotFound("no such link")
    links.check_decidable(link.status, "link")
    status = links.Decision.CONFIRMED if confirm else links.Decision.REJECTED
    await link_store.decide_link(conn, link_id, status.value, cmd.reason)
    common = {
        "producer": PRODUCER,
        "link_id": link_id,
        "supplier_firm_id": link.supplier_firm_id,
        "chain_master_firm_id": link.chain_master_firm_id,
    }
    event: ev.SupplierLinkConfirmed | ev.SupplierLinkRejected = (
        ev.SupplierLinkConfirmed(**common, chain=link.chain, tier=link.tier)
        if confirm
        else ev.SupplierLinkRejected(**common, reason=cmd.reason)
    )
    await outbox.record(conn, event)
    return await _link_view(conn, link_id)


async def _link_view(conn: Connection, link_id: UUID) -> LinkView:
    view = await link_store.link(conn, link_id)
    assert view is not None
    return view


async def declare_receivable(
    conn: Connection, actor: Principal, link_id: UUID, cmd: DeclareReceivable
) -> ReceivableView:
    link = await link_store.link(conn, link_id)
    if link is None or actor.firm_id != link.supplier_firm_id:
        raise NotFound("no such link")
    if link.status is not links.Decision.CONFIRMED:
        raise Conflict("the chain master must confirm the link before a receivable on it")
    links.check_claim(cmd.amount, cmd.due_date, today())
    receivable_id = uuid.uuid4()
    await link_store.insert_receivable(conn, receivable_id, link, cmd.kind.value, cmd.amount, cmd.due_date)
    await outbox.record(
        conn,
        ev.ReceivableDeclared(
            producer=PRODUCER,
            receivable_id=receivable_id,
            link_id=link_id,
            supplier_firm_id=link.supplier_firm_id,
            chain_master_firm_id=link.chain_master_firm_id,
            kind=cmd.kind,
            amount=cmd.amount,
            due_date=cmd.due_date,
        ),
    )
    view = await link_store.receivable(conn, receivable_id)
    assert view is not None
    return view


async def decide_receivable(
    conn: Connection, actor: Principal, receivable_id: UUID, confirm: bool, cmd: Decide
) -> ReceivableView:
    claim = await link_store.receivable(conn, receivable_id, lock=True)
    if claim is None or actor.firm_id != claim.chain_master_firm_id:
        raise NotFound("no such receivable")
    links.check_decidable(claim.status, "receivable")
    status = links.Decision.CONFIRMED if confirm else links.Decision.REJECTED
    await link_store.decide_receivable(conn, receivable_id, status.value, cmd.reason)
    common = {
        "producer": PRODUCER,
        "receivable_id": receivable_id,
        "supplier_firm_id": claim.supplier_firm_id,
        "chain_master_firm_id": claim.chain_master_firm_id,
    }
    event: ev.ReceivableConfirmed | ev.ReceivableRejected = (
        ev.ReceivableConfirmed(
            **common, link_id=claim.link_id, kind=claim.kind, amount=claim.amount, due_date=claim.due_date
        )
        if confirm
        else ev.ReceivableRejected(**common, reason=cmd.reason)
    )
    await outbox.record(conn, event)
    view = await link_store.receivable(conn, receivable_id)
    assert view is not None
    return view


async def revoke_link(conn: Connection, actor: Principal, link_id: UUID, reason: str) -> LinkView:
    """The chain master withdraws its confirmation of a supplier link, and with it of the receivables on it: the
    supplier's open needs on that chain lose the confirmation in matching, and their timelines say why."""
    link = await link_store.link(conn, link_id, lock=True)
    if link is None or actor.firm_id != link.chain_master_firm_id:
        raise NotFound("no such link")
    links.check_revocable(link.status, "link")
    await link_store.revoke_link(conn, link_id, reason)
    affected = await need_store.open_needs_relying_on(
        conn, link.supplier_firm_id, chain=link.chain, chain_master=link.chain_master_firm_id
    )
    event = ev.SupplierLinkRevoked(
        producer=PRODUCER,
        link_id=link_id,
        supplier_firm_id=link.supplier_firm_id,
        chain_master_firm_id=link.chain_master_firm_id,
        chain=link.chain,
        reason=reason,
        need_ids=tuple(affected),
    )
    for receivable_id in await link_store.revoke_receivables_on(conn, link_id, reason):
        await pledges.release_claim(conn, receivable_id, "revoked")
    await _announce_revocation(conn, affected, event, {"what": "link", "reason": reason})
    return await _link_view(conn, link_id)


async def revoke_receivable(conn: Connection, actor: Principal, receivable_id: UUID, reason: str) -> ReceivableView:
    """The chain master withdraws its confirmation of a receivable or order: it backs no need any more."""
    claim = await link_store.receivable(conn, receivable_id, lock=True)
    if claim is None or actor.firm_id != claim.chain_master_firm_id:
        raise NotFound("no such receivable")
    links.check_revocable(claim.status, "receivable")
    await link_store.revoke_receivable(conn, receivable_id, reason)
    affected = await need_store.open_needs_relying_on(conn, claim.supplier_firm_id, receivable_id=receivable_id)
    event = ev.ReceivableRevoked(
        producer=PRODUCER,
        receivable_id=receivable_id,
        link_id=claim.link_id,
        supplier_firm_id=claim.supplier_firm_id,
        chain_master_firm_id=claim.chain_master_firm_id,
        reason=reason,
        need_ids=tuple(affected),
    )
    await pledges.release_claim(conn, receivable_id, "revoked")
    await _announce_revocation(conn, affected, event, {"what": "receivable", "reason": reason})
    view = await link_store.receivable(conn, receivable_id)
    assert view is not None
    return view


async def _announce_revocation(
    conn: Connection, need_ids: list[UUID], event: ev.SupplierLinkRevoked | ev.ReceivableRevoked, detail: dict[str, str]
) -> None:
    """The revocation leaves as an event; each need that relied on it loses it and says why on its timeline."""
    await outbox.record(conn, event)
    for need_id in need_ids:
        await need_store.drop_confirmation(conn, need_id, link=detail["what"] == "link")
        await need_store.add_to_timeline(conn, need_id, event, Milestone.CONFIRMATION_REVOKED, detail)


# --- needs (融资需求) -----------------------------------------------------------------------------------------------
async def submit_need(conn: Connection, actor: Principal, cmd: SubmitNeed) -> NeedView:
    firm_id = acting_firm(actor)
    facts = await firm_store.facts(conn, firm_id)
    if facts is None:
        raise Conflict("register the firm before submitting a need")
    await _check_chain(conn, cmd.chain)
    terms = need.check_terms(ev.NeedTerms(**cmd.model_dump(exclude={"chain", "receivable_id", "first_loan"})), today())
    position = await _position(conn, firm_id, cmd.chain, cmd.receivable_id)
    need_id = uuid.uuid4()
    await need_store.insert(conn, need_id, firm_id, cmd.chain, terms, cmd.first_loan, position)
    if position.receivable_id is not None:
        await _pledge(conn, need_id, position.receivable_id, terms.amount)
    event = ev.NeedSubmitted(
        producer=PRODUCER,
        need_id=need_id,
        firm_id=firm_id,
        chain=cmd.chain,
        terms=terms,
        first_loan=cmd.first_loan,
        firm=facts,
        position=position,
    )
    await outbox.record(conn, event)
    await need_store.add_to_timeline(conn, need_id, event, Milestone.SUBMITTED, {})
    return await get_need(conn, actor, need_id)


async def _position(conn: Connection, firm_id: UUID, chain: str, receivable_id: UUID | None) -> ev.ChainPosition:
    link = await link_store.confirmed_link(conn, firm_id, chain)
    if receivable_id is None:
        return ev.ChainPosition(
            chain_master_firm_id=link.chain_master_firm_id if link else None,
            tier=link.tier if link else None,
            link_confirmed=link is not None,
        )
    claim = await link_store.receivable(conn, receivable_id, lock=True)  # pledges on one claim, one at a time
    if claim is None or claim.supplier_firm_id != firm_id:
        raise Invalid("no such receivable of this firm", field="/receivable_id", code="unknown_receivable")
    if claim.status is not links.Decision.CONFIRMED:
        raise Invalid(
            "the chain master has not confirmed this receivable", field="/receivable_id", code="receivable_unconfirmed"
        )
    claim_link = await link_store.link(conn, claim.link_id)
    assert claim_link is not None
    if claim_link.chain != chain:
        raise Invalid("this receivable belongs to another chain", field="/receivable_id", code="receivable_other_chain")
    return ev.ChainPosition(
        chain_master_firm_id=claim.chain_master_firm_id,
        tier=claim_link.tier,
        link_confirmed=True,
        receivable_id=receivable_id,
        receivable_kind=claim.kind,
        receivable_amount=claim.amount,
        receivable_due=claim.due_date,
    )


async def _pledge(conn: Connection, need_id: UUID, receivable_id: UUID, amount: Decimal) -> None:
    """The need relies on a confirmed claim: it may take no more than the claim backs, less what other live needs
    hold of it (the caller holds the claim's row lock)."""
    claim = await link_store.receivable(conn, receivable_id, lock=True)
    assert claim is not None
    rate = ADVANCE_RATES.rates[claim.kind]
    others = await pledges.pledged(conn, receivable_id, except_need=need_id)
    check_backed(amount, ADVANCE_RATES.backing(claim.kind, claim.amount), others, rate)
    await pledges.pledge(conn, need_id, receivable_id, amount)


async def _owned_need(conn: Connection, actor: Principal, need_id: UUID, *, lock: bool = False) -> need.NeedStatus:
    found = await need_store.owner_and_status(conn, need_id, lock=lock)
    if found is None:
        raise NotFound("no such need")
    check_own_firm(actor, found[0], "need")
    return found[1]


async def amend_need(conn: Connection, actor: Principal, need_id: UUID, cmd: AmendNeed) -> NeedView:
    need.check_amendable(await _owned_need(conn, actor, need_id, lock=True))
    found = await need_store.terms_and_position(conn, need_id)
    assert found is not None
    changes = cmd.model_dump(exclude_unset=True)
    terms = need.check_terms(ev.NeedTerms.model_validate({**found[0].model_dump(), **changes}), today())
    held = await pledges.live_pledge(conn, need_id)
    if held is not None and terms.amount != held[1]:
        await _pledge(conn, need_id, held[0], terms.amount)
    await need_store.update_terms(conn, need_id, terms)
    owner = await need_store.owner_and_status(conn, need_id)
    assert owner is not None
    event = ev.NeedAmended(producer=PRODUCER, need_id=need_id, firm_id=owner[0], terms=terms)
    await outbox.record(conn, event)
    await need_store.add_to_timeline(conn, need_id, event, Milestone.AMENDED, {"changed": sorted(changes)})
    return await get_need(conn, actor, need_id)


async def withdraw_need(conn: Connection, actor: Principal, need_id: UUID, cmd: WithdrawNeed) -> NeedView:
    need.check_withdrawable(await _owned_need(conn, actor, need_id, lock=True))
    owner = await need_store.owner_and_status(conn, need_id)
    assert owner is not None
    event = ev.NeedWithdrawn(producer=PRODUCER, need_id=need_id, firm_id=owner[0], reason=cmd.reason)
    await outbox.record(conn, event)
    await pledges.release(conn, need_id, "withdrawn")
    await need_store.add_to_timeline(
        conn,
        need_id,
        event,
        Milestone.WITHDRAWN,
        {"reason": cmd.reason} if cmd.reason else {},
    )
    return await get_need(conn, actor, need_id)


async def get_need(conn: Connection, actor: Principal, need_id: UUID) -> NeedView:
    await _owned_need(conn, actor, need_id)
    view = await need_store.view(conn, need_id)
    assert view is not None
    return view
