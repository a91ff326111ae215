"""A contract that evolves without breaking anyone, on the real Kafka: a producer built from a branch of the
contract (one optional field added, at the top and inside a nested model) and a consumer built from the released
contract run as two processes; every event is applied and none is dead-lettered."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg

from contracts import dead_letter_topic, firms
from lianrong_platform.db import migrate_dsn
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.testing.kafka import read_topic, skip_history
from matcher.bootstrap import SPEC

LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts")) / "contract-evolution"
NEEDS = 50

# The branch: NeedSubmitted with `channel` added, and NeedTerms with `purpose_code` added, both optional.
BRANCH_PRODUCER = """
import asyncio, sys, uuid
from datetime import date
from decimal import Decimal
from aiokafka import AIOKafkaProducer
from contracts import firms

class NeedTermsNext(firms.NeedTerms):
    purpose_code: str = "inventory"

class NeedSubmittedNext(firms.NeedSubmitted):
    channel: str = "portal"
    terms: NeedTermsNext

async def main(bootstrap: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for _ in range(count):
            event = NeedSubmittedNext(
                producer="firms-next", need_id=uuid.uuid4(), firm_id=uuid.uuid4(), chain="smart_terminal",
                terms=NeedTermsNext(amount=Decimal("500000"), term_months=12, purpose="备货",
                                    product_types=("order_loan",), consent_scope="any_eligible_bank",
                                    consent_until=date(2030, 1, 1), purpose_code="raw_materials"),
                first_loan=False, channel="bank_app",
                firm=firms.FirmFacts(town="changan", employees=50, revenue_last_year=Decimal(9000000),
                                     size_class="small"),
                position=firms.ChainPosition())
            await producer.send_and_wait(event.topic, event.model_dump_json().encode(), key=event.key)
            print(event.need_id, flush=True)
    finally:
        await producer.stop()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


async def test_events_with_a_field_the_consumer_does_not_know_are_all_applied(infra, fresh_database) -> None:
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    dsn = await fresh_database()
    await migrate_dsn(dsn, SPEC.migrations, "matcher")
    group = f"matcher-evolution-{uuid.uuid4().hex[:8]}"
    await skip_history(infra.kafka_bootstrap_servers, group, SPEC.consumes)
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "MATCHER_DATABASE_URL": dsn,
        "MATCHER_CONSUMER_GROUP": group,
        "LOG_FORMAT": "json",
    }
    with (LOGS / "released-consumer.log").open("wb") as log:
        consumer = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "matcher", "consumer", env=env, stdout=log, stderr=log
        )
    try:
        await asyncio.sleep(3)  # the consumer has joined its group
        producer = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            BRANCH_PRODUCER,
            infra.kafka_bootstrap_servers,
            str(NEEDS),
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        out, _ = await asyncio.wait_for(producer.communicate(), 60)
        assert producer.returncode == 0
        sent = {uuid.UUID(line) for line in out.decode().split()}
        assert len(sent) == NEEDS
        conn = await asyncpg.connect(dsn)
        try:
            for _ in range(300):
                applied = {r["need_id"] for r in await conn.fetch("SELECT need_id FROM needs")}
                if sent <= applied:
                    break
                await asyncio.sleep(0.1)
            assert sent <= applied, f"{len(sent - applied)} of {NEEDS} events were not applied"
            # Each was decided (escalated here: this market has no banks), none parked.
            assert await conn.fetchval("SELECT count(*) FROM decisions") == NEEDS
        finally:
            await conn.close()
        parked = await read_topic(infra.kafka_bootstrap_servers, dead_letter_topic(group), expect=1, within_s=3)
        assert parked == []
    finally:
        consumer.terminate()
        assert await asyncio.wait_for(consumer.wait(), 30) == 0
    assert firms.NeedSubmitted.model_fields.keys().isdisjoint({"channel"})  # the consumer's contract lacks it
