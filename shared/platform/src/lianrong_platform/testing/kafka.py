"""Reading what actually landed on a topic, for assertions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from contracts import Event, decode, encode
from lianrong_platform.kafka.consumer import EventConsumer, Handler
from lianrong_platform.kafka.producer import idempotent_producer


async def read_topic(
    bootstrap_servers: str, topic: str, *, expect: int, within_s: float = 30.0, settle_s: float = 0.5
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record on `topic` from the beginning, once at least `expect` are there (or `within_s` passed), plus
    whatever else arrives within `settle_s` after that, so that extra (duplicate) records are seen too."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"reader-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        settle_until: float | None = None
        while True:
            now = loop.time()
            if len(records) >= expect and settle_until is None:
                settle_until = now + settle_s
            if now > deadline or (settle_until is not None and now > settle_until):
                return records
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
    finally:
        await consumer.stop()


class TopicTail:
    """What arrives on a topic after this point: end offsets are taken at `start`, records are read from there.

    Shared catalogue topics keep every earlier run's events; a tail sees only this test's.
    """

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self._bootstrap = bootstrap_servers
        self._topic = topic
        self._start: dict[TopicPartition, int] = {}

    @classmethod
    async def start(cls, bootstrap_servers: str, topic: str) -> TopicTail:
        tail = cls(bootstrap_servers, topic)
        # Subscribed (without a group), the consumer fetches the topic's metadata at start.
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            if not partitions:
                raise LookupError(f"topic {topic} does not exist")
            tail._start = await consumer.end_offsets(partitions)
        finally:
            await consumer.stop()
        return tail

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )

    async def read(
        self,
        *,
        expect: int,
        within_s: float = 20.0,
        settle_s: float = 0.5,
        where: Callable[[ConsumerRecord[bytes, bytes]], bool] = lambda _: True,
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """Records after the start that satisfy `where`, once `expect` are there (plus `settle_s` for extras)."""
        consumer = self._consumer()
        await consumer.start()
        records: list[ConsumerRecord[bytes, bytes]] = []
        try:
            consumer.assign(list(self._start))
            for tp, offset in self._start.items():
                consumer.seek(tp, offset)
            loop = asyncio.get_running_loop()
            deadline, settle_until = loop.time() + within_s, None
            while True:
                now = loop.time()
                if len(records) >= expect and settle_until is None:
                    settle_until = now + settle_s
                if now > deadline or (settle_until is not None and now > settle_until):
                    return records
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(r for r in batch if where(r))
        finally:
            await consumer.stop()


async def log_ends(bootstrap_servers: str, topics: Sequence[str]) -> dict[TopicPartition, int]:
    """Where each partition of `topics` ends now: the start of what comes next."""
    probe = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await probe.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(probe.partitions_for_topic(t) or ())]
        return dict(await probe.end_offsets(partitions))
    finally:
        await probe.stop()


async def commit_offsets(bootstrap_servers: str, group: str, offsets: Mapping[TopicPartition, int]) -> None:
    """A new consumer group's starting point, committed before its first consumer joins."""
    committer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False)
    await committer.start()
    try:
        committer.assign(list(offsets))
        await committer.commit(dict(offsets))
    finally:
        await committer.stop()


async def skip_history(bootstrap_servers: str, group: str, topics: list[str] | tuple[str, ...]) -> None:
    """Commit the current end of `topics` for a new consumer group, so that it starts with what comes next.

    Shared catalogue topics keep every earlier run's events; a test's consumer should see only the test's own.
    """
    await commit_offsets(bootstrap_servers, group, await log_ends(bootstrap_servers, topics))


@dataclass(frozen=True)
class Running:
    group: str
    producer: AIOKafkaProducer  # publishes what the other services would

    async def publish(self, *events: Event) -> None:
        for event in events:
            await self.producer.send_and_wait(event.topic, value=encode(event), key=event.key)


@asynccontextmanager
async def running_consumer(
    bootstrap_servers: str,
    pool: asyncpg.Pool,
    handlers: Mapping[str, Handler],
    topics: Sequence[str],
    *,
    group_prefix: str,
    beside: Sequence[Callable[[asyncpg.Pool, asyncio.Event], Coroutine[Any, Any, None]]] = (),
    start_at: Mapping[TopicPartition, int] | None = None,
) -> AsyncIterator[Running]:
    """A service's consumer loop (and what runs beside it) on a new group that starts after the topics' history,
    or at `start_at` (a rebuild reading an earlier stretch of the log again). Stops it all on exit."""
    producer = idempotent_producer(bootstrap_servers, client_id=f"{group_prefix}-peer")
    await producer.start()
    group = f"{group_prefix}-{uuid.uuid4().hex[:8]}"
    if start_at is None:
        await skip_history(bootstrap_servers, group, list(topics))
    else:
        await commit_offsets(bootstrap_servers, group, start_at)
    consumer = EventConsumer(
        group=group,
        topics=topics,
        bootstrap_servers=bootstrap_servers,
        pool=pool,
        producer=producer,
        handlers=handlers,
        decode=decode,
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(consumer.run(stop)), *(asyncio.create_task(t(pool, stop)) for t in beside)]
    try:
        yield Running(group, producer)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)
        await producer.stop()
