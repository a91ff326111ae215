"""The sender process (`python -m notifier sender`): sends the due deliveries by their channel, records each, and
retries a failure with doubling back-off (jittered, capped, and never inside the person's quiet hours) until it is
sent or `max_attempts` is reached; admins see pending and failed deliveries with their last error
(GET /v1/notifications/deliveries).

A delivery is locked while it is sent and recorded as sent in the same transaction; a sender stopped by a signal
finishes its round first, so a restart sends nothing twice. Only a crash between the send and the commit can send
one again, with the same reference."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import structlog
from prometheus_client import Counter

from lianrong_platform.db import create_pool
from lianrong_platform.listen import rounds_on_notify
from notifier.adapters import postgres_notifications as store
from notifier.channels import Channel, Email, NotSent, Sms
from notifier.domain.messages import Message
from notifier.domain.quiet import after_quiet_hours
from notifier.settings import NotifierSettings

log = structlog.get_logger(__name__)
SENDS = Counter("lianrong_notification_sends_total", "Notification delivery attempts", ["channel", "outcome"])


def backoff(attempts: int, settings: NotifierSettings) -> timedelta:
    wait = min(settings.retry_base_seconds * 2 ** max(attempts - 1, 0), settings.retry_max_seconds)
    return timedelta(seconds=wait * random.uniform(0.8, 1.0))


async def send_due(pool: asyncpg.Pool, channels: dict[str, Channel], settings: NotifierSettings) -> int:
    """One round: the due deliveries, sent concurrently and recorded; how many were attempted."""
    async with pool.acquire() as conn, conn.transaction():
        due = await store.due(conn, settings.batch)
        if not due:
            return 0
        results = await asyncio.gather(*(_send(channels, d) for d in due))
        for delivery, error in zip(due, results, strict=True):
            if error is None:
                await store.sent(conn, delivery["delivery_id"])
                SENDS.labels(delivery["channel"], "sent").inc()
                continue
            SENDS.labels(delivery["channel"], "failed").inc()
            attempts = delivery["attempts"] + 1
            retry = None if error.permanent or attempts >= settings.max_attempts else backoff(attempts, settings)
            if retry is not None:
                quiet = await conn.fetchrow(
                    "SELECT quiet_start, quiet_end FROM people WHERE subject = $1", delivery["subject"]
                )
                at = datetime.now(UTC) + retry
                if quiet:
                    retry = after_quiet_hours(at, quiet["quiet_start"], quiet["quiet_end"]) - datetime.now(UTC)
            await store.failed(conn, delivery["delivery_id"], str(error), retry)
            log.warning(
                "notifier.delivery_failed",
                delivery_id=str(delivery["delivery_id"]),
                channel=delivery["channel"],
                attempts=attempts,
                error=str(error),
                gave_up=retry is None,
            )
    return len(due)


async def _send(channels: dict[str, Channel], delivery: dict[str, Any]) -> NotSent | None:
    channel = channels.get(delivery["channel"])
    if channel is None:
        return NotSent(f"the {delivery['channel']} channel is not configured on this installation")
    message = Message(delivery["kind"], delivery["title"], delivery["body"], delivery["link"])
    try:
        await channel.send(delivery["address"], message, str(delivery["delivery_id"]))
    except NotSent as exc:
        return exc
    return None


async def run_sender(database_url: str, settings: NotifierSettings, stop: asyncio.Event) -> None:
    """Send until stopped: woken when a delivery is queued (LISTEN, reconnected after a database restart) and every
    second for retries and quiet hours' ends; a round that fails for the database is tried again."""
    pool = await create_pool(database_url, min_size=1, max_size=2)
    log.info("notifier.sender.started", channels=settings.channels())
    try:
        async with httpx.AsyncClient(timeout=settings.send_timeout_seconds) as client:
            channels: dict[str, Channel] = {}
            if settings.smtp_host:
                channels["email"] = Email(settings)
            if settings.sms_url:
                channels["sms"] = Sms(settings, client)
            await rounds_on_notify(
                database_url,
                "deliveries",
                lambda: send_due(pool, channels, settings),
                stop,
                full=settings.batch,
                name="notifier.sender",
            )
    finally:
        await pool.close()
