"""Events in, notifications out: who is told what, once per event.

The need's firm is learnt from the events that carry it (submission, proposal, listing, escalation); an outcome that
arrives before its need is known here waits in `early_events` and is told when the need is. Events older than
`stale_after_seconds` (a consumer rebuilt from the log) reach the portal's list but send nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import structlog

from contracts import Event, decode, encode
from contracts import banks as bank_ev
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from lianrong_platform.db import Connection
from lianrong_platform.kafka.subscriptions import Subscriptions
from notifier.adapters import postgres_notifications as store
from notifier.domain import messages
from notifier.domain.messages import Message
from notifier.settings import NotifierSettings

log = structlog.get_logger(__name__)
subscriptions = Subscriptions()

NeedOutcome = (
    bank_ev.MatchAccepted
    | bank_ev.MatchDeclined
    | bank_ev.LoanApproved
    | bank_ev.LoanRejected
    | bank_ev.LoanDisbursed
    | match_ev.DeskContactRecorded
    | match_ev.DeskItemClosed
)


async def tell(
    conn: Connection,
    event: Event,
    audience: str,
    message: Message,
    settings: NotifierSettings,
    need_id: UUID | None,
    about: str = "",
) -> None:
    """One notification for this event, audience and kind (and `about`, when one event tells of several things)."""
    now = datetime.now(UTC)
    await store.notify(
        conn,
        key=f"{event.event_id}:{audience}:{message.kind}:{about}",
        audience=audience,
        message=message,
        occurred_at=event.occurred_at,
        now=now,
        need_id=need_id,
        send=now - event.occurred_at < timedelta(seconds=settings.stale_after_seconds),
    )


async def remember_need(
    conn: Connection,
    need_id: UUID,
    firm_id: UUID,
    chain: str,
    amount: Decimal | None,
    town: str | None,
    settings: NotifierSettings,
) -> None:
    """Keeps what later events need, and tells what waited for it."""
    await conn.execute(
        """INSERT INTO needs (need_id, firm_id, chain, amount, town) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (need_id) DO UPDATE SET amount = coalesce(needs.amount, $4), town = coalesce(needs.town, $5)""",
        need_id,
        firm_id,
        chain,
        amount,
        town,
    )
    waiting = await conn.fetch("DELETE FROM early_events WHERE need_id = $1 RETURNING occurred_at, payload", need_id)
    handlers = subscriptions.bind(settings=settings)
    for row in sorted(waiting, key=lambda r: r["occurred_at"]):
        event = decode(row["payload"])
        await handlers[event.type](conn, event)


async def firm_of(conn: Connection, event: NeedOutcome) -> UUID | None:
    """The need's firm; None (and the event kept until the need is known) when it is not known yet."""
    firm: UUID | None = await conn.fetchval("SELECT firm_id FROM needs WHERE need_id = $1", event.need_id)
    if firm is None:
        await conn.execute(
            """INSERT INTO early_events (need_id, event_id, occurred_at, payload) VALUES ($1, $2, $3, $4)
               ON CONFLICT DO NOTHING""",
            event.need_id,
            event.event_id,
            event.occurred_at,
            encode(event).decode(),
        )
    return firm


@subscriptions.handles(firm_ev.NeedSubmitted)
async def submitted(conn: Connection, event: firm_ev.NeedSubmitted, settings: NotifierSettings) -> None:
    await remember_need(conn, event.need_id, event.firm_id, event.chain, event.terms.amount, event.firm.town, settings)


@subscriptions.handles(firm_ev.NeedWithdrawn)
async def withdrawn(conn: Connection, event: firm_ev.NeedWithdrawn, settings: NotifierSettings) -> None:
    await conn.execute("DELETE FROM reminders WHERE need_id = $1", event.need_id)


