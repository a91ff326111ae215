"""Throughput through Kafka, three ways on the same broker and the same needs, measured the same way: from the first
need produced to the last reply consumed, by a consumer assigned and fetching before the clock starts.

* the pipeline: needs → the matcher's consumer (decisions, reservations, decision record, outbox) → its relay (a
  process of its own, as deployed) → replies on matcher.match-events;
* the same topology with no logic: the platform's consumer loop (inbox, transaction, commit after the database)
  answers each need with an outbox row as large as the matcher's reply, published by the same relay;
* raw aiokafka: the needs produced with the relay's producer settings and consumed, and again with one message of the
  reply's size per need as well (what the pipeline moves in bytes).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.market import Market
from contracts import TOPICS, Event, decode, encode
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from lianrong_platform import outbox
from lianrong_platform.db import Connection, create_pool, migrate_dsn
from lianrong_platform.kafka.consumer import EventConsumer, Handler
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.logging import configure_logging
from lianrong_platform.outbox import OutboxRelay
from lianrong_platform.runtime import tune_gc
from lianrong_platform.testing.kafka import skip_history
from matcher.adapters import postgres_market as store
from matcher.bootstrap import SPEC
from matcher.entrypoints.consumer import build_handlers
from matcher.settings import MatcherSettings


class WarmReader:
    """A consumer assigned to every partition of a topic at its current end and already fetching, so the clock
    measures records moving, not a consumer starting."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self.consumer = consumer

    @classmethod
    async def open(cls, bootstrap: str, topic: str) -> WarmReader:
        # Subscribed first (no group), the consumer learns the topic's partitions; then it reads them by assignment.
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            isolation_level="read_committed",
            max_partition_fetch_bytes=4 * 2**20,
            fetch_max_bytes=32 * 2**20,
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            if not partitions:
                raise LookupError(f"topic {topic} has no partitions")
            consumer.unsubscribe()
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            await consumer.getmany(timeout_ms=300)  # warm: connections to the leaders are open and fetching
        except BaseException:
            await consumer.stop()
            raise
        return cls(consumer)

    async def collect(
        self, expect: int, within_s: float, keep: Callable[[bytes | None], bool] = lambda _: True
    ) -> list[Any]:
        """Records until `expect` distinct keys have one (a need may have two: an escalation is also listed on the
        coordination desk)."""
        records: list[Any] = []
        keys: set[bytes | None] = set()
        deadline = time.monotonic() + within_s
        while len(keys) < expect and time.monotonic() < deadline:
            for batch in (await self.consumer.getmany(timeout_ms=100, max_records=20_000)).values():
                for record in batch:
                    if keep(record.key):
                        records.append(record)
                        keys.add(record.key)
        return records

    async def close(self) -> None:
        await self.consumer.stop()


@dataclass(frozen=True)
class Run:
    needs: int
    seconds: float
    need_bytes: int
    reply_bytes: int

    @property
    def per_second(self) -> float:
        return self.needs / self.seconds


def needs_of(market: Market, count: int) -> list[firm_ev.NeedSubmitted]:
    """`count` needs: the market's needs, repeated with new ids when more are asked for than it has (a firm may
    ask again)."""
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
        for n in (market.needs[i % len(market.needs)] for i in range(count))
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


@asynccontextmanager
async def scratch_database(admin_dsn: str, migrations: Any, name: str) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    database = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = admin_dsn.rpartition("/")[0] + f"/{database}"
    pool = None
    try:
        await migrate_dsn(dsn, migrations, name)
        pool = await create_pool(dsn, max_size=4)
        yield dsn, pool
    finally:
        if pool is not None:
            await pool.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


