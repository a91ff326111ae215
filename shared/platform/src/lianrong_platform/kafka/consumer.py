"""The consumer loop every service uses.

For each message: decode it with the contracts; in the database transaction of its batch, record its event id in the
inbox and apply the handler's effect (which may record outgoing events in the outbox); commit; and only after the
database commit, commit the Kafka offset (a few times a second, not after every batch). A crash anywhere replays
from the last committed offset and the inbox turns the replay into a no-op, so every effect happens exactly once.

A message that can never be processed (undecodable, or failing its handler `max_attempts` times) is published to the
group's dead-letter topic with the error in its headers and then skipped: it never blocks the partition and is never
silently dropped. Failures of the infrastructure itself (database or broker unreachable) are retried without limit:
those messages are fine and must not be parked. (A batch replayed after such a failure may dead-letter a poison
message a second time; the dead-letter topic is for people, who see the same offset twice.)
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import IllegalStateError, KafkaError
from prometheus_client import Counter

from contracts import Event, dead_letter_topic
from contracts.envelope import correlation
from lianrong_platform import inbox
from lianrong_platform.db import Connection
from lianrong_platform.kafka.connection import client_options
from lianrong_platform.kafka.topics import ensure_topics
from lianrong_platform.probes import STATUS

log = structlog.get_logger(__name__)

Handler = Callable[[Connection, Event], Awaitable[None]]
ManyHandler = Callable[[Connection, Sequence[Event]], Awaitable[None]]
INBOX_PURGE_EVERY_S = 3600.0
Decoder = Callable[[bytes], Event]

PROCESSED = Counter("lianrong_events_consumed_total", "Events consumed, by outcome", ["group", "type", "outcome"])

# Two transactions that met in opposite orders (a fetch applied in one transaction takes its lines run by run; the
# deadline sweep takes one need's): PostgreSQL aborted this one. Nothing is wrong with the infrastructure or the
# message: applied again at once, and the consumer stays ready unless it keeps happening.
CONTENTION = (asyncpg.exceptions.SerializationError, asyncpg.exceptions.DeadlockDetectedError)
CONTENDED = Counter(
    "lianrong_consumer_contention_total", "Batches aborted by a deadlock or a serialization failure", ["group"]
)
CONTENTION_TOLERATED = 5  # in a row, before readiness says the consumer cannot apply events

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


class Batched:
    """A handler that can also apply a run of consecutive events of its type at once: the matcher decides a fetched
    batch of needs against one reading of the market and writes it with a statement per table, not per need.

    Called with one event it is the plain handler: the careful path (a savepoint per message, after a batch failed)
    applies events one by one, so `many` must have exactly the effects of `one` applied to each event in order."""

    def __init__(self, one: Handler, many: ManyHandler) -> None:
        self.one = one
        self.many = many

    async def __call__(self, conn: Connection, event: Event) -> None:
        await self.one(conn, event)


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
        commit_interval: float = 0.2,
        inbox_retention_days: int = 30,
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
        self._commit_interval = commit_interval
        # Ids of applied events are kept longer than Kafka keeps the events (7 days), then purged: an event older
        # than the window can no longer be delivered, and the table does not grow forever.
        self._inbox_retention_days = inbox_retention_days
        self.dead_letter_topic = dead_letter_topic(group)
        self._stopping: asyncio.Event | None = None

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self.group,
            client_id=f"{self.group}-consumer",
            enable_auto_commit=False,  # offsets are committed only after the database commit
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=500,
            **client_options(),
        )

    async def run(self, stop: asyncio.Event) -> None:
        self._stopping = stop
        await ensure_topics(self._bootstrap, [(self.dead_letter_topic, 1)])
        consumer = self._consumer()
        offsets = _Offsets(consumer)
        consumer.subscribe(self._topics, listener=offsets)
        await consumer.start()
        log.info("consumer.started", group=self.group, topics=self._topics)
        last_commit = asyncio.get_running_loop().time()
        last_purge = 0.0
        try:
            failures = 0
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                waiting = False
                try:
                    together = len(batches) > 1 and await self._apply_together(batches)
                except _Stopped:
                    break  # rolled back: read again after the restart
                if together:
                    for tp, records in batches.items():
                        offsets.done[tp] = records[-1].offset + 1
                    batches = {}  # applied: nothing left for the partition-by-partition path below
                for tp, records in batches.items():
                    if stop.is_set():
                        break
                    try:
                        await self._process_batch(records)
                    except _Stopped:
                        break
                    except RetryLater:
                        # Another partition may hold what this batch waits for: read the others first.
                        consumer.seek(tp, records[0].offset)
                        waiting = True
                        continue
                    except TRANSIENT as exc:
                        # Nothing of the batch is committed: read it again once the infrastructure is back.
                        consumer.seek(tp, records[0].offset)
                        failures += 1
                        if isinstance(exc, CONTENTION) and failures <= CONTENTION_TOLERATED:
                            CONTENDED.labels(self.group).inc()
                            log.info("consumer.contention_retry", error=type(exc).__name__, partition=tp.partition)
                            await asyncio.sleep(random.uniform(0, self._retry_delay))  # let the other one finish
                            continue
                        STATUS.down(f"cannot apply events: {type(exc).__name__}: {str(exc).splitlines()[0]}")
                        log.warning("consumer.transient_failure", error=repr(exc), partition=tp.partition)
                        await asyncio.sleep(min(5.0, self._retry_delay * 2 ** min(failures, 5)))
                        continue
                    failures = 0
                    # The database holds every effect of the batch: only now may Kafka forget them.
                    offsets.done[tp] = records[-1].offset + 1
                now = asyncio.get_running_loop().time()
                if not batches or now - last_commit >= self._commit_interval:
                    try:
                        await offsets.commit()
                    except KafkaError as exc:  # committed later: the inbox makes a replay harmless meanwhile
                        STATUS.down(f"cannot commit offsets: {type(exc).__name__}: {exc}")
                        log.warning("consumer.commit_failed", error=repr(exc))
                    else:
                        if failures == 0:
                            STATUS.up()
                    last_commit = now
                if waiting:
                    await asyncio.sleep(self._retry_delay)
                if now - last_purge > INBOX_PURGE_EVERY_S:
                    last_purge = now
                    with contextlib.suppress(*TRANSIENT):
                        await inbox.purge(self._pool, self.group, self._inbox_retention_days)
        finally:
            with contextlib.suppress(Exception):
                await offsets.commit()
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _apply_together(self, batches: Mapping[TopicPartition, Sequence[ConsumerRecord[bytes, bytes]]]) -> bool:
        """Every partition's records of one fetch in one transaction, each partition's in its order: a handler of
        runs gets the whole fetch at once. False (and nothing applied) when anything fails or waits: then each
        partition is applied on its own, where failures are handled partition by partition."""
        try:
            outcomes = await self._apply_straight([r for records in batches.values() for r in records])
        except _Stopped:
            raise
        except (*TRANSIENT, RetryLater):
            return False
        if outcomes is None:
            return False
        for event_type, outcome in outcomes:
            PROCESSED.labels(self.group, event_type, outcome).inc()
        return True

    async def _process_batch(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """One transaction for the partition's batch (a commit per message would cost a disk flush per message).

        Most batches are all good: they are applied straight, with one inbox statement for the batch. If any message
        fails, that attempt is rolled back whole and the batch is applied again with a savepoint per message, so the
        failing one rolls back alone (and is retried, then dead-lettered) while the others are applied."""
        outcomes = await self._apply_straight(records)
        if outcomes is None:
            outcomes = []
            async with self._pool.acquire() as conn, conn.transaction():
                for record in records:
                    self._check_stopping()
                    outcomes.append(await self._process(conn, record))
        for event_type, outcome in outcomes:
            PROCESSED.labels(self.group, event_type, outcome).inc()

    def _check_stopping(self) -> None:
        if self._stopping is not None and self._stopping.is_set():
            raise _Stopped  # roll the batch back: it is read again after the restart

    async def _apply_straight(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[tuple[str, str]] | None:
        """The batch without savepoints; None (and nothing applied) when any message cannot be decoded or fails."""
        try:
            events = [self._decode(record.value or b"") for record in records]
        except Exception:  # the careful path dead-letters it
            return None
        wanted = [e for e in events if e.type in self._handlers]
        outcomes: list[tuple[str, str]] = []
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                fresh = await inbox.claim_many(conn, self.group, wanted) if wanted else set()
                run: list[Event] = []  # consecutive fresh events of one batched handler, applied together
                run_handler: Batched | None = None
                for record, event in zip(records, events, strict=True):
                    self._check_stopping()
                    handler = self._handlers.get(event.type)
                    if handler is None:
                        outcomes.append((event.type, "ignored"))
                        continue
                    if event.event_id not in fresh:
                        outcomes.append((event.type, "duplicate"))
                        continue
                    fresh.discard(event.event_id)  # a second copy in the same batch is a duplicate
                    outcomes.append((event.type, "applied"))
                    if isinstance(handler, Batched):
                        if run_handler is not handler:
                            await _apply_run(conn, run_handler, run)
                            run, run_handler = [], handler
                        run.append(event)
                        continue
                    await _apply_run(conn, run_handler, run)
                    run, run_handler = [], None
                    with _logged_as(event, record):
                        await handler(conn, event)
                await _apply_run(conn, run_handler, run)
        except (*TRANSIENT, RetryLater, _Stopped):
            raise
        except Exception as exc:
            log.info("consumer.batch_falls_back_to_savepoints", error=repr(exc), messages=len(records))
            return None
        return outcomes

    async def _process(self, conn: Connection, record: ConsumerRecord[bytes, bytes]) -> tuple[str, str]:
        try:
            event = self._decode(record.value or b"")
        except Exception as exc:  # undecodable: it will never become decodable by retrying
            await self._dead_letter(record, exc, event_type="?")
            return "?", "dead_lettered"
        handler = self._handlers.get(event.type)
        if handler is None:
            return event.type, "ignored"
        with _logged_as(event, record):
            for attempt in range(1, self._max_attempts + 1):
                try:
                    async with conn.transaction():  # a savepoint: this message's effect, or nothing of it
                        if not await inbox.claim(conn, self.group, event):
                            return event.type, "duplicate"
                        await handler(conn, event)
                    return event.type, "applied"
                except (*TRANSIENT, RetryLater):
                    raise
                except Exception as exc:
                    if attempt == self._max_attempts or isinstance(exc, Unprocessable):
                        await self._dead_letter(record, exc, event_type=event.type)
                        return event.type, "dead_lettered"
                    log.warning("consumer.handler_failed", attempt=attempt, error=repr(exc))
                    await asyncio.sleep(self._retry_delay * attempt)
        raise AssertionError("unreachable")

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


async def _apply_run(conn: Connection, handler: Batched | None, run: Sequence[Event]) -> None:
    if handler is None or not run:
        return
    if len(run) == 1:
        with _logged_as(run[0], None):
            await handler.one(conn, run[0])
        return
    with structlog.contextvars.bound_contextvars(event_type=run[0].type, events=len(run)):
        await handler.many(conn, run)


@contextlib.contextmanager
def _logged_as(event: Event, record: ConsumerRecord[bytes, bytes] | None) -> Iterator[None]:
    """Every log line a handler writes names the event and where it was read from, and every event it records
    carries the consumed event's correlation id."""
    where = {} if record is None else {"topic": record.topic, "partition": record.partition, "offset": record.offset}
    with (
        structlog.contextvars.bound_contextvars(
            event_id=str(event.event_id),
            event_type=event.type,
            correlation_id=str(event.correlation_id),
            **where,
        ),
        correlation(event.correlation_id),
    ):
        yield


