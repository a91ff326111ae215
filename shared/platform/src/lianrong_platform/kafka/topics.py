"""Creates the topics of the catalogue (and the services' dead-letter topics) with their partition counts.

lianrong-topics            # create what is missing on $KAFKA_BOOTSTRAP_SERVERS
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from contracts import TOPICS, dead_letter_topic
from lianrong_platform.kafka.connection import client_options

SERVICE_GROUPS = ("firms", "banks", "matcher", "oversight", "notifier")


def replication() -> tuple[int, dict[str, str]]:
    """The replication factor and min in-sync replicas topics are created with: settings of the installation
    (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS; deploy/infra.sh sets 3 and 2 for a three-broker cluster)."""
    factor = int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1"))
    min_isr = os.environ.get("KAFKA_MIN_INSYNC_REPLICAS")
    return factor, ({"min.insync.replicas": min_isr} if min_isr else {})


async def ensure_topics(bootstrap_servers: str, topics: Iterable[tuple[str, int]], *, wait_s: float = 60.0) -> None:
    """Create each (name, partitions) topic that does not exist yet; wait for the broker up to `wait_s`."""
    admin = await _connected_admin(bootstrap_servers, wait_s)
    factor, configs = replication()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=n, replication_factor=factor, topic_configs=configs)
            for name, n in topics
            if name not in existing
        ]
        if missing:
            # Created concurrently by another process is what we wanted too.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def _connected_admin(bootstrap_servers: str, wait_s: float) -> AIOKafkaAdminClient:
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000, **client_options())
        try:
            await admin.start()
            return admin
        except KafkaConnectionError:
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


def catalogue_topics() -> list[tuple[str, int]]:
    topics = [(t.name, t.partitions) for t in TOPICS]
    topics += [(dead_letter_topic(group), 1) for group in SERVICE_GROUPS]
    return topics


def main() -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092")
    asyncio.run(ensure_topics(bootstrap, catalogue_topics()))
    print(f"topics ready on {bootstrap}: " + ", ".join(name for name, _ in catalogue_topics()))
