"""Events in: each event of the mechanism becomes counts (and sums) in its cell. Firm and need ids are turned into
keyed hashes at the door; nothing that names a firm or a person is kept."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import structlog

from contracts import banks as bank_ev
from contracts import decode, encode
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from lianrong_platform.db import Connection
from lianrong_platform.kafka.subscriptions import Subscriptions
from oversight.adapters import postgres_facts as facts
from oversight.domain import cells as c
from oversight.settings import OversightSettings

log = structlog.get_logger(__name__)
subscriptions = Subscriptions()

AboutANeed = (
    firm_ev.NeedSubmitted
    | firm_ev.NeedWithdrawn
    | match_ev.MatchProposed
    | match_ev.MatchExpired
    | match_ev.MatchDecisionOverdue
    | match_ev.NeedEscalated
    | match_ev.NeedListed
    | match_ev.DeskContactRecorded
    | match_ev.DeskItemClosed
    | match_ev.DeskClockBreached
    | bank_ev.MatchAccepted
    | bank_ev.MatchDeclined
    | bank_ev.LoanApproved
    | bank_ev.LoanRejected
    | bank_ev.LoanDisbursed
)


def pseudonym(key: str, kind: str, value: UUID) -> str:
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


async def need_of(conn: Connection, event: AboutANeed, key: str) -> dict[str, Any] | None:
    """The need's row; None when the need has not been read yet, and then the event waits for it (early_events)
    to be counted when it arrives — never dropped, whatever its age."""
    need_key = pseudonym(key, "need", event.need_id)
    row = await conn.fetchrow("SELECT * FROM need_keys WHERE need_key = $1 FOR UPDATE", need_key)
    if row is not None:
        return dict(row)
    await conn.execute(
        """INSERT INTO early_events (need_key, event_id, occurred_at, payload) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        need_key,
        event.event_id,
        event.occurred_at,
        encode(event).decode(),
    )
    log.info("oversight.event_before_its_need", event_type=event.type)
    return None


async def _count_early_events(conn: Connection, need_key: str, settings: OversightSettings) -> None:
    """The events that arrived before their need, counted now in the order they happened."""
    rows = await conn.fetch(
        "DELETE FROM early_events WHERE need_key = $1 RETURNING occurred_at, event_id, payload", need_key
    )
    handlers = subscriptions.bind(settings=settings)
    for row in sorted(rows, key=lambda r: (r["occurred_at"], r["event_id"])):
        event = decode(row["payload"])
        await handlers[event.type](conn, event)


def cell(need: dict[str, Any], bank: UUID | None, at: datetime) -> dict[str, Any]:
    return {
        "chain": need["chain"],
        "town": need["town"],
        "size_class": need["size_class"],
        "bank": str(bank) if bank else c.NO_BANK,
        "week": c.week_of(at),
    }


async def count(
    conn: Connection, event: AboutANeed, key: str, metric: str, bank: UUID | None, amount: Decimal | None = None
) -> dict[str, Any] | None:
    need = await need_of(conn, event, key)
    if need is not None:
        await facts.add(conn, cell(need, bank, event.occurred_at), metric, need["firm_key"], amount)
    return need


@subscriptions.handles(firm_ev.NeedSubmitted)
async def submitted(conn: Connection, event: firm_ev.NeedSubmitted, settings: OversightSettings) -> None:
    key = settings.key()
    firm_key = pseudonym(key, "firm", event.firm_id)
    inserted = await conn.fetchval(
        """INSERT INTO need_keys (need_key, chain, town, size_class, firm_key, first_loan, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING true""",
        pseudonym(key, "need", event.need_id),
        event.chain,
        event.firm.town,
        event.firm.size_class.value,
        firm_key,
        event.first_loan,
        event.occurred_at,
    )
    if inserted:
        await count(conn, event, key, c.SUBMITTED, None, event.terms.amount)
        if event.source == "recommendation_list":
            await count(conn, event, key, c.SUBMITTED_LISTED, None)
        await _count_early_events(conn, pseudonym(key, "need", event.need_id), settings)


@subscriptions.handles(firm_ev.NeedWithdrawn)
async def withdrawn(conn: Connection, event: firm_ev.NeedWithdrawn, settings: OversightSettings) -> None:
    key = settings.key()
    await count(conn, event, key, c.WITHDRAWN, None)


