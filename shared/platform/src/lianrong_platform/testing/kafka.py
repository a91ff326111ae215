"""Reading what actually landed on a topic, for assertions."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer, ConsumerRecord


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