async def _through(
    bootstrap: str,
    dsn: str,
    service: _Service,
    topics: tuple[str, ...],
    events: list[firm_ev.NeedSubmitted],
    warm_up: firm_ev.NeedSubmitted,
    progress: Callable[[int], None],
    name: str,
) -> tuple[float, list[Any]]:
    """Seconds from the first need produced to the last reply consumed, and the replies.

    The consumer and the relay each run in a process of their own, as they are deployed (supervisord, a Deployment
    each): producing the needs and reading the replies is the load, not the system measured, and does not share
    their processor. One need goes through first, before the clock: the consumer has its partitions and the relay
    its leadership when the first counted need is produced. The needs are encoded before the clock starts, as the
    firms service encodes them in its own process."""
    reader = await WarmReader.open(bootstrap, match_ev.MATCH_EVENTS)
    wanted = {str(e.need_id).encode() for e in events}
    payloads = [(e.topic, encode(e), e.key) for e in events]
    group = f"{name}-{uuid.uuid4().hex[:8]}"
    await skip_history(bootstrap, group, list(topics))
    workers = [
        _spawn(_consumer_main, bootstrap, dsn, name, group, topics, service),
        _spawn(_relay_main, bootstrap, dsn, name),
    ]
    producer = idempotent_producer(bootstrap, client_id=f"{name}-load")
    await producer.start()
    try:
        await producer.send_and_wait(warm_up.topic, value=encode(warm_up), key=warm_up.key)
        first = str(warm_up.need_id).encode()
        if not await reader.collect(1, 120, lambda key: key == first):
            raise RuntimeError(f"{name}: the warm-up need got no reply in 120 s")
        started = time.perf_counter()
        collecting = asyncio.create_task(reader.collect(len(events), 900, lambda key: key in wanted))
        for i, (topic, value, key) in enumerate(payloads):
            await producer.send(topic, value=value, key=key)
            if i % 500 == 0:
                progress(i)
        await producer.flush()
        records = await collecting
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
        await reader.close()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(30)
    progress(len(events))
    if len({r.key for r in records}) < len(events):
        raise RuntimeError(f"{name}: only {len(records)} of {len(events)} replies arrived")
    return elapsed, records


@dataclass(frozen=True)
class _Service:
    """What the consumer process runs (picklable: the process is spawned): the matcher's handlers, or the no-logic
    answer with a reply of the given bytes."""

    matcher: bool
    reply: bytes = b""

    def handlers(self) -> Mapping[str, Handler]:
        if self.matcher:
            return build_handlers(MatcherSettings(sla_seconds=86400, sla_working_hours=False))
        reply = decode(self.reply)
        assert isinstance(reply, match_ev.MatchProposed)

        async def answer(conn: Connection, event: Event) -> None:
            assert isinstance(event, firm_ev.NeedSubmitted)
            await outbox.record(conn, reply.model_copy(update={"event_id": uuid.uuid4(), "need_id": event.need_id}))

        return {firm_ev.NeedSubmitted.model_fields["type"].default: answer}


def _spawn(target: Callable[..., None], *args: Any) -> multiprocessing.process.BaseProcess:
    worker = multiprocessing.get_context("spawn").Process(target=target, args=args, daemon=True)
    worker.start()
    return worker


def _consumer_main(bootstrap: str, dsn: str, name: str, group: str, topics: tuple[str, ...], service: _Service) -> None:
    """The service's consumer as it runs deployed: its own process, the services' collector settings, stopped by
    SIGTERM."""
    configure_logging(f"{name}-consumer", "console", "WARNING")
    tune_gc()

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        pool = await create_pool(dsn, max_size=4)
        producer = idempotent_producer(bootstrap, client_id=f"{name}-consumer")
        await producer.start()
        try:
            await EventConsumer(
                group=group,
                topics=topics,
                bootstrap_servers=bootstrap,
                pool=pool,
                producer=producer,
                handlers=service.handlers(),
                decode=decode,
            ).run(stop)
        finally:
            await producer.stop()
            await pool.close()

    asyncio.run(run())


def _relay_main(bootstrap: str, dsn: str, name: str) -> None:
    """The outbox relay as a service runs it: its own process, the services' collector settings, stopped by SIGTERM."""
    configure_logging(f"{name}-relay", "console", "WARNING")
    tune_gc()

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        producer = idempotent_producer(bootstrap, client_id=f"{name}-relay")
        await producer.start()
        try:
            await OutboxRelay(dsn, producer, service=name, idle_poll=0.05).run(stop)
        finally:
            await producer.stop()

    asyncio.run(run())