@subscriptions.handles(match_ev.MatchProposed)
async def proposed(conn: Connection, event: match_ev.MatchProposed, settings: OversightSettings) -> None:
    key = settings.key()
    await count(conn, event, key, c.MATCHED if event.attempt == 1 else c.REROUTED, event.bank_id)


@subscriptions.handles(match_ev.MatchExpired)
async def expired(conn: Connection, event: match_ev.MatchExpired, settings: OversightSettings) -> None:
    key = settings.key()
    await count(conn, event, key, c.SLA_BREACH, event.bank_id)


@subscriptions.handles(match_ev.MatchDecisionOverdue)
async def undecided(conn: Connection, event: match_ev.MatchDecisionOverdue, settings: OversightSettings) -> None:
    key = settings.key()
    await count(conn, event, key, c.DECISION_BREACH, event.bank_id)


@subscriptions.handles(match_ev.NeedEscalated)
async def escalated(conn: Connection, event: match_ev.NeedEscalated, settings: OversightSettings) -> None:
    key = settings.key()
    await count(conn, event, key, c.ESCALATED, None)


async def timed(
    conn: Connection,
    event: AboutANeed,
    key: str,
    metric: str,
    bank: UUID,
    flag: str,
    duration: str,
    amount: Decimal | None = None,
) -> None:
    need = await count(conn, event, key, metric, bank, amount)
    if need is not None and not need[flag]:
        seconds = (event.occurred_at - need["submitted_at"]).total_seconds()
        await facts.add_duration(conn, cell(need, bank, event.occurred_at), duration, need["firm_key"], seconds)
        await conn.execute(f"UPDATE need_keys SET {flag} = true WHERE need_key = $1", need["need_key"])


@subscriptions.handles(bank_ev.MatchAccepted)
async def accepted(conn: Connection, event: bank_ev.MatchAccepted, settings: OversightSettings) -> None:
    key = settings.key()
    await timed(conn, event, key, c.CONTACTED, event.bank_id, "contacted", c.TO_CONTACT)
    await _first(conn, event, key, "contact", event.bank_id)


# --- 融资需求调度 ------------------------------------------------------------------------------------------------
# A listed need's first contact and first credit decision are kept as they arrive and counted once the listing is
# known too: the same counts whichever topic a rebuild reads first.
@subscriptions.handles(match_ev.NeedListed)
async def listed(conn: Connection, event: match_ev.NeedListed, settings: OversightSettings) -> None:
    key = settings.key()
    need = await count(conn, event, key, c.DESK_LISTED, None)
    if need is not None:
        await conn.execute(
            "UPDATE need_keys SET listed_at = $2, decide_by = $3 WHERE need_key = $1",
            need["need_key"],
            event.listed_at,
            event.decide_by,
        )
        await _settle_desk(conn, need["need_key"])


async def _first(conn: Connection, event: AboutANeed, key: str, what: str, bank: UUID | None, **extra: Any) -> None:
    need = await need_of(conn, event, key)
    if need is None or need[f"first_{what}_at"] is not None:
        return
    sets = [f"first_{what}_at = $2", f"first_{what}_bank = $3"]
    args: list[Any] = [event.occurred_at, str(bank) if bank else c.NO_BANK]
    for i, (column, value) in enumerate(extra.items(), start=4):
        sets.append(f"{column} = ${i}")
        args.append(value)
    await conn.execute(f"UPDATE need_keys SET {', '.join(sets)} WHERE need_key = $1", need["need_key"], *args)
    await _settle_desk(conn, need["need_key"])


async def _settle_desk(conn: Connection, need_key: str) -> None:
    """Count what the desk owes the PBOC for a listed need, once: its first contact, and its first credit decision
    (within the desk's clock or not, approved or not)."""
    row = await conn.fetchrow("SELECT * FROM need_keys WHERE need_key = $1 FOR UPDATE", need_key)
    if row is None or row["listed_at"] is None:
        return
    need = dict(row)
    if need["first_contact_at"] is not None and not need["desk_contacted"]:
        where = {**cell(need, None, need["first_contact_at"]), "bank": need["first_contact_bank"]}
        await facts.add(conn, where, c.DESK_CONTACTED, need["firm_key"], None)
        await conn.execute("UPDATE need_keys SET desk_contacted = true WHERE need_key = $1", need_key)
    if need["first_decision_at"] is not None and not need["desk_decided"]:
        where = {**cell(need, None, need["first_decision_at"]), "bank": need["first_decision_bank"]}
        if need["first_decision_at"] <= need["decide_by"]:
            await facts.add(conn, where, c.DESK_DECIDED_IN_TIME, need["firm_key"], None)
        if need["first_decision_approved"]:
            await facts.add(conn, where, c.DESK_APPROVED, need["firm_key"], None)
        await conn.execute("UPDATE need_keys SET desk_decided = true WHERE need_key = $1", need_key)


