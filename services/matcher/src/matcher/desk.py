"""融资需求调度: the coordination desk. An escalated need (or one from a recommendation list) becomes a desk item of
its town, owned by that town's coordinators until it is closed; the clock to a credit decision runs from its listing.

A coordinator can push the need to a named bank (routed outside the automatic tiers, with that bank's eligibility and
the SME's consent still applied, and recorded as a recommendation), ask the matcher to try again, record a visit or a
call, and close the item with an outcome. Each of these is recorded as an action and, where others must know, as an
event on the match topic (NeedListed, DeskContactRecorded, DeskItemClosed, DeskClockBreached)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from contracts import Event
from contracts import matcher as ev
from lianrong_platform import outbox
from lianrong_platform.db import Connection
from lianrong_platform.errors import Conflict
from matcher.domain.market import NeedCase
from matcher.settings import MatcherSettings

ACTOR = "matcher"


class DeskRefused(Conflict):
    """What a coordinator asked cannot be done now (409), with a stable code; nothing is changed."""


async def list_need(
    conn: Connection,
    need: NeedCase,
    source: str,
    settings: MatcherSettings,
    *,
    now: datetime | None = None,
    cause: Event | None = None,
) -> None:
    """Put the need on its town's desk (once). Escalated again after a recommendation, the item is reopened: the
    recommended bank did not take it."""
    now = now or datetime.now(UTC)
    decide_by = now + timedelta(seconds=settings.desk_clock_seconds)
    listed = await conn.fetchrow(
        """INSERT INTO desk_items (need_id, firm_id, town, chain, source, listed_at, decide_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (need_id) DO NOTHING RETURNING listed_at""",
        need.need_id,
        need.firm_id,
        need.firm.town,
        need.chain,
        source,
        now,
        decide_by,
    )
    if listed is None:
        reopened = await conn.fetchval(
            """UPDATE desk_items SET status = 'open', updated_at = now()
               WHERE need_id = $1 AND status = 'recommended' RETURNING need_id""",
            need.need_id,
        )
        if reopened:
            await _act(conn, need.need_id, "returned", ACTOR, {})
        return
    await _act(conn, need.need_id, "listed", ACTOR, {"source": source})
    await outbox.record(conn, _listed(need, source, now, decide_by, cause))


def _listed(need: NeedCase, source: str, now: datetime, decide_by: datetime, cause: Event | None) -> ev.NeedListed:
    return ev.NeedListed(
        producer="matcher",
        **(cause.caused() if cause else {}),
        need_id=need.need_id,
        firm_id=need.firm_id,
        chain=need.chain,
        town=need.firm.town,
        listed_at=now,
        decide_by=decide_by,
        source=source,
    )


async def list_escalated(
    conn: Connection, listed: list[tuple[NeedCase, Event]], settings: MatcherSettings, *, now: datetime
) -> list[ev.NeedListed]:
    """`list_need(…, "escalation")` for a batch's escalated needs, in two statements; returns the NeedListed events
    for the caller to record in order with the escalations. A need already on the desk (listed from a campaign
    before it was routed) takes the one-need path."""
    decide_by = now + timedelta(seconds=settings.desk_clock_seconds)
    rows = await conn.fetch(
        """INSERT INTO desk_items (need_id, firm_id, town, chain, source, listed_at, decide_by)
           SELECT w.*, 'escalation', $5::timestamptz, $6::timestamptz
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS w
           ON CONFLICT (need_id) DO NOTHING RETURNING need_id""",
        [n.need_id for n, _ in listed],
        [n.firm_id for n, _ in listed],
        [n.firm.town for n, _ in listed],
        [n.chain for n, _ in listed],
        now,
        decide_by,
    )
    new = {r["need_id"] for r in rows}
    await conn.execute(
        """INSERT INTO desk_actions (need_id, kind, actor, details)
           SELECT need_id, 'listed', $2, '{"source": "escalation"}'::jsonb FROM unnest($1::uuid[]) AS need_id""",
        [n.need_id for n, _ in listed if n.need_id in new],
        ACTOR,
    )
    events: list[ev.NeedListed] = []
    for need, cause in listed:
        if need.need_id not in new:
            await list_need(conn, need, "escalation", settings, now=now, cause=cause)
            continue
        events.append(_listed(need, "escalation", now, decide_by, cause))
    return events


async def note_contact(conn: Connection, need_id: UUID, at: datetime) -> None:
    """The firm was contacted about a listed need: by an officer who accepted it, or by a coordinator."""
    await conn.execute(
        "UPDATE desk_items SET contacted_at = coalesce(contacted_at, $2), updated_at = now() WHERE need_id = $1",
        need_id,
        at,
    )


async def note_decision(conn: Connection, need_id: UUID, at: datetime, *, approved: bool) -> None:
    """A bank made a credit decision on a listed need: the desk's clock stops."""
    await conn.execute(
        """UPDATE desk_items SET decided_at = coalesce(decided_at, $2), approved = coalesce(approved, $3),
                                 updated_at = now()
           WHERE need_id = $1""",
        need_id,
        at,
        approved,
    )


async def item_for_update(conn: Connection, need_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM desk_items WHERE need_id = $1 FOR UPDATE", need_id)
    return None if row is None else dict(row)


async def _need_status(conn: Connection, need_id: UUID) -> str:
    return str(await conn.fetchval("SELECT status FROM needs WHERE need_id = $1", need_id))


async def _act(conn: Connection, need_id: UUID, kind: str, actor: str, details: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO desk_actions (need_id, kind, actor, details) VALUES ($1, $2, $3, $4)",
        need_id,
        kind,
        actor,
        details,
    )


def _open(item: dict[str, Any]) -> None:
    if item["status"] == "closed":
        raise DeskRefused("This item is closed.", code="desk_item_closed")


async def recommend(
    conn: Connection, item: dict[str, Any], bank_id: UUID, actor: str, note: str, settings: MatcherSettings
) -> ev.MatchProposed:
    """Push the need to `bank_id`: its best eligible product and an officer who covers the need, with the usual
    answer deadline. Refused (nothing changes) when the need has a live match or that bank cannot serve it."""
    from matcher.matching import route_need  # the desk sits on top of routing, not the other way round

    _open(item)
    need_status = await _need_status(conn, item["need_id"])
    if need_status not in ("escalated", "open", "waiting"):
        raise DeskRefused(f"The need is {need_status}: it has a bank already.", code="need_not_waiting")
    proposed = await route_need(conn, item["need_id"], settings, only_bank=bank_id, kind="recommended")
    if not isinstance(proposed, ev.MatchProposed):  # only_bank never escalates: it refuses (DeskRefused)
        raise DeskRefused("The need could not be routed.", code="need_not_waiting")
    await conn.execute(
        "UPDATE desk_items SET status = 'recommended', updated_at = now() WHERE need_id = $1", item["need_id"]
    )
    await _act(
        conn, item["need_id"], "recommended", actor, {"bank_id": str(bank_id), "match_id": str(proposed.match_id)}
    )
    if note:
        await _act(conn, item["need_id"], "note", actor, {"note": note})
    return proposed


async def retry(conn: Connection, item: dict[str, Any], actor: str, note: str, settings: MatcherSettings) -> str:
    """Route the need again now, through the usual tiers (after talking to the SME). Returns the need's status."""
    from matcher.matching import route_need

    _open(item)
    need_status = await _need_status(conn, item["need_id"])
    if need_status != "escalated":
        raise DeskRefused(
            f"The need is {need_status}: only a need nobody took is tried again.", code="need_not_waiting"
        )
    proposed = await route_need(conn, item["need_id"], settings, kind="desk_retry")
    await _act(
        conn,
        item["need_id"],
        "retried",
        actor,
        {"note": note, "match_id": str(proposed.match_id)}
        if isinstance(proposed, ev.MatchProposed)
        else {"note": note},
    )
    return await _need_status(conn, item["need_id"])


async def record_contact(
    conn: Connection, item: dict[str, Any], kind: str, at: datetime, actor: str, note: str
) -> None:
    _open(item)
    await note_contact(conn, item["need_id"], at)
    await _act(conn, item["need_id"], kind, actor, {"at": at.isoformat(), "note": note})
    await outbox.record(
        conn,
        ev.DeskContactRecorded(
            producer="matcher",
            need_id=item["need_id"],
            town=item["town"],
            kind=kind,
            contacted_at=at,
        ),
    )


async def close(conn: Connection, item: dict[str, Any], outcome: str, reason_code: str, actor: str, note: str) -> None:
    _open(item)
    await conn.execute(
        """UPDATE desk_items SET status = 'closed', outcome = $2, reason_code = $3, updated_at = now()
           WHERE need_id = $1""",
        item["need_id"],
        outcome,
        reason_code,
    )
    await _act(conn, item["need_id"], "closed", actor, {"outcome": outcome, "reason_code": reason_code, "note": note})
    await outbox.record(
        conn,
        ev.DeskItemClosed(
            producer="matcher",
            need_id=item["need_id"],
            town=item["town"],
            outcome=outcome,
            reason_code=reason_code,
        ),
    )


async def breach_clocks(conn: Connection, *, now: datetime | None = None, limit: int = 100) -> int:
    """Items past their decision deadline with no decision: the breach is marked once and announced."""
    rows = await conn.fetch(
        """UPDATE desk_items SET breached = true, updated_at = now()
           WHERE need_id IN (SELECT need_id FROM desk_items
                             WHERE decided_at IS NULL AND NOT breached AND status <> 'closed' AND decide_by < $1
                             ORDER BY decide_by LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING need_id, town, listed_at, decide_by""",
        now or datetime.now(UTC),
        limit,
    )
    for row in rows:
        await _act(conn, row["need_id"], "breached", ACTOR, {})
        await outbox.record(
            conn,
            ev.DeskClockBreached(
                producer="matcher",
                need_id=row["need_id"],
                town=row["town"],
                listed_at=row["listed_at"],
                decide_by=row["decide_by"],
            ),
        )
    return len(rows)
