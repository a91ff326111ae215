"""KAFKA_COMPRESSION_TYPE: what the relay's producer sends lz4- or zstd-compressed reaches the services' consumers
decoded, byte for byte."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from lianrong_platform.kafka import connection
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.kafka.topics import ensure_topics


@pytest.mark.parametrize("codec", ["lz4", "zstd", "gzip"])
async def test_a_compressed_batch_is_read_back_whole(infra, monkeypatch: pytest.MonkeyPatch, codec: str) -> None:
    monkeypatch.setenv("KAFKA_COMPRESSION_TYPE", codec)
    connection.compression.cache_clear()
    topic = f"compression-{codec}-{uuid.uuid4().hex[:8]}"
    await ensure_topics(infra.kafka_bootstrap_servers, [(topic, 1)])
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="compression-test")
    assert producer._compression_type is not None  # the setting reached the producer
    values = [f'{{"n": {i}, "text": "{"链融" * 200}"}}'.encode() for i in range(300)]
    await producer.start()
    try:
        for value in values:
            await producer.send(topic, value=value)
        await producer.flush()
    finally:
        await producer.stop()
        monkeypatch.delenv("KAFKA_COMPRESSION_TYPE")
        connection.compression.cache_clear()
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        read: list[bytes] = []
        while len(read) < len(values):
            for records in (await consumer.getmany(timeout_ms=2000)).values():
                read += [r.value for r in records if r.value is not None]
    finally:
        await consumer.stop()
    assert read == values
