"""End-to-end throughput of needs through Kafka → matcher → Kafka, against raw aiokafka produce+consume of the same
number of same-sized messages on the same broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import asyncpg

from bench.market import Market
from contracts import encode
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from lianrong_platform.db import create_pool, migrate_dsn
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.outbox import OutboxRelay
from lianrong_platform.testing.kafka import TopicTail, running_consumer
from matcher.adapters import postgres_market as store
from matcher.bootstrap import SPEC
from matcher.entrypoints.consumer import build_handlers
from matcher.settings import MatcherSettings


def _events(market: Market, count: int) -> list[firm_ev.NeedSubmitted]:
    return [
        firm_ev.NeedSubmitted(
            producer="bench",
            need_id=uuid.uuid4(),
            firm_id=n.firm_id,
            chain=n.chain,
            terms=n.terms,
            first_loan=n.first_loan,
            firm=n.firm,
            position=n.position,
        )
        for n in market.needs[:count]
    ]


async def _load(pool: asyncpg.Pool, market: Market) -> None:
    """The market into the matcher's read model, through the same store functions its event handlers use."""
    async with pool.acquire() as conn, conn.transaction():
        for bank_id, name in market.banks.items():
            await store.upsert_bank(conn, bank_id, name)
        for d in market.roles.designations:
            await store.upsert_designation(
                conn, uuid.uuid4(), d.chain, d.bank_id, d.role.value, d.valid_from, d.valid_until
            )
        for o in market.offers:
            await store.upsert_product(conn, o.product_id, o.bank_id, o.terms)
        for crew in market.officers.values():
            for officer in crew:
                await store.upsert_officer(conn, officer.officer_id, officer.bank_id, officer.profile)


async def matcher_pipeline(
    bootstrap: str, admin_dsn: str, market: Market, count: int, progress: Callable[[int], None]
) -> tuple[float, int]:
    """(seconds from the first need produced to the last decision consumed, average need size in bytes)."""
    await ensure_topics(bootstrap, catalogue_topics())
    database = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = admin_dsn.rpartition("/")[0] + f"/{database}"
    pool = None
    try:
        await migrate_dsn(dsn, SPEC.migrations, "matcher")
        pool = await create_pool(dsn, max_size=4)
        await _load(pool, market)
        settings = MatcherSettings(sla_seconds=86400, sla_working_hours=False)
        relay_producer = idempotent_producer(bootstrap, client_id="bench-relay")
        await relay_producer.start()
        relay = OutboxRelay(dsn, relay_producer, service="matcher-bench", idle_poll=0.05)
        tail = await TopicTail.start(bootstrap, match_ev.MATCH_EVENTS)
        events = _events(market, count)
        wanted = {str(e.need_id).encode() for e in events}
        async with running_consumer(
            bootstrap,
            pool,
            build_handlers(settings),
            SPEC.consumes,
            group_prefix="matcher-bench",
            beside=[lambda _pool, stop: relay.run(stop)],
        ) as firms:
            await asyncio.sleep(1.0)  # the consumer has its partitions
            started = time.perf_counter()
            for i, event in enumerate(events):
                await firms.producer.send(event.topic, value=encode(event), key=event.key)
                if i % 100 == 0:
                    progress(i)
            await firms.producer.flush()
            records = await tail.read(expect=count, within_s=600, settle_s=0.0, where=lambda r: r.key in wanted)
            elapsed = time.perf_counter() - started
        await relay_producer.stop()
        progress(count)
        if len({r.key for r in records}) < count:
            raise RuntimeError(f"only {len(records)} of {count} decisions arrived")
        return elapsed, sum(len(encode(e)) for e in events) // count
    finally:
        if pool is not None:
            await pool.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


async def raw_kafka(bootstrap: str, count: int, size: int) -> float:
    """Seconds to produce `count` messages of `size` bytes (same producer settings) and consume them all."""
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [(topic, 6)])
    tail = await TopicTail.start(bootstrap, topic)
    producer = idempotent_producer(bootstrap, client_id="bench-raw")
    await producer.start()
    try:
        payload = b"x" * size
        started = time.perf_counter()
        for i in range(count):
            await producer.send(topic, value=payload, key=str(i).encode())
        await producer.flush()
        records = await tail.read(expect=count, within_s=300, settle_s=0.0)
        elapsed = time.perf_counter() - started
        if len(records) < count:
            raise RuntimeError(f"only {len(records)} of {count} raw messages arrived")
        return elapsed
    finally:
        await producer.stop()
