"""The notifier's tables: notifications once per event and audience, the deliveries they fan out to, people's
choices. Every function runs in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from lianrong_platform.db import Connection
from notifier.domain.messages import Message
from notifier.domain.quiet import after_quiet_hours

NOTIFICATION_IDS = uuid.UUID("4b1d3c52-6a0e-4f1e-9d55-8a3f0c2b7e10")


def town_audiences(audience: str) -> list[str]:
    """Who a notification reaches: its audience, and for a town the city-wide task force too."""
    return [audience, "town:*"] if audience.startswith("town:") else [audience]


async def notify(
    conn: Connection,
    *,
    key: str,
    audience: str,
    message: Message,
    occurred_at: datetime,
    now: datetime,
    need_id: uuid.UUID | None = None,
    send: bool = True,
) -> bool:
    """Records the notification once (a repeat of `key` does nothing) and queues a delivery for every channel each
    person of its audience chose, due after their quiet hours. False when it was there already."""
    notification_id = uuid.uuid5(NOTIFICATION_IDS, key)
    inserted = await conn.fetchval(
        """INSERT INTO notifications (notification_id, dedupe_key, audience, kind, title, body, link, need_id,
                                      occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING true""",
        notification_id,
        key,
        audience,
        message.kind,
        message.title,
        message.body,
        message.link,
        need_id,
        occurred_at,
    )
    if not inserted or not send:
        return bool(inserted)
    people = await conn.fetch(
        "SELECT subject, email, phone, channels, quiet_start, quiet_end FROM people WHERE audiences && $1",
        town_audiences(audience),
    )
    for person in people:
        due = after_quiet_hours(now, person["quiet_start"], person["quiet_end"])
        for channel, address in (("email", person["email"]), ("sms", person["phone"])):
            if channel in person["channels"] and address:
                await conn.execute(
                    """INSERT INTO deliveries (delivery_id, notification_id, subject, channel, address, due_at)
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
                    uuid.uuid5(notification_id, f"{person['subject']}:{channel}"),
                    notification_id,
                    person["subject"],
                    channel,
                    address,
                    due,
                )
    if people:
        await conn.execute("SELECT pg_notify('deliveries', '')")
    return True


# People


async def person(conn: Connection, subject: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM people WHERE subject = $1", subject)
    return dict(row) if row else None


async def save_person(
    conn: Connection,
    subject: str,
    role: str,
    audiences: list[str],
    email: str | None,
    phone: str | None,
    channels: Sequence[str],
    quiet: tuple[time, time] | None,
) -> None:
    await conn.execute(
        """INSERT INTO people (subject, role, audiences, email, phone, channels, quiet_start, quiet_end)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (subject) DO UPDATE SET role = $2, audiences = $3, email = $4, phone = $5, channels = $6,
               quiet_start = $7, quiet_end = $8, updated_at = now()""",
        subject,
        role,
        audiences,
        email,
        phone,
        list(channels),
        quiet[0] if quiet else None,
        quiet[1] if quiet else None,
    )


# A person's list


async def listing(conn: Connection, subject: str, audiences: list[str], limit: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT n.notification_id, n.kind, n.title, n.body, n.link, n.need_id, n.occurred_at, r.read_at
           FROM notifications n LEFT JOIN reads r ON r.notification_id = n.notification_id AND r.subject = $1
           WHERE n.audience = ANY($2) OR ('town:*' = ANY($2) AND n.audience LIKE 'town:%')
           ORDER BY n.occurred_at DESC, n.notification_id LIMIT $3""",
        subject,
        audiences,
        limit,
    )
    return [dict(r) for r in rows]


async def unread(conn: Connection, subject: str, audiences: list[str]) -> int:
    return int(
        await conn.fetchval(
            """SELECT count(*) FROM notifications n
               WHERE (n.audience = ANY($2) OR ('town:*' = ANY($2) AND n.audience LIKE 'town:%'))
                 AND NOT EXISTS (SELECT 1 FROM reads r
                                 WHERE r.notification_id = n.notification_id AND r.subject = $1)""",
            subject,
            audiences,
        )
    )


async def mark_read(conn: Connection, subject: str, audiences: list[str], ids: list[uuid.UUID] | None) -> int:
    """Marks the person's notifications read (these, or all); returns how many were newly read."""
    result: str = await conn.execute(
        """INSERT INTO reads (notification_id, subject)
           SELECT n.notification_id, $1 FROM notifications n
           WHERE (n.audience = ANY($2) OR ('town:*' = ANY($2) AND n.audience LIKE 'town:%'))
             AND ($3::uuid[] IS NULL OR n.notification_id = ANY($3))
           ON CONFLICT DO NOTHING""",
        subject,
        audiences,
        ids,
    )
    return int(result.split()[-1])


# Deliveries


async def due(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The deliveries due now, locked for this sender (another sender skips them)."""
    rows = await conn.fetch(
        """SELECT d.delivery_id, d.channel, d.address, d.attempts, d.subject, n.kind, n.title, n.body, n.link
           FROM deliveries d JOIN notifications n USING (notification_id)
           WHERE d.status = 'pending' AND d.due_at <= now()
           ORDER BY d.due_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED""",
        limit,
    )
    return [dict(r) for r in rows]


async def sent(conn: Connection, delivery_id: uuid.UUID) -> None:
    await conn.execute(
        """UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL
           WHERE delivery_id = $1""",
        delivery_id,
    )


async def failed(conn: Connection, delivery_id: uuid.UUID, error: str, retry_in: timedelta | None) -> None:
    """One more failure: tried again after `retry_in`, or given up (None)."""
    await conn.execute(
        """UPDATE deliveries SET attempts = attempts + 1, last_error = $2,
               status = CASE WHEN $3::interval IS NULL THEN 'failed' ELSE 'pending' END,
               due_at = CASE WHEN $3::interval IS NULL THEN due_at ELSE now() + $3::interval END
           WHERE delivery_id = $1""",
        delivery_id,
        error[:500],
        retry_in,
    )


async def deliveries(conn: Connection, status: str | None, limit: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT d.delivery_id, d.notification_id, n.kind, d.subject, d.channel, d.status, d.attempts, d.due_at,
                  d.last_error, d.sent_at, d.created_at
           FROM deliveries d JOIN notifications n USING (notification_id)
           WHERE $1::text IS NULL OR d.status = $1
           ORDER BY d.created_at DESC LIMIT $2""",
        status,
        limit,
    )
    return [dict(r) for r in rows]


async def requeue(conn: Connection, ids: list[uuid.UUID] | None) -> int:
    """Failed deliveries (these, or all) due again now, their attempts kept for the record."""
    result: str = await conn.execute(
        """UPDATE deliveries SET status = 'pending', due_at = now()
           WHERE status = 'failed' AND ($1::uuid[] IS NULL OR delivery_id = ANY($1))""",
        ids,
    )
    if result.split()[-1] != "0":
        await conn.execute("SELECT pg_notify('deliveries', '')")
    return int(result.split()[-1])


async def delivery_counts(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    return {r["status"]: int(r["n"]) for r in rows}
