"""The consumer loop every service uses.

For each message: decode it with the contracts; in ONE database transaction record its event id in the inbox and
apply the handler's effect (which may record outgoing events in the outbox); commit; and only after the database
commit, commit the Kafka offset. A crash anywhere replays from the last committed offset and the inbox turns the
replay into a no-op, so every effect happens exactly once.

A message that can never be processed (undecodable, or failing its handler `max_attempts` times) is published to the
group's dead-letter topic with the error in its headers and then skipped: it never blocks the partition and is never
silently dropped. Failures of the infrastructure itself (database or broker unreachable) are retried without limit:
those messages are fine and must not be parked.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError
from prometheus_client import Counter

from contracts import Event, dead_letter_topic
from lianrong_platform import inbox
from lianrong_platform.db import Connection
from lianrong_platform.kafka.topics import ensure_topics

log = structlog.get_logger(__name__)

Handler = Callable[[Connection, Event], Awaitable[None]]
Decoder = Callable[[bytes], Event]

PROCESSED = Counter("lianrong_events_consumed_total", "Events consumed, by outcome", ["group", "type", "outcome"])

# Errors of the infrastructure, not of the message: retry the same message until it works.
TRANSIENT = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    KafkaError,
)


class EventConsumer:
    def __init__(
        self,
        *,
        group: str,
        topics: Sequence[str],
        bootstrap_servers: str,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        handlers: Mapping[str, Handler],
        decode: Decoder,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
    ) -> None:
        self.group = group
        self._topics = list(topics)
        self._bootstrap = bootstrap_servers
        self._pool = pool
        self._producer = producer
        self._handlers = dict(handlers)
        self._decode = decode
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self.dead_letter_topic = dead_letter_topic(group)

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._bootstrap,
            group_id=self.group,
            client_id=f"{self.group}-consumer",
            enable_auto_commit=False,  # offsets are committed only after the database commit
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=500,
        )

    async def run(self, stop: asyncio.Event) -> None:
        await ensure_topics(self._bootstrap, [(self.dead_letter_topic, 1)])
        consumer = self._consumer()
        await consumer.start()
        log.info("consumer.started", group=self.group, topics=self._topics)
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                for tp, records in batches.items():
                    last = None
                    for record in records:
                        if stop.is_set():
                            break
                        await self._process(record, stop)
                        last = record
                    if last is not None:
                        # The database holds every effect up to `last`: only now may Kafka forget them.
                        await consumer.commit({tp: last.offset + 1})
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _process(self, record: ConsumerRecord[bytes, bytes], stop: asyncio.Event) -> None:
        context = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        try:
            event = self._decode(record.value or b"")
        except Exception as exc:  # undecodable: it will never become decodable by retrying
            await self._dead_letter(record, exc, event_type="?")
            return
        handler = self._handlers.get(event.type)
        if handler is None:
            PROCESSED.labels(self.group, event.type, "ignored").inc()
            return
        with structlog.contextvars.bound_contextvars(
            event_id=str(event.event_id), event_type=event.type, correlation_id=str(event.correlation_id), **context
        ):
            attempt = 0
            while True:
                try:
                    applied = await self._apply(handler, event)
                    PROCESSED.labels(self.group, event.type, "applied" if applied else "duplicate").inc()
                    return
                except TRANSIENT as exc:
                    log.warning("consumer.transient_failure", error=repr(exc))
                    if stop.is_set():
                        raise
                    await asyncio.sleep(min(5.0, self._retry_delay * 2 ** min(attempt, 5)))
                    attempt += 1
                except Exception as exc:
                    attempt += 1
                    if attempt >= self._max_attempts:
                        await self._dead_letter(record, exc, event_type=event.type)
                        return
                    log.warning("consumer.handler_failed", attempt=attempt, error=repr(exc))
                    await asyncio.sleep(self._retry_delay * attempt)

    async def _apply(self, handler: Handler, event: Event) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            if not await inbox.claim(conn, self.group, event):
                return False
            await handler(conn, event)
            return True

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], exc: BaseException, *, event_type: str) -> None:
        headers: list[tuple[str, bytes]] = [
            ("error", f"{type(exc).__name__}: {exc}"[:4000].encode()),
            ("original-topic", record.topic.encode()),
            ("original-partition", str(record.partition).encode()),
            ("original-offset", str(record.offset).encode()),
            ("consumer-group", self.group.encode()),
        ]
        await self._producer.send_and_wait(self.dead_letter_topic, value=record.value, key=record.key, headers=headers)
        PROCESSED.labels(self.group, event_type, "dead_lettered").inc()
        log.error(
            "consumer.dead_lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=type(exc).__name__,
        )


def dead_letter_headers(record: Any) -> dict[str, str]:
    """The headers of a dead-lettered message as text (for operators and tests)."""
    return {k: v.decode() for k, v in (record.headers or ())}
