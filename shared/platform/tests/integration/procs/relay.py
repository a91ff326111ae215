"""An outbox relay process for the exactly-once test. Run: python relay.py <dsn> <bootstrap> <batch_size>"""

from __future__ import annotations

import asyncio
import signal
import sys

from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.outbox import OutboxRelay


async def main(dsn: str, bootstrap: str, batch_size: str) -> None:
    producer = idempotent_producer(bootstrap, client_id="test-relay")
    await producer.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await OutboxRelay(dsn, producer, service="test", batch_size=int(batch_size)).run(stop)
    finally:
        await producer.stop()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
