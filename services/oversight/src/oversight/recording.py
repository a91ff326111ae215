"""Events in: each event of the mechanism becomes counts (and sums) in its cell. Firm and need ids are turned into
keyed hashes at the door; nothing that names a firm or a person is kept."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import structlog

from contracts import Event
from contracts import banks as bank_ev
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from lianrong_platform.db import Connection
from lianrong_platform.kafka.consumer import Handler, RetryLater
from oversight.adapters import postgres_facts as facts
from oversight.domain import cells as c
from oversight.settings import OversightSettings

log = structlog.get_logger(__name__)

# Events of one need cross topics: one that arrives before its need waits this long for it, then is not counted.
WAIT_FOR_NEED = timedelta(minutes=10)


def pseudonym(key: str, kind: str, value: UUID) -> str:
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def recorders(settings: OversightSettings) -> dict[str, Handler]:
    key = settings.pseudonym_key

    async def need_of(conn: Connection, event: Event) -> dict[str, Any] | None:
        need_id = getattr(event, "need_id")  # noqa: B009 - each event counted here has one
        row = await conn.fetchrow(
            "SELECT * FROM need_keys WHERE need_key = $1 FOR UPDATE", pseudonym(key, "need", need_id)
        )
        if row is not None:
            return dict(row)
        if datetime.now(UTC) - event.occurred_at < WAIT_FOR_NEED:
            raise RetryLater("the need of this event has not arrived yet")  # it travels on another topic
        log.warning("oversight.unknown_need")  # submitted before this service listened: not counted
        return None

    def cell(need: dict[str, Any], bank: UUID | None, at: datetime) -> dict[str, Any]:
        return {
            "chain": need["chain"],
            "town": need["town"],
            "size_class": need["size_class"],
            "bank": str(bank) if bank else c.NO_BANK,
            "week": c.week_of(at),
        }

    async def count(
        conn: Connection, event: Event, metric: str, bank: UUID | None, amount: Decimal | None = None
    ) -> dict[str, Any] | None:
        need = await need_of(conn, event)
        if need is not None:
            await facts.add(conn, cell(need, bank, event.occurred_at), metric, need["firm_key"], amount)
        return need

    async def submitted(conn: Connection, event: Event) -> None:
        assert isinstance(event, firm_ev.NeedSubmitted)
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
            await count(conn, event, c.SUBMITTED, None, event.terms.amount)

    async def withdrawn(conn: Connection, event: Event) -> None:
        await count(conn, event, c.WITHDRAWN, None)

    async def proposed(conn: Connection, event: Event) -> None:
        assert isinstance(event, match_ev.MatchProposed)
        await count(conn, event, c.MATCHED if event.attempt == 1 else c.REROUTED, event.bank_id)

    async def expired(conn: Connection, event: Event) -> None:
        assert isinstance(event, match_ev.MatchExpired)
        await count(conn, event, c.SLA_BREACH, event.bank_id)

    async def undecided(conn: Connection, event: Event) -> None:
        assert isinstance(event, match_ev.MatchDecisionOverdue)
        await count(conn, event, c.DECISION_BREACH, event.bank_id)

    async def escalated(conn: Connection, event: Event) -> None:
        await count(conn, event, c.ESCALATED, None)

    async def timed(
        conn: Connection, event: Event, metric: str, bank: UUID, flag: str, duration: str, amount: Decimal | None = None
    ) -> None:
        need = await count(conn, event, metric, bank, amount)
        if need is not None and not need[flag]:
            seconds = (event.occurred_at - need["submitted_at"]).total_seconds()
            await facts.add_duration(conn, cell(need, bank, event.occurred_at), duration, need["firm_key"], seconds)
            await conn.execute(f"UPDATE need_keys SET {flag} = true WHERE need_key = $1", need["need_key"])

    async def accepted(conn: Connection, event: Event) -> None:
        assert isinstance(event, bank_ev.MatchAccepted)
        await timed(conn, event, c.CONTACTED, event.bank_id, "contacted", c.TO_CONTACT)

    async def declined(conn: Connection, event: Event) -> None:
        assert isinstance(event, bank_ev.MatchDeclined)
        await count(conn, event, f"{c.DECLINED}:{event.reason.value}", event.bank_id)

    async def approved(conn: Connection, event: Event) -> None:
        assert isinstance(event, bank_ev.LoanApproved)
        await timed(conn, event, c.APPROVED, event.bank_id, "decided", c.TO_DECISION, event.amount)

    async def rejected(conn: Connection, event: Event) -> None:
        assert isinstance(event, bank_ev.LoanRejected)
        await timed(conn, event, f"{c.REJECTED}:{event.reason.value}", event.bank_id, "decided", c.TO_DECISION)

    async def disbursed(conn: Connection, event: Event) -> None:
        assert isinstance(event, bank_ev.LoanDisbursed)
        need = await count(conn, event, c.DISBURSED, event.bank_id, event.amount)
        if need is None:
            return
        where = cell(need, event.bank_id, event.occurred_at)
        if need["first_loan"]:  # 首贷户
            await facts.add(conn, where, c.DISBURSED_FIRST_LOAN, need["firm_key"], event.amount)
        if event.unsecured:  # 信用贷款
            await facts.add(conn, where, c.DISBURSED_UNSECURED, need["firm_key"], event.amount)

    async def bank_events(conn: Connection, event: Event) -> None:
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

    table: dict[str, Callable[[Connection, Event], Awaitable[None]]] = {
        "firms.NeedSubmitted": submitted,
        "firms.NeedWithdrawn": withdrawn,
        "matcher.MatchProposed": proposed,
        "matcher.MatchExpired": expired,
        "matcher.NeedEscalated": escalated,
        "matcher.MatchDecisionOverdue": undecided,
        "banks.MatchAccepted": accepted,
        "banks.MatchDeclined": declined,
        "banks.LoanApproved": approved,
        "banks.LoanRejected": rejected,
        "banks.LoanDisbursed": disbursed,
        "banks.BankRegistered": bank_events,
        "banks.LeadBankDesignated": bank_events,
        "banks.DesignationEnded": bank_events,
    }
    return table