@subscriptions.handles(match_ev.MatchProposed)
async def proposed(conn: Connection, event: match_ev.MatchProposed, settings: NotifierSettings) -> None:
    await remember_need(conn, event.need_id, event.firm_id, event.chain, None, None, settings)
    await conn.execute(
        "INSERT INTO banks (bank_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", event.bank_id, event.bank_name
    )
    recommended = event.route == "recommended"
    await tell(
        conn,
        event,
        f"firm:{event.firm_id}",
        messages.matched(event.bank_name, event.product_name, event.officer_name, event.answer_by, recommended),
        settings,
        event.need_id,
    )
    await tell(
        conn,
        event,
        f"officer:{event.officer_id}",
        messages.new_match(event.chain, event.reserved_amount, event.answer_by, recommended),
        settings,
        event.need_id,
    )
    given = event.answer_by - event.occurred_at
    before = min(timedelta(seconds=settings.reminder_before_seconds), given / 2)
    await conn.execute(
        """INSERT INTO reminders (match_id, need_id, officer_id, chain, amount, answer_by, remind_at)
           SELECT $1, $2, $3, $4, $5, $6, $7
           WHERE NOT EXISTS (SELECT 1 FROM notifications WHERE dedupe_key = $8) ON CONFLICT DO NOTHING""",
        event.match_id,
        event.need_id,
        event.officer_id,
        event.chain,
        event.reserved_amount,
        event.answer_by,
        event.answer_by - before,
        reminder_key(event.match_id),
    )


def reminder_key(match_id: UUID) -> str:
    return f"reminder:{match_id}"


@subscriptions.handles(match_ev.MatchExpired)
async def expired(conn: Connection, event: match_ev.MatchExpired, settings: NotifierSettings) -> None:
    await conn.execute("DELETE FROM reminders WHERE match_id = $1", event.match_id)


@subscriptions.handles(bank_ev.MatchAccepted)
async def accepted(conn: Connection, event: bank_ev.MatchAccepted, settings: NotifierSettings) -> None:
    await conn.execute("DELETE FROM reminders WHERE match_id = $1", event.match_id)
    firm = await firm_of(conn, event)
    if firm:
        message = messages.contacted(await bank_name(conn, event.bank_id))
        await tell(conn, event, f"firm:{firm}", message, settings, event.need_id)


@subscriptions.handles(bank_ev.MatchDeclined)
async def declined(conn: Connection, event: bank_ev.MatchDeclined, settings: NotifierSettings) -> None:
    await conn.execute("DELETE FROM reminders WHERE match_id = $1", event.match_id)
    firm = await firm_of(conn, event)
    if firm:
        message = messages.declined(await bank_name(conn, event.bank_id), event.reason.value)
        await tell(conn, event, f"firm:{firm}", message, settings, event.need_id)


@subscriptions.handles(bank_ev.LoanApproved)
async def approved(conn: Connection, event: bank_ev.LoanApproved, settings: NotifierSettings) -> None:
    firm = await firm_of(conn, event)
    if firm:
        message = messages.approved(event.amount, event.annual_rate, event.term_months)
        await tell(conn, event, f"firm:{firm}", message, settings, event.need_id)


@subscriptions.handles(bank_ev.LoanRejected)
async def rejected(conn: Connection, event: bank_ev.LoanRejected, settings: NotifierSettings) -> None:
    firm = await firm_of(conn, event)
    if firm:
        await tell(conn, event, f"firm:{firm}", messages.rejected(event.reason.value), settings, event.need_id)


@subscriptions.handles(bank_ev.LoanDisbursed)
async def disbursed(conn: Connection, event: bank_ev.LoanDisbursed, settings: NotifierSettings) -> None:
    firm = await firm_of(conn, event)
    if firm:
        await tell(conn, event, f"firm:{firm}", messages.disbursed(event.amount), settings, event.need_id)


@subscriptions.handles(match_ev.NeedEscalated)
async def escalated(conn: Connection, event: match_ev.NeedEscalated, settings: NotifierSettings) -> None:
    await remember_need(conn, event.need_id, event.firm_id, event.chain, None, None, settings)
    message = messages.escalated([r.code for r in sorted(event.reasons, key=lambda r: -r.products)])
    await tell(conn, event, f"firm:{event.firm_id}", message, settings, event.need_id)


@subscriptions.handles(match_ev.NeedListed)
async def listed(conn: Connection, event: match_ev.NeedListed, settings: NotifierSettings) -> None:
    await remember_need(conn, event.need_id, event.firm_id, event.chain, None, event.town, settings)
    amount = await conn.fetchval("SELECT amount FROM needs WHERE need_id = $1", event.need_id)
    message = messages.listed(event.town, event.chain, amount, event.decide_by, event.source)
    await tell(conn, event, f"town:{event.town}", message, settings, event.need_id)


