"""The one way services produce to Kafka: idempotent, acks from all in-sync replicas.

aiokafka's defaults (acks=1, no idempotence) can lose or duplicate a message on a leader change; ours cannot.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from lianrong_platform.kafka.connection import client_options


def idempotent_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=30_000,
        **client_options(),
    )
