"""Events in: match proposals land in the assigned officer's inbox, with the need's terms and, where the SME
consented, the firm's identity; expiries and withdrawals close them."""

from __future__ import annotations

from banks import webhooks
from banks.adapters import postgres_banks as bank_store
from banks.adapters import postgres_matches as match_store
from banks.adapters import postgres_officers as officer_store
from banks.adapters import postgres_webhooks as webhook_store
from banks.domain.match import MatchStatus
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from lianrong_platform.db import Connection
from lianrong_platform.kafka.consumer import Unprocessable
from lianrong_platform.kafka.subscriptions import Subscriptions

subscriptions = Subscriptions()


@subscriptions.handles(match_ev.MatchProposed)
async def receive_proposal(conn: Connection, event: match_ev.MatchProposed) -> None:
    if (
        await bank_store.bank(conn, event.bank_id) is None
        or await officer_store.officer(conn, event.officer_id) is None
    ):
        # A proposal for a bank or officer this service does not hold cannot be shown to anyone: park it.
        raise Unprocessable(f"proposal {event.match_id} names an unknown bank or officer")
    withdrawn = await match_store.need_withdrawn(conn, event.need_id)
    # Only the addressed bank's own products, whatever a producer put in the event: another bank's products,
    # lines and remarks never reach this bank's officers or systems.
    own = tuple(e for e in event.excluded if e.bank_id == event.bank_id)
    await match_store.insert_proposal(
        conn,
        match_id=event.match_id,
        need_id=event.need_id,
        firm_id=event.firm_id,
        bank_id=event.bank_id,
        officer_id=event.officer_id,
        product_id=event.product_id,
        answer_by=event.answer_by,
        status=MatchStatus.WITHDRAWN if withdrawn else MatchStatus.PROPOSED,
        correlation_id=event.correlation_id,
        proposal=event.model_dump(
            mode="json",
            include={
                "chain",
                "bank_name",
                "bank_role",
                "product_name",
                "officer_name",
                "reserved_amount",
                "attempt",
                "score",
                "components",
                "decide_within_seconds",
            },
        )
        | {"excluded": [e.model_dump(mode="json") for e in own]},
    )
    await webhooks.queue(conn, event.bank_id, event.model_copy(update={"excluded": own}))


@subscriptions.handles(match_ev.MatchExpired, match_ev.MatchDecisionOverdue)
async def expire_proposal(conn: Connection, event: match_ev.MatchExpired | match_ev.MatchDecisionOverdue) -> None:
    """The officer did not answer in time, or the bank made no decision by its decision deadline: the match is
    closed in the inbox and can no longer be acted on."""
    await match_store.expire(conn, event.match_id, undecided=isinstance(event, match_ev.MatchDecisionOverdue))
    await webhooks.queue(conn, event.bank_id, event)


@subscriptions.handles(firm_ev.NeedSubmitted, firm_ev.NeedAmended, firm_ev.NeedWithdrawn)
async def keep_need(
    conn: Connection, event: firm_ev.NeedSubmitted | firm_ev.NeedAmended | firm_ev.NeedWithdrawn
) -> None:
    if isinstance(event, firm_ev.NeedSubmitted):
        await match_store.save_need(
            conn,
            event.need_id,
            event.chain,
            event.terms.model_dump(mode="json"),
            event.firm.model_dump(mode="json", exclude={"revenue_last_year"}),
            event.position.model_dump(mode="json"),
            event.first_loan,
        )
    elif isinstance(event, firm_ev.NeedAmended):
        await match_store.amend_need(conn, event.need_id, event.terms.model_dump(mode="json"))
    elif isinstance(event, firm_ev.NeedWithdrawn):
        await match_store.withdraw_need(conn, event.need_id, event.occurred_at)
        for bank_id in await webhook_store.banks_with_matches_on(conn, event.need_id):
            await webhooks.queue(conn, bank_id, event)  # the need of one of its matches is gone


@subscriptions.handles(firm_ev.FirmDataDisclosed)
async def receive_disclosure(conn: Connection, event: firm_ev.FirmDataDisclosed) -> None:
    # It may arrive before the proposal it belongs to (another topic): it is kept, and shown only on the match of
    # the same bank (see the join in postgres_matches).
    await match_store.save_disclosure(
        conn,
        match_id=event.match_id,
        need_id=event.need_id,
        bank_id=event.bank_id,
        uscc=event.uscc,
        legal_name=event.legal_name,
        contact_name=event.contact_name,
        contact_phone=event.contact_phone,
        facts=event.facts.model_dump(mode="json"),
    )
    await webhooks.queue(conn, event.bank_id, event)  # meant for this bank, and only for it
