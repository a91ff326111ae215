"""Events in: what the matcher and the banks did with a need becomes its timeline; a match to a bank that the SME's
consent covers discloses the firm's identity and contact to that bank."""

from __future__ import annotations

import typing
from typing import Any

import structlog

from contracts import banks as bank_ev
from contracts import firms as ev
from contracts import matcher as match_ev
from contracts.values import BankRole, ConsentScope, RejectReason
from firms.adapters import postgres_firms as firm_store
from firms.adapters import postgres_needs as need_store
from firms.adapters import postgres_pledges as pledges
from firms.clock import today
from firms.domain.need import FINAL, Milestone, NeedStatus
from firms.handlers import PRODUCER
from lianrong_platform import outbox
from lianrong_platform.db import Connection
from lianrong_platform.kafka.subscriptions import Subscriptions

log = structlog.get_logger(__name__)
subscriptions = Subscriptions()

# What the matcher and the banks did with a need: each becomes an entry of its timeline.
AboutANeed = (
    match_ev.MatchProposed
    | match_ev.MatchExpired
    | match_ev.NeedEscalated
    | match_ev.MatchDecisionOverdue
    | bank_ev.MatchAccepted
    | bank_ev.MatchDeclined
    | bank_ev.LoanApproved
    | bank_ev.LoanRejected
    | bank_ev.LoanDisbursed
)


def _detail(event: AboutANeed) -> tuple[Milestone, dict[str, Any]]:
    match event:
        case match_ev.MatchProposed():
            milestone = Milestone.MATCHED if event.attempt == 1 else Milestone.REROUTED
            return milestone, {
                "match_id": str(event.match_id),
                "bank_name": event.bank_name,
                "bank_role": event.bank_role,
                "product_name": event.product_name,
                "officer_name": event.officer_name,
                "attempt": event.attempt,
                "answer_by": event.answer_by.isoformat(),
                "score": event.score,
                "components": [c.model_dump() for c in event.components],
            }
        case match_ev.MatchExpired():
            return Milestone.EXPIRED, {"match_id": str(event.match_id), "attempt": event.attempt}
        case match_ev.NeedEscalated():
            return Milestone.ESCALATED, {
                "attempts": event.attempts,
                # What stopped it, as codes with the figure to act on (no bank named): the SME can change its need.
                "reasons": [r.model_dump() for r in event.reasons],
            }
        case match_ev.MatchDecisionOverdue():
            return Milestone.DECISION_OVERDUE, {
                "match_id": str(event.match_id),
                "attempt": event.attempt,
                "decide_by": event.decide_by.isoformat(),
            }
        case bank_ev.MatchAccepted():
            return Milestone.CONTACTED, {"match_id": str(event.match_id)}
        case bank_ev.MatchDeclined():
            return Milestone.DECLINED, {"match_id": str(event.match_id), "reason": event.reason.value}
        case bank_ev.LoanApproved():
            return Milestone.APPROVED, {
                "match_id": str(event.match_id),
                "amount": str(event.amount),
                "annual_rate": str(event.annual_rate),
                "term_months": event.term_months,
            }
        case bank_ev.LoanRejected():
            return Milestone.REJECTED, {"match_id": str(event.match_id), "reason": event.reason.value}
        case bank_ev.LoanDisbursed():
            return Milestone.DISBURSED, {
                "match_id": str(event.match_id),
                "amount": str(event.amount),
                "disbursed_on": event.disbursed_on.isoformat(),
            }
    raise TypeError(f"no timeline entry for {event.type}")


@subscriptions.handles(*typing.get_args(AboutANeed))
async def record_on_timeline(conn: Connection, event: AboutANeed) -> None:
    milestone, detail = _detail(event)
    need_id = event.need_id
    status = await need_store.add_to_timeline(conn, need_id, event, milestone, detail)
    if status is None:
        log.warning("timeline.unknown_need", need_id=str(need_id))
        return
    if isinstance(event, match_ev.MatchProposed):
        await _disclose(conn, event, status)
    if isinstance(event, bank_ev.LoanRejected) and event.reason is RejectReason.FIRM_WITHDREW:
        # The need is closed: the receivable or order it relied on can back another need.
        await pledges.release(conn, need_id, "closed")


def consent_covers(scope: ConsentScope, role: BankRole | None) -> bool:
    if scope is ConsentScope.LEAD_BANK_ONLY:
        return role is BankRole.LEAD
    if scope is ConsentScope.CHAIN_BANKS:
        return role in (BankRole.LEAD, BankRole.COOPERATING)
    return True


async def _disclose(conn: Connection, proposal: match_ev.MatchProposed, status: NeedStatus) -> None:
    found = await need_store.terms_and_position(conn, proposal.need_id)
    facts = await firm_store.facts(conn, proposal.firm_id)
    ident = await firm_store.identity(conn, proposal.firm_id)
    if found is None or facts is None or ident is None or ident[2] is None:
        return
    terms = found[0]
    if status in FINAL or terms.consent_until < today() or not consent_covers(terms.consent_scope, proposal.bank_role):
        # The firm's data stays here; the officer sees only what the matcher's proposal carries.
        log.info("disclosure.withheld", need_id=str(proposal.need_id), scope=terms.consent_scope.value)
        return
    uscc, legal_name, contact = ident
    assert contact is not None
    await outbox.record(
        conn,
        ev.FirmDataDisclosed(
            producer=PRODUCER,
            **proposal.caused(),
            need_id=proposal.need_id,
            match_id=proposal.match_id,
            bank_id=proposal.bank_id,
            firm_id=proposal.firm_id,
            uscc=uscc,
            legal_name=legal_name,
            contact_name=contact.name,
            contact_phone=contact.phone,
            facts=facts,
        ),
    )
