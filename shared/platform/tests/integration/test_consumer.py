"""The consumer loop against the real broker and database: poison messages go to the dead-letter topic with their
error and the rest is processed; a redelivered event has no second effect; offsets follow the database, while the
consumer runs and when it stops."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from contracts import Event, decode, encode
from contracts.firms import NeedWithdrawn
from lianrong_platform import inbox
from lianrong_platform.db import Connection, create_pool, migrate_dsn
from lianrong_platform.kafka.consumer import EventConsumer, dead_letter_headers
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.testing.kafka import read_topic

CURSED_FIRM = uuid.uuid4()  # the handler below can never apply events of this firm


async def apply(conn: Connection, event: Event) -> None:
    assert isinstance(event, NeedWithdrawn)
    if event.firm_id == CURSED_FIRM:
        raise ValueError("this firm's events can never be applied")
    await conn.execute("INSERT INTO effects (event_id) VALUES ($1)", event.event_id)


@pytest.fixture
async def world(infra, fresh_database, fresh_topic):
    dsn = await fresh_database()
    await migrate_dsn(dsn, None, "probe")
    pool = await create_pool(dsn, max_size=3)
    await pool.execute("CREATE TABLE effects (event_id uuid NOT NULL)")
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="test")
    await producer.start()
    topic = await fresh_topic("consumer", partitions=2)
    yield pool, producer, topic
    await producer.stop()
    await pool.close()


def consumer_for(infra, pool, producer, topic: str, group: str) -> EventConsumer:
    return EventConsumer(
        group=group,
        topics=[topic],
        bootstrap_servers=infra.kafka_bootstrap_servers,
        pool=pool,
        producer=producer,
        handlers={"firms.NeedWithdrawn": apply},
        decode=decode,
        max_attempts=2,
        retry_delay=0.01,
    )


async def run_until(consumer: EventConsumer, pool: asyncpg.Pool, effects: int, within_s: float = 30) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        deadline = asyncio.get_running_loop().time() + within_s
        while await pool.fetchval("SELECT count(*) FROM effects") < effects:
            assert asyncio.get_running_loop().time() < deadline, "the consumer did not apply the events in time"
            assert not task.done(), f"the consumer stopped: {task.exception()!r}"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


def withdrawal(firm_id: uuid.UUID | None = None) -> NeedWithdrawn:
    return NeedWithdrawn(producer="probe", need_id=uuid.uuid4(), firm_id=firm_id or uuid.uuid4())


async def test_poison_messages_are_dead_lettered_with_their_error_and_the_rest_is_processed(infra, world) -> None:
    pool, producer, topic = world
    good = [withdrawal() for _ in range(20)]
    cursed = withdrawal(CURSED_FIRM)
    key = b"same-partition"  # poison first, on the partition of the good ones: it must not block them
    await producer.send_and_wait(topic, value=b"{not json", key=key)
    await producer.send_and_wait(topic, value=encode(cursed), key=key)
    for event in good:
        await producer.send_and_wait(topic, value=encode(event), key=key)

    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = consumer_for(infra, pool, producer, topic, group)
    await run_until(consumer, pool, effects=len(good))

    applied = {r["event_id"] for r in await pool.fetch("SELECT event_id FROM effects")}
    assert applied == {e.event_id for e in good}
    dead = await read_topic(infra.kafka_bootstrap_servers, consumer.dead_letter_topic, expect=2)
    assert len(dead) == 2
    by_value = {r.value: dead_letter_headers(r) for r in dead}
    assert by_value[b"{not json"]["error"].startswith("ValidationError")
    assert "can never be applied" in by_value[encode(cursed)]["error"]
    assert {h["original-topic"] for h in by_value.values()} == {topic}
    assert {h["consumer-group"] for h in by_value.values()} == {group}


async def test_a_redelivered_event_has_no_second_effect(infra, world) -> None:
    pool, producer, topic = world
    event = withdrawal()
    for _ in range(3):  # the same event three times, as a relay re-publishing after a crash would
        await producer.send_and_wait(topic, value=encode(event), key=event.key)
    await producer.send_and_wait(topic, value=encode(withdrawal()), key=event.key)
    await run_until(consumer_for(infra, pool, producer, topic, f"g-{uuid.uuid4().hex[:8]}"), pool, effects=2)
    assert await pool.fetchval("SELECT count(*) FROM effects WHERE event_id = $1", event.event_id) == 1
    assert await pool.fetchval("SELECT count(*) FROM effects") == 2


async def test_offsets_are_committed_after_the_database_so_a_restart_replays_nothing(infra, world) -> None:
    pool, producer, topic = world
    for _ in range(10):
        await producer.send_and_wait(topic, value=encode(withdrawal()))
    group = f"g-{uuid.uuid4().hex[:8]}"
    await run_until(consumer_for(infra, pool, producer, topic, group), pool, effects=10)
    # A second run of the same group starts after the committed offsets: nothing is even looked at again.
    inbox_before = await pool.fetchval("SELECT count(*) FROM inbox")
    await producer.send_and_wait(topic, value=encode(withdrawal()))
    await run_until(consumer_for(infra, pool, producer, topic, group), pool, effects=11)
    assert await pool.fetchval("SELECT count(*) FROM inbox") == inbox_before + 1
    assert await pool.fetchval("SELECT count(*) FROM effects") == 11


async def test_offsets_are_committed_while_the_consumer_runs_not_only_when_it_stops(infra, world) -> None:
    pool, producer, topic = world
    events = [withdrawal() for _ in range(12)]
    for event in events:
        await producer.send_and_wait(topic, value=encode(event), key=event.key)
    group = f"g-{uuid.uuid4().hex[:8]}"
    stop = asyncio.Event()
    task = asyncio.create_task(consumer_for(infra, pool, producer, topic, group).run(stop))
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap_servers)
    await admin.start()
    try:
        committed = 0
        for _ in range(100):  # at most 10 s; the consumer commits a few times a second
            offsets = await admin.list_consumer_group_offsets(group)
            committed = sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)
            if committed == len(events):
                break
            assert not task.done(), f"the consumer stopped: {task.exception()!r}"
            await asyncio.sleep(0.1)
        assert committed == len(events)  # every message applied is committed, and the consumer still runs
        assert not task.done()
        assert await pool.fetchval("SELECT count(*) FROM effects") == len(events)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await admin.close()


async def test_applied_event_ids_are_forgotten_after_the_retention_window(infra, world) -> None:
    pool, _producer, _topic = world
    old, recent = uuid.uuid4(), uuid.uuid4()
    await pool.execute(
        """INSERT INTO inbox (consumer, event_id, event_type, processed_at)
           VALUES ('g', $1, 'x', now() - interval '31 days'), ('g', $2, 'x', now() - interval '29 days'),
                  ('other', $1, 'x', now() - interval '31 days')""",
        old,
        recent,
    )
    assert await inbox.purge(pool, "g", 30) == 1
    kept = {(r["consumer"], r["event_id"]) for r in await pool.fetch("SELECT consumer, event_id FROM inbox")}
    assert kept == {("g", recent), ("other", old)}
