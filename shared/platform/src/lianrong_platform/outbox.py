"""Transactional outbox: events are stored with the rows that caused them, in one transaction, and published later.

`record(conn, *events)` is what a handler calls inside its transaction. `OutboxRelay` is the process that publishes:
one relay per database is active at a time (an advisory lock elects it), so events leave in commit order and each
aggregate's events stay in order; it claims rows with FOR UPDATE SKIP LOCKED, publishes them through an idempotent
producer, waits for the broker's acknowledgement (acks=all), then marks them published (or deletes them, when the
retention window is zero) and later deletes published rows older than the window. A crash between the
acknowledgement and the mark re-publishes the batch: consumers deduplicate by event id (see inbox.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Counter, Gauge

from contracts import Event, encode
from lianrong_platform.db import Connection
from lianrong_platform.listen import listen_forever
from lianrong_platform.probes import STATUS

log = structlog.get_logger(__name__)

PUBLISHED = Counter("lianrong_outbox_published_total", "Events published by the outbox relay", ["service"])
BACKLOG = Gauge("lianrong_outbox_backlog", "Unpublished outbox rows seen by the relay", ["service"])

_RELAY_LOCK = 7_406_351_124

# What a relay outlives: the database restarting or cutting its connection, the broker away or slow.
RELAY_TRANSIENT = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    KafkaError,
)


async def record(conn: Connection, *events: Event, topic: str | None = None) -> None:
    """Store events for publication; call inside the transaction that writes the state they describe.

    Each event goes to its catalogue topic unless `topic` names another (tests and re-plays use that).
    """
    await insert(conn, encoded(*events, topic=topic))


Row = tuple[Any, ...]


def encoded(*events: Event, topic: str | None = None) -> list[Row]:
    """The outbox rows of `events`, encoded: a handler may encode while its other statements are in flight, then
    `insert` them."""
    return [(e.event_id, topic or e.topic, e.key, encode(e), e.type, e.correlation_id) for e in events]


async def insert(conn: Connection, rows: list[Row]) -> None:
    await conn.executemany(
        """INSERT INTO outbox (event_id, topic, key, payload, event_type, correlation_id)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        rows,
    )


def headers_of(row: asyncpg.Record) -> list[tuple[str, bytes]]:
    """Kafka headers, so a reader can route and trace without parsing the value."""
    found = [("event_type", row["event_type"].encode()), ("event_id", str(row["event_id"]).encode())]
    if row["correlation_id"] is not None:
        found.append(("correlation_id", str(row["correlation_id"]).encode()))
    return [*found, ("content-type", b"application/json")]


class OutboxRelay:
    def __init__(
        self,
        dsn: str,
        producer: AIOKafkaProducer,
        *,
        service: str,
        batch_size: int = 500,
        idle_poll: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._dsn = dsn
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        self._idle_poll = idle_poll
        self._retention = retention
        # A zero window: nobody reads published rows, so the row goes in the transaction that saw it acknowledged.
        self._mark = (
            "DELETE FROM outbox WHERE id = ANY($1::bigint[])"
            if retention <= timedelta(0)
            else "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
        )
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until stopped, through database restarts and broker outages: whatever fails, the unpublished rows
        stay in the outbox and the relay connects again with back-off (and says it is not ready meanwhile)."""
        failures = 0
        while not stop.is_set():
            try:
                await self._lead(stop)
                return
            except RELAY_TRANSIENT as exc:
                failures += 1
                STATUS.down(f"cannot publish: {type(exc).__name__}: {exc}")
                log.warning("outbox.relay.retrying", error=repr(exc), failures=failures)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=min(10.0, 0.2 * 2 ** min(failures, 6)))

    async def _lead(self, stop: asyncio.Event) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self._dsn, timeout=5)
        quit_listening = asyncio.Event()
        listening = asyncio.create_task(
            listen_forever(self._dsn, "outbox", lambda _: self._wake.set(), quit_listening, on_connected=self._wake.set)
        )
        try:
            STATUS.down("waiting to lead (another relay publishes this outbox)")
            await self._become_leader(conn, stop)
            log.info("outbox.relay.started")
            while not stop.is_set():
                published = await self.publish_batch(conn)
                STATUS.up()
                if published < self._batch_size:
                    await self._wait(stop)
                    await self._purge(conn)
        finally:
            quit_listening.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(listening, 5)
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _become_leader(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        # A second relay waits here as a hot standby; the lock goes with the leader's connection when it dies.
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK):
            if stop.is_set():
                return
            await asyncio.sleep(1.0)

    async def _wait(self, stop: asyncio.Event) -> None:
        self._wake.clear()
        stopping = asyncio.ensure_future(stop.wait())
        waking = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stopping, waking}, timeout=self._idle_poll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            waking.cancel()

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        async with conn.transaction():
            rows = await conn.fetch(
                """SELECT id, topic, key, payload, event_type, event_id, correlation_id FROM outbox
                   WHERE published_at IS NULL
                   ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""",
                self._batch_size,
            )
            if not rows:
                return 0
            # Send the whole batch before awaiting: the producer pipelines it, ordered per partition.
            deliveries = [
                await self._producer.send(
                    r["topic"], value=bytes(r["payload"]), key=bytes(r["key"]), headers=headers_of(r)
                )
                for r in rows
            ]
            await asyncio.gather(*deliveries)
            await conn.execute(self._mark, [r["id"] for r in rows])
        PUBLISHED.labels(self._service).inc(len(rows))
        log.debug("outbox.published", count=len(rows))
        return len(rows)

    async def _purge(self, conn: asyncpg.Connection) -> None:
        BACKLOG.labels(self._service).set(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
        await conn.execute(
            "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - $1::interval",
            self._retention,
        )
