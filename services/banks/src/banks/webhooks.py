"""Webhooks for a bank's own systems, in the Standard Webhooks format.

A bank receives only its own events: proposals to its officers, the firm data disclosed to it, and what became of
its matches (its officers' answers, expiries, overdue decisions, withdrawals). Each is queued in the same transaction
that records it here (`queue`), so nothing acknowledged is lost; the dispatcher process (`python -m banks webhooks`)
posts every delivery signed with the endpoint's secret (`webhook-id` is the event id, so a receiver drops a
repeat), retries failures with exponential back-off, and disables an endpoint that keeps failing — its messages are
kept and delivered once it is enabled again or asked for again.
"""

from __future__ import annotations

import asyncio
import base64
import random
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import structlog
from prometheus_client import Counter
from standardwebhooks.webhooks import Webhook

from banks.adapters import postgres_webhooks as store
from banks.settings import BanksSettings
from contracts import Event, encode
from contracts.catalogue import WEBHOOK_EVENTS
from lianrong_platform.db import Connection, create_pool
from lianrong_platform.listen import rounds_on_notify

log = structlog.get_logger(__name__)

DELIVERIES = Counter("lianrong_webhook_deliveries_total", "Webhook delivery attempts", ["outcome"])

# What a bank's systems may subscribe to: the events that concern that bank alone (the contract's list).
EVENT_TYPES: tuple[str, ...] = tuple(e.model_fields["type"].default for e in WEBHOOK_EVENTS)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def queue(conn: Connection, bank_id: UUID, event: Event) -> None:
    """The event for the bank's endpoints, in the caller's transaction."""
    await store.enqueue(conn, bank_id, event.event_id, event.type, encode(event).decode(), event.occurred_at)


def signed_headers(secret: str, message_id: UUID, payload: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": str(message_id),
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(str(message_id), at, payload),
        "content-type": "application/json",
        "user-agent": "Lianrong-Webhooks/1",
    }


def backoff(attempts: int, settings: BanksSettings) -> float:
    """Seconds before the next try after `attempts` failures: doubling, capped, with jitter so a returning receiver
    is not hit by every message at once."""
    wait = min(settings.webhook_retry_base_seconds * 2 ** max(attempts - 1, 0), settings.webhook_retry_max_seconds)
    return float(wait * random.uniform(0.8, 1.0))


async def deliver_due(pool: asyncpg.Pool, client: httpx.AsyncClient, settings: BanksSettings) -> int:
    """One round: the due deliveries, posted concurrently; returns how many were attempted."""
    async with pool.acquire() as conn, conn.transaction():
        due = await store.due(conn, settings.webhook_batch)
        if not due:
            return 0
        results = await asyncio.gather(*(_post(client, d) for d in due))
        for delivery, (status, error) in zip(due, results, strict=True):
            if error is None:
                await store.delivered(conn, delivery["endpoint_id"], delivery["message_id"], status or 0)
                DELIVERIES.labels("delivered").inc()
            else:
                wait = backoff(delivery["attempts"] + 1, settings)
                await store.failed(conn, delivery["endpoint_id"], delivery["message_id"], status, error, wait)
                DELIVERIES.labels("failed").inc()
        for endpoint_id in await store.disable_failing(conn, settings.webhook_disable_after_seconds):
            log.warning("webhook.endpoint_disabled", endpoint_id=str(endpoint_id))
    return len(due)


async def _post(client: httpx.AsyncClient, delivery: dict[str, Any]) -> tuple[int | None, str | None]:
    payload: str = delivery["payload"]
    headers = signed_headers(delivery["secret"], delivery["message_id"], payload, datetime.now(UTC))
    try:
        response = await client.post(delivery["url"], content=payload.encode(), headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


async def run_dispatcher(database_url: str, settings: BanksSettings, stop: asyncio.Event) -> None:
    """Deliver until stopped: woken when a delivery is queued (LISTEN, reconnected if the database restarts), and at
    least every second for retries; a round that fails for the database is tried again, never the end."""
    pool = await create_pool(database_url, min_size=1, max_size=3)
    log.info("webhooks.dispatcher.started")
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
            await rounds_on_notify(
                database_url,
                "webhooks",
                lambda: deliver_due(pool, client, settings),
                stop,
                full=settings.webhook_batch,
                name="webhooks",
            )
    finally:
        await pool.close()
