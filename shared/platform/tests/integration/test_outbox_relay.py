"""The outbox relay: wakes at commit time, publishes in order, one active relay per database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg

from contracts import decode
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.outbox import OutboxRelay
from lianrong_platform.testing.kafka import read_topic

from .helpers import producing_database, withdraw_needs


@asynccontextmanager
async def relaying(
    infra: Any, fresh_database: Any, fresh_topic: Any, *relays: dict[str, Any]
) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A database with an outbox and a new one-partition topic, one relay running for each of `relays` (its
    settings), and a connection to write events with. The relays are stopped on exit."""
    dsn = await fresh_database()
    await producing_database(dsn)
    topic = await fresh_topic("relay", partitions=1)
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="relay-test")
    await producer.start()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(OutboxRelay(dsn, producer, service="t", **r).run(stop)) for r in relays]
    conn = await asyncpg.connect(dsn)
    try:
        yield conn, topic
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        await producer.stop()
        await conn.close()


async def test_the_relay_wakes_on_commit_without_polling(infra, fresh_database, fresh_topic) -> None:
    # A poll interval far longer than the test: only LISTEN/NOTIFY can make the event arrive in time.
    async with relaying(infra, fresh_database, fresh_topic, {"idle_poll": 60}) as (conn, topic):
        await asyncio.sleep(1.0)  # the relay is idle and waiting now
        started = time.perf_counter()
        events = await withdraw_needs(conn, 5, topic)
        records = await read_topic(infra.kafka_bootstrap_servers, topic, expect=5, within_s=10, settle_s=0.2)
        latency = time.perf_counter() - started
        assert [decode(r.value or b"").event_id for r in records] == [e.event_id for e in events]
        assert latency < 10
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_a_second_relay_stands_by_so_events_keep_their_commit_order(infra, fresh_database, fresh_topic) -> None:
    async with relaying(infra, fresh_database, fresh_topic, {"batch_size": 7}, {"batch_size": 7}) as (conn, topic):
        written = []
        for _ in range(30):
            written += await withdraw_needs(conn, 3, topic)
        records = await read_topic(infra.kafka_bootstrap_servers, topic, expect=len(written), within_s=20)
        assert [decode(r.value or b"").event_id for r in records] == [e.event_id for e in written]
        holders = await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        assert holders == 1


async def test_with_no_retention_a_published_row_is_deleted_once_acknowledged(
    infra, fresh_database, fresh_topic
) -> None:
    """OUTBOX_RETENTION_HOURS=0: the outbox holds only what is not yet on Kafka, and every event is published once."""
    no_retention = {"batch_size": 7, "retention": timedelta(0)}
    async with relaying(infra, fresh_database, fresh_topic, no_retention) as (conn, topic):
        written = []
        for _ in range(10):
            written += await withdraw_needs(conn, 3, topic)
        records = await read_topic(infra.kafka_bootstrap_servers, topic, expect=len(written), within_s=20, settle_s=1)
        assert [decode(r.value or b"").event_id for r in records] == [e.event_id for e in written]
        for _ in range(50):  # the last batch's delete commits just after its acknowledgement
            if not await conn.fetchval("SELECT count(*) FROM outbox"):
                break
            await asyncio.sleep(0.1)
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
