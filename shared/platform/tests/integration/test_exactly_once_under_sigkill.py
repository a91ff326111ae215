"""Rows written with their outbox events in one transaction reach a consumer in another process exactly once, even
when the relay and the consumer are killed with SIGKILL mid-batch and restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg

from contracts.firms import NeedWithdrawn
from lianrong_platform import outbox
from lianrong_platform.testing.kafka import read_topic

from .helpers import producing_database, withdraw_needs

PROCS = Path(__file__).parent / "procs"
LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts")) / "exactly-once"
TOTAL_TRANSACTIONS, EVENTS_PER_TRANSACTION = 300, 10  # 3,000 events
KILL_ROUNDS = 4


def start(script: str, *args: str) -> subprocess.Popen[bytes]:
    # Its output goes to the test log directory, where a failure can be read after the run.
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"{script}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, str(PROCS / script), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LOG_LEVEL": "WARNING"},
        )


def sigkill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


async def test_published_equals_applied_with_no_duplicate_and_no_loss_across_sigkills(
    infra, fresh_database, fresh_topic
) -> None:
    source, sink = await fresh_database(), await fresh_database()
    await producing_database(source)
    topic = await fresh_topic("exactly-once", partitions=3)
    group = f"effects-{topic}"
    relay_args = (source, infra.kafka_bootstrap_servers, "50")  # small batches: a kill lands mid-batch
    consumer_args = (sink, infra.kafka_bootstrap_servers, topic, group)

    relay, consumer = start("relay.py", *relay_args), start("effects_consumer.py", *consumer_args)
    writer = await asyncpg.connect(source)
    expected: set[str] = set()
    sink_conn: asyncpg.Connection | None = None
    try:
        kills = 0
        for i in range(TOTAL_TRANSACTIONS):
            expected |= {str(e.event_id) for e in await withdraw_needs(writer, EVENTS_PER_TRANSACTION, topic)}
            await asyncio.sleep(0.01)
            if i and i % (TOTAL_TRANSACTIONS // KILL_ROUNDS) == 0:
                # Kill both while they are busy, then bring them back: the rows must all still arrive once.
                sigkill(relay)
                await asyncio.sleep(0.2)
                sigkill(consumer)
                kills += 1
                relay, consumer = start("relay.py", *relay_args), start("effects_consumer.py", *consumer_args)
        assert kills == KILL_ROUNDS - 1 or kills == KILL_ROUNDS

        # A rolled-back transaction publishes nothing.
        ghost = NeedWithdrawn(producer="probe", need_id=uuid.uuid4(), firm_id=uuid.uuid4())
        tx = writer.transaction()
        await tx.start()
        await writer.execute("INSERT INTO withdrawals (need_id) VALUES ($1)", ghost.need_id)
        await outbox.record(writer, ghost, topic=topic)
        await tx.rollback()

        sink_conn = await _wait_for_table(sink)
        deadline = asyncio.get_running_loop().time() + 90
        while asyncio.get_running_loop().time() < deadline:
            if await sink_conn.fetchval("SELECT count(*) FROM effects") >= len(expected):
                break
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.0)  # let any late duplicate land before counting

        applied = [str(r["event_id"]) for r in await sink_conn.fetch("SELECT event_id FROM effects")]
        duplicates = len(applied) - len(set(applied))
        lost = expected - set(applied)
        on_topic = await read_topic(infra.kafka_bootstrap_servers, topic, expect=len(expected))
        print(
            f"\nexactly-once: written={len(expected)} records_on_topic={len(on_topic)} "
            f"applied={len(applied)} duplicates={duplicates} lost={len(lost)} kills={kills}"
        )
        assert duplicates == 0
        assert not lost
        assert set(applied) == expected
        assert len(on_topic) >= len(expected)  # a relay killed after the send may publish a batch twice
        assert not any(str(ghost.event_id).encode() in (r.value or b"") for r in on_topic)
        assert str(ghost.event_id) not in applied
        assert await writer.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        for proc in (relay, consumer):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                sigkill(proc)
        await writer.close()
        if sink_conn is not None:
            await sink_conn.close()


async def _wait_for_table(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    for _ in range(200):
        if await conn.fetchval("SELECT to_regclass('effects') IS NOT NULL"):
            return conn
        await asyncio.sleep(0.1)
    raise AssertionError("the consumer process never created its table")
