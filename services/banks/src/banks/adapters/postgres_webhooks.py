"""Webhook endpoints, messages and deliveries in PostgreSQL: the outbox the dispatcher delivers from."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianrong_platform.db import Connection

_ENDPOINT = """endpoint_id, bank_id, url, event_types, description, status, failing_since, disabled_reason,
               created_at, updated_at"""


async def insert_endpoint(
    conn: Connection, endpoint_id: UUID, bank_id: UUID, url: str, event_types: list[str], secret: str, description: str
) -> None:
    await conn.execute(
        """INSERT INTO webhook_endpoints (endpoint_id, bank_id, url, event_types, secret, description)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        endpoint_id,
        bank_id,
        url,
        event_types,
        secret,
        description,
    )


async def endpoint(conn: Connection, endpoint_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE endpoint_id = $1", endpoint_id)
    return None if row is None else dict(row)


async def endpoints_of(conn: Connection, bank_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE bank_id = $1 ORDER BY created_at", bank_id
    )
    return [dict(r) for r in rows]


async def set_status(conn: Connection, endpoint_id: UUID, status: str, reason: str = "") -> None:
    await conn.execute(
        """UPDATE webhook_endpoints SET status = $2, disabled_reason = $3, updated_at = now(),
                  failing_since = CASE WHEN $2 = 'enabled' THEN NULL ELSE failing_since END
           WHERE endpoint_id = $1""",
        endpoint_id,
        status,
        reason,
    )


async def delete_endpoint(conn: Connection, endpoint_id: UUID) -> None:
    await conn.execute("DELETE FROM webhook_endpoints WHERE endpoint_id = $1", endpoint_id)


async def enqueue(
    conn: Connection, bank_id: UUID, message_id: UUID, event_type: str, payload: str, occurred_at: datetime
) -> None:
    """The message kept for the bank, and one delivery for each of its endpoints that takes this event type (a
    disabled endpoint's waits until it is enabled again)."""
    await conn.execute(
        """WITH m AS (
               INSERT INTO webhook_messages (message_id, bank_id, event_type, payload, occurred_at)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING message_id)
           INSERT INTO webhook_deliveries (endpoint_id, message_id)
           SELECT e.endpoint_id, m.message_id FROM webhook_endpoints e, m
           WHERE e.bank_id = $2 AND $3 = ANY(e.event_types)""",
        message_id,
        bank_id,
        event_type,
        payload,
        occurred_at,
    )


async def deliveries(
    conn: Connection, endpoint_id: UUID, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT d.message_id, m.event_type, m.occurred_at, d.status, d.attempts, d.next_attempt_at,
                  d.last_status, d.last_error, d.last_attempt_at, d.delivered_at
           FROM webhook_deliveries d JOIN webhook_messages m USING (message_id)
           WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2)
           ORDER BY m.occurred_at DESC, d.message_id LIMIT $3 OFFSET $4""",
        endpoint_id,
        status,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def redeliver(
    conn: Connection,
    endpoint_id: UUID,
    *,
    message_id: UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Deliver again one message or every message of the endpoint's bank and event types in a time range (also
    those that reached the bank before the endpoint was registered); returns how many are queued."""
    status = await conn.execute(
        """INSERT INTO webhook_deliveries (endpoint_id, message_id)
           SELECT e.endpoint_id, m.message_id FROM webhook_endpoints e
           JOIN webhook_messages m ON m.bank_id = e.bank_id AND m.event_type = ANY(e.event_types)
           WHERE e.endpoint_id = $1
             AND ($2::uuid IS NULL OR m.message_id = $2)
             AND ($3::timestamptz IS NULL OR m.occurred_at >= $3)
             AND ($4::timestamptz IS NULL OR m.occurred_at < $4)
           ON CONFLICT (endpoint_id, message_id) DO UPDATE
           SET status = 'pending', next_attempt_at = now(), attempts = 0, last_error = ''""",
        endpoint_id,
        message_id,
        since,
        until,
    )
    return int(status.split()[-1])


async def due(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come, of enabled endpoints, locked for this dispatcher (SKIP LOCKED)."""
    rows = await conn.fetch(
        """SELECT d.endpoint_id, d.message_id, d.attempts, e.url, e.secret, e.failing_since, m.payload, m.occurred_at
           FROM webhook_deliveries d JOIN webhook_endpoints e USING (endpoint_id)
                JOIN webhook_messages m USING (message_id)
           WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.status = 'enabled'
           ORDER BY m.occurred_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED""",
        limit,
    )
    return [dict(r) for r in rows]


async def delivered(conn: Connection, endpoint_id: UUID, message_id: UUID, status: int) -> None:
    await conn.execute(
        """WITH d AS (
               UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $3,
                      last_error = '', last_attempt_at = now(), delivered_at = now()
               WHERE endpoint_id = $1 AND message_id = $2)
           UPDATE webhook_endpoints SET failing_since = NULL WHERE endpoint_id = $1 AND failing_since IS NOT NULL""",
        endpoint_id,
        message_id,
        status,
    )


async def failed(
    conn: Connection, endpoint_id: UUID, message_id: UUID, status: int | None, error: str, retry_in_s: float
) -> None:
    await conn.execute(
        """WITH d AS (
               UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $3, last_error = $4,
                      last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $5)
               WHERE endpoint_id = $1 AND message_id = $2)
           UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()) WHERE endpoint_id = $1""",
        endpoint_id,
        message_id,
        status,
        error[:500],
        retry_in_s,
    )


async def disable_failing(conn: Connection, failing_for_s: float) -> list[UUID]:
    """Endpoints that have failed without a success for `failing_for_s` are disabled (their messages are kept)."""
    rows = await conn.fetch(
        """UPDATE webhook_endpoints SET status = 'disabled', updated_at = now(),
                  disabled_reason = 'failing since ' || to_char(failing_since, 'YYYY-MM-DD"T"HH24:MI:SSOF')
           WHERE status = 'enabled' AND failing_since < now() - make_interval(secs => $1)
           RETURNING endpoint_id""",
        failing_for_s,
    )
    return [r["endpoint_id"] for r in rows]


async def banks_with_matches_on(conn: Connection, need_id: UUID) -> list[UUID]:
    rows = await conn.fetch("SELECT DISTINCT bank_id FROM matches WHERE need_id = $1", need_id)
    return [r["bank_id"] for r in rows]


async def insert_service_account(conn: Connection, client_id: UUID, bank_id: UUID, name: str, secret_hash: str) -> None:
    await conn.execute(
        "INSERT INTO service_accounts (client_id, bank_id, name, secret_hash) VALUES ($1, $2, $3, $4)",
        client_id,
        bank_id,
        name,
        secret_hash,
    )


async def service_account(conn: Connection, client_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM service_accounts WHERE client_id = $1 AND revoked_at IS NULL", client_id)
    return None if row is None else dict(row)


async def service_accounts_of(conn: Connection, bank_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT client_id, bank_id, name, created_at, revoked_at FROM service_accounts
           WHERE bank_id = $1 ORDER BY created_at""",
        bank_id,
    )
    return [dict(r) for r in rows]


async def revoke_service_account(conn: Connection, client_id: UUID) -> None:
    await conn.execute(
        "UPDATE service_accounts SET revoked_at = now() WHERE client_id = $1 AND revoked_at IS NULL", client_id
    )