class RetryLater(Exception):
    """Raised by a handler whose event depends on another not seen yet (it travels on another topic): the batch is
    rolled back and read again shortly, as after an infrastructure failure."""


class Unprocessable(Exception):
    """Raised by a handler for an event that no retry can make processable: it goes to the dead-letter topic at
    once."""


class _Stopped(Exception):
    pass


class _Offsets(ConsumerRebalanceListener):  # type: ignore[misc]
    """Offsets whose batches the database has committed, not yet committed to Kafka.

    They are committed every `commit_interval` rather than after every batch: a Kafka commit is a round trip to the
    group coordinator, and a batch is often a single message. They are also committed when partitions are taken away
    in a rebalance, so the next owner starts where this one stopped. Offsets that could not be committed are read
    again by someone, and the inbox turns them into no-ops."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self.done: dict[TopicPartition, int] = {}

    async def commit(self, partitions: Any = None) -> None:
        chosen = {tp: o for tp, o in self.done.items() if partitions is None or tp in partitions}
        if not chosen:
            return
        for tp in chosen:
            del self.done[tp]
        try:
            await self._consumer.commit(chosen)
        except (IllegalStateError, KafkaError) as exc:  # the partitions moved on: their new owner reads them again
            log.warning("consumer.offsets_not_committed", error=repr(exc), partitions=len(chosen))

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self.commit(set(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return None


def dead_letter_headers(record: Any) -> dict[str, str]:
    """The headers of a dead-lettered message as text (for operators and tests)."""
    return {k: v.decode() for k, v in (record.headers or ())}
