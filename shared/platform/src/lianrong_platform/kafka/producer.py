"""The one way services produce to Kafka: idempotent, acks from all in-sync replicas.

aiokafka's defaults (acks=1, no idempotence) can lose or duplicate a message on a leader change; ours cannot.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from lianrong_platform.kafka.connection import client_options, compression


def idempotent_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        # Batches up to 1 MiB (the broker's default message.max.bytes): the matcher's proposals are ~3 KB of JSON
        # each, and 16 KB batches (aiokafka's default) would carry five of them per request. Compressed only when the
        # operator says every reader has the codec (KAFKA_COMPRESSION_TYPE, see connection.py).
        max_batch_size=1_048_576,
        compression_type=compression(),
        request_timeout_ms=30_000,
        **client_options(),
    )