@dataclass(frozen=True)
class Spread:
    """How the lines were used after a burst: over all products, and how many of them were full."""

    lines_used: float
    products_full: int
    products: int
    proposed: int
    escalated: int


async def matcher_pipeline(
    bootstrap: str, admin_dsn: str, market: Market, count: int, progress: Callable[[int], None]
) -> tuple[Run, Spread, match_ev.MatchProposed]:
    await ensure_topics(bootstrap, catalogue_topics())
    warm_up, *events = needs_of(market, count + 1)
    async with scratch_database(admin_dsn, SPEC.migrations, "matcher") as (dsn, pool):
        await _load(pool, market)
        elapsed, records = await _through(
            bootstrap, dsn, _Service(matcher=True), tuple(SPEC.consumes), events, warm_up, progress, "matcher-bench"
        )
        async with pool.acquire() as conn:
            row = await conn.fetchrow(
                """SELECT sum(reserved + disbursed) / sum(capacity) AS used, count(*) AS products,
                          count(*) FILTER (WHERE capacity - reserved - disbursed < 100000) AS full
                   FROM products"""
            )
    replies = [decode(r.value) for r in records]
    proposals = [e for e in replies if isinstance(e, match_ev.MatchProposed)]
    spread = Spread(
        lines_used=round(float(row["used"] or Decimal(0)), 4),
        products_full=int(row["full"]),
        products=int(row["products"]),
        proposed=len(proposals),
        escalated=sum(isinstance(e, match_ev.NeedEscalated) for e in replies),
    )
    run = Run(
        count,
        elapsed,
        sum(len(encode(e)) for e in events) // count,
        sum(len(encode(p)) for p in proposals) // max(1, len(proposals)),  # the reply: a proposal as published
    )
    if not proposals:
        raise RuntimeError("the market placed no need: nothing to size the no-logic reply on")
    # The no-logic baseline answers every need with the proposal nearest the average size: the same bytes moved.
    typical = min(proposals, key=lambda p: abs(len(encode(p)) - run.reply_bytes))
    return run, spread, typical


async def noop_topology(
    bootstrap: str,
    admin_dsn: str,
    market: Market,
    count: int,
    reply: match_ev.MatchProposed,
    progress: Callable[[int], None],
) -> Run:
    """The matcher's topology with no matching: each need answered by a reply as large as the matcher's."""
    warm_up, *events = needs_of(market, count + 1)
    async with scratch_database(admin_dsn, None, "noop") as (dsn, _):
        service = _Service(matcher=False, reply=encode(reply))
        elapsed, records = await _through(
            bootstrap, dsn, service, (firm_ev.NEED_EVENTS,), events, warm_up, progress, "noop-bench"
        )
    return Run(
        count,
        elapsed,
        sum(len(encode(e)) for e in events) // count,
        sum(len(r.value) for r in records) // len(records),
    )


async def raw_kafka(bootstrap: str, count: int, sizes: tuple[int, ...]) -> float:
    """Seconds to produce `count` messages of each size (the relay's producer settings) and consume them all, on a
    topic with the need topic's partitions, read by a warm consumer."""
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    partitions = next(t.partitions for t in TOPICS if t.name == firm_ev.NEED_EVENTS)
    await ensure_topics(bootstrap, [(topic, partitions)])
    reader = await WarmReader.open(bootstrap, topic)
    producer = idempotent_producer(bootstrap, client_id="bench-raw")
    await producer.start()
    try:
        payloads = [b"x" * size for size in sizes]
        expected = count * len(sizes)
        started = time.perf_counter()
        collecting = asyncio.create_task(reader.collect(expected, 300))
        for i in range(count):
            for k, payload in enumerate(payloads):
                await producer.send(topic, value=payload, key=f"{i}:{k}".encode())
        await producer.flush()
        records = await collecting
        elapsed = time.perf_counter() - started
        if len(records) < expected:
            raise RuntimeError(f"only {len(records)} of {expected} raw messages arrived")
        return elapsed
    finally:
        await producer.stop()
        await reader.close()
