"""Kill the leader of a partition while producing, on a three-broker cluster; nothing acknowledged may be lost.

    KAFKA_BROKERS=3 LIANRONG_STATE=/tmp/k3 KAFKA_PORT=39092 KAFKA_CONTROLLER_PORT=39093 PG_PORT=56432 \\
        deploy/infra.sh up
    source /tmp/k3/env.sh && LIANRONG_STATE=/tmp/k3 uv run python deploy/chaos/kill_partition_leader.py

Produces 3,000 messages with the platform's idempotent producer (acks=all, min.insync.replicas=2), SIGKILLs the
leader of partition 0 after the first 1,000, then reads the topic back and prints acked, failed, read, lost and
duplicates.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.kafka.topics import ensure_topics


def leader_of_partition_0(topic: str) -> int:
    described = subprocess.run(
        ["deploy/kafka-tool.sh", "topics", "--describe", "--topic", topic], capture_output=True, text=True, check=True
    ).stdout
    return int(described.split("Partition: 0")[1].split("Leader: ")[1].split()[0])


async def main() -> None:
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    state = os.environ.get("LIANRONG_STATE", ".state")
    topic = f"chaos.{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, [(topic, 3)])
    leader = leader_of_partition_0(topic)
    pid_file = Path(f"{state}/kafka/kafka.pid" if leader == 1 else f"{state}/kafka/node-{leader}/kafka.pid")
    leader_pid = int(pid_file.read_text())  # noqa: ASYNC240 - once, before the clock matters
    producer = idempotent_producer(bootstrap, client_id="chaos")
    await producer.start()
    acked, failed = [], 0
    for i in range(3000):
        if i == 1000:
            os.kill(leader_pid, signal.SIGKILL)
            print(f"killed broker {leader}, leader of partition 0", flush=True)
        try:
            await producer.send_and_wait(topic, value=str(i).encode(), key=str(i % 7).encode())
            acked.append(i)
        except Exception:  # not acknowledged: the producer's caller knows it failed
            failed += 1
    await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=f"chaos-{uuid.uuid4()}"
    )
    await consumer.start()
    seen: list[int] = []
    idle = 0
    while idle < 6:
        batch = await consumer.getmany(timeout_ms=1000)
        idle = idle + 1 if not any(batch.values()) else 0
        for records in batch.values():
            seen += [int(r.value or b"0") for r in records]
    await consumer.stop()
    report = {
        "acked": len(acked),
        "failed": failed,
        "read": len(seen),
        "lost": len(set(acked) - set(seen)),
        "duplicates": len(seen) - len(set(seen)),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
