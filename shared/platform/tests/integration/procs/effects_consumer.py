"""A consumer process for the exactly-once test: applies each event as one row in `effects`.

`effects` has no unique constraint on purpose: if the platform ever applied an event twice, a second row would
show it. Run: python effects_consumer.py <dsn> <bootstrap> <topic> <group>
"""

from __future__ import annotations

import asyncio
import signal
import sys

from contracts import Event, decode
from lianrong_platform.db import Connection, create_pool, migrate_dsn
from lianrong_platform.kafka.consumer import EventConsumer
from lianrong_platform.kafka.producer import idempotent_producer


async def apply(conn: Connection, event: Event) -> None:
    await conn.execute("INSERT INTO effects (event_id) VALUES ($1)", event.event_id)


async def main(dsn: str, bootstrap: str, topic: str, group: str) -> None:
    await migrate_dsn(dsn, None, "effects")
    pool = await create_pool(dsn, max_size=2)
    await pool.execute("CREATE TABLE IF NOT EXISTS effects (event_id uuid NOT NULL, at timestamptz DEFAULT now())")
    producer = idempotent_producer(bootstrap, client_id="effects-dlq")
    await producer.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    consumer = EventConsumer(
        group=group,
        topics=[topic],
        bootstrap_servers=bootstrap,
        pool=pool,
        producer=producer,
        handlers={"firms.NeedWithdrawn": apply},
        decode=decode,
    )
    try:
        await consumer.run(stop)
    finally:
        await producer.stop()
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