@subscriptions.handles(match_ev.DeskContactRecorded)
async def desk_contacted(conn: Connection, event: match_ev.DeskContactRecorded, settings: NotifierSettings) -> None:
    firm = await firm_of(conn, event)
    if firm:
        await tell(conn, event, f"firm:{firm}", messages.desk_contacted(event.kind), settings, event.need_id)


@subscriptions.handles(match_ev.DeskItemClosed)
async def desk_closed(conn: Connection, event: match_ev.DeskItemClosed, settings: NotifierSettings) -> None:
    await conn.execute("DELETE FROM reminders WHERE need_id = $1", event.need_id)
    firm = await firm_of(conn, event)
    if firm:
        await tell(conn, event, f"firm:{firm}", messages.desk_closed(event.outcome), settings, event.need_id)


# Banks: names for the SME's messages, and whether each chain a bank lends to has somebody on duty.


async def bank_name(conn: Connection, bank_id: UUID) -> str:
    name: str | None = await conn.fetchval("SELECT name FROM banks WHERE bank_id = $1", bank_id)
    return name or "银行"


@subscriptions.handles(bank_ev.BankRegistered)
async def bank_registered(conn: Connection, event: bank_ev.BankRegistered, settings: NotifierSettings) -> None:
    await conn.execute(
        "INSERT INTO banks (bank_id, name) VALUES ($1, $2) ON CONFLICT (bank_id) DO UPDATE SET name = $2",
        event.bank_id,
        event.name,
    )


@subscriptions.handles(bank_ev.OfficerRegistered, bank_ev.OfficerChanged)
async def officer(
    conn: Connection, event: bank_ev.OfficerRegistered | bank_ev.OfficerChanged, settings: NotifierSettings
) -> None:
    await conn.execute(
        """INSERT INTO bank_officers (officer_id, bank_id, chains, available) VALUES ($1, $2, $3, $4)
           ON CONFLICT (officer_id) DO UPDATE SET chains = $3, available = $4""",
        event.officer_id,
        event.bank_id,
        list(event.profile.chains),
        event.profile.available,
    )
    await check_duty(conn, event, event.bank_id, settings)


@subscriptions.handles(bank_ev.ProductPublished, bank_ev.ProductChanged)
async def product(
    conn: Connection, event: bank_ev.ProductPublished | bank_ev.ProductChanged, settings: NotifierSettings
) -> None:
    await conn.execute(
        """INSERT INTO bank_products (product_id, bank_id, chains, active) VALUES ($1, $2, $3, true)
           ON CONFLICT (product_id) DO UPDATE SET chains = $3, active = true""",
        event.product_id,
        event.bank_id,
        list(event.terms.chains),
    )
    await check_duty(conn, event, event.bank_id, settings)


@subscriptions.handles(bank_ev.ProductWithdrawn)
async def product_withdrawn(conn: Connection, event: bank_ev.ProductWithdrawn, settings: NotifierSettings) -> None:
    await conn.execute("UPDATE bank_products SET active = false WHERE product_id = $1", event.product_id)
    await check_duty(conn, event, event.bank_id, settings)


async def check_duty(conn: Connection, event: Event, bank_id: UUID, settings: NotifierSettings) -> None:
    """Tells the bank's admins of each chain its products serve that no available officer covers, once each time it
    becomes so (a bank still setting up — no officer at all yet — is not told)."""
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM bank_officers WHERE bank_id = $1)", bank_id):
        return
    rows = await conn.fetch(
        """SELECT DISTINCT chain FROM bank_products, unnest(chains) AS chain
           WHERE bank_id = $1 AND active AND NOT EXISTS (
               SELECT 1 FROM bank_officers o WHERE o.bank_id = $1 AND o.available AND chain = ANY(o.chains))""",
        bank_id,
    )
    uncovered = {r["chain"] for r in rows}
    await conn.execute(
        "DELETE FROM uncovered_chains WHERE bank_id = $1 AND NOT chain = ANY($2)", bank_id, sorted(uncovered)
    )
    for chain in sorted(uncovered):
        newly = await conn.fetchval(
            "INSERT INTO uncovered_chains (bank_id, chain) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
            bank_id,
            chain,
        )
        if newly:
            await tell(conn, event, f"bank:{bank_id}", messages.nobody_on_duty(chain), settings, None, chain)