@subscriptions.handles(match_ev.DeskContactRecorded)
async def desk_contact(conn: Connection, event: match_ev.DeskContactRecorded, settings: OversightSettings) -> None:
    await _first(conn, event, settings.key(), "contact", None)


@subscriptions.handles(match_ev.DeskClockBreached)
async def desk_breach(conn: Connection, event: match_ev.DeskClockBreached, settings: OversightSettings) -> None:
    await count(conn, event, settings.key(), c.DESK_BREACH, None)


@subscriptions.handles(match_ev.DeskItemClosed)
async def desk_closed(conn: Connection, event: match_ev.DeskItemClosed, settings: OversightSettings) -> None:
    await count(conn, event, settings.key(), f"{c.DESK_CLOSED}:{event.outcome}", None)


@subscriptions.handles(bank_ev.MatchDeclined)
async def declined(conn: Connection, event: bank_ev.MatchDeclined, settings: OversightSettings) -> None:
    key = settings.key()
    await count(conn, event, key, f"{c.DECLINED}:{event.reason.value}", event.bank_id)


@subscriptions.handles(bank_ev.LoanApproved)
async def approved(conn: Connection, event: bank_ev.LoanApproved, settings: OversightSettings) -> None:
    key = settings.key()
    await timed(conn, event, key, c.APPROVED, event.bank_id, "decided", c.TO_DECISION, event.amount)
    await _first(conn, event, key, "decision", event.bank_id, first_decision_approved=True)


@subscriptions.handles(bank_ev.LoanRejected)
async def rejected(conn: Connection, event: bank_ev.LoanRejected, settings: OversightSettings) -> None:
    key = settings.key()
    await timed(conn, event, key, f"{c.REJECTED}:{event.reason.value}", event.bank_id, "decided", c.TO_DECISION)
    await _first(conn, event, key, "decision", event.bank_id, first_decision_approved=False)


@subscriptions.handles(bank_ev.LoanDisbursed)
async def disbursed(conn: Connection, event: bank_ev.LoanDisbursed, settings: OversightSettings) -> None:
    key = settings.key()
    need = await count(conn, event, key, c.DISBURSED, event.bank_id, event.amount)
    if need is None:
        return
    where = cell(need, event.bank_id, event.occurred_at)
    if need["first_loan"]:  # 首贷户
        await facts.add(conn, where, c.DISBURSED_FIRST_LOAN, need["firm_key"], event.amount)
    if event.unsecured:  # 信用贷款
        await facts.add(conn, where, c.DISBURSED_UNSECURED, need["firm_key"], event.amount)


@subscriptions.handles(bank_ev.BankRegistered, bank_ev.LeadBankDesignated, bank_ev.DesignationEnded)
async def bank_events(
    conn: Connection, event: bank_ev.BankRegistered | bank_ev.LeadBankDesignated | bank_ev.DesignationEnded
) -> None:
    match event:
        case bank_ev.BankRegistered():
            await conn.execute(
                "INSERT INTO banks (bank_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                str(event.bank_id),
                event.name,
            )
        case bank_ev.LeadBankDesignated():
            await conn.execute(
                """INSERT INTO designations (designation_id, chain, bank_id, role, valid_from, valid_until,
                                             chain_credit_line) VALUES ($1, $2, $3, $4, $5, $6, $7)
                   ON CONFLICT DO NOTHING""",
                event.designation_id,
                event.chain,
                str(event.bank_id),
                event.role.value,
                event.valid_from,
                event.valid_until,
                event.chain_credit_line,
            )
        case bank_ev.DesignationEnded():
            await conn.execute(
                "UPDATE designations SET valid_until = $2::date - 1 WHERE designation_id = $1",
                event.designation_id,
                event.ended_on,
            )
