"""Workers outlive the database: a relay whose connections PostgreSQL cuts (as a restart does) connects again and
publishes what was recorded meanwhile, woken by NOTIFY on its re-established LISTEN; a relay that cannot reach its
database says so on /readyz with the reason, while /healthz stays alive."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from contracts import decode
from contracts.firms import NeedWithdrawn
from lianrong_platform import outbox
from lianrong_platform.db import create_pool, migrate_dsn
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.outbox import OutboxRelay
from lianrong_platform.probes import STATUS, serve_probes
from lianrong_platform.testing.kafka import read_topic
from lianrong_platform.testing.ports import free_port


async def test_a_relay_whose_connections_are_cut_reconnects_and_publishes(infra, fresh_database, fresh_topic) -> None:
    dsn = await fresh_database()
    await migrate_dsn(dsn, None, "probe")
    topic = await fresh_topic("self-healing", partitions=1)
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="self-healing")
    await producer.start()
    pool = await create_pool(dsn, max_size=2)
    stop = asyncio.Event()
    # A minute between polls: within this test only a NOTIFY on a live LISTEN can wake the relay.
    relay = asyncio.create_task(OutboxRelay(dsn, producer, service="probe", idle_poll=60).run(stop))
    try:
        events = []
        for round_ in range(3):
            await asyncio.sleep(1.0)
            if round_:
                database = dsn.rpartition("/")[2]
                cut = await pool.fetchval(
                    """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                       WHERE datname = $1 AND pid <> pg_backend_pid()""",
                    database,
                )
                assert cut >= 2  # the relay's leader connection and its LISTEN
                await asyncio.sleep(1.5)  # the relay notices and connects again
            event = NeedWithdrawn(producer="probe", need_id=uuid.uuid4(), firm_id=uuid.uuid4())
            async with pool.acquire() as conn, conn.transaction():
                await outbox.record(conn, event, topic=topic)
            events.append(event)
        records = await read_topic(infra.kafka_bootstrap_servers, topic, expect=3, within_s=20)
        assert [decode(r.value or b"").event_id for r in records] == [e.event_id for e in events]
        assert STATUS.ready
        assert not relay.done()
    finally:
        stop.set()
        await asyncio.wait_for(relay, 15)
        await pool.close()
        await producer.stop()


async def test_a_relay_that_cannot_reach_its_database_is_alive_but_not_ready(infra) -> None:
    port = free_port()
    server = await serve_probes(port)
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="self-healing-down")
    await producer.start()
    stop = asyncio.Event()
    unreachable = f"postgresql://nobody:nothing@127.0.0.1:{free_port()}/nowhere"
    relay = asyncio.create_task(OutboxRelay(unreachable, producer, service="probe").run(stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(50):
                ready = await client.get("/readyz")
                if ready.status_code == 503 and "cannot publish" in ready.json()["reason"]:
                    break
                await asyncio.sleep(0.1)
            assert ready.status_code == 503
            assert "ConnectionRefusedError" in ready.json()["reason"] or "OSError" in ready.json()["reason"]
            assert (await client.get("/healthz")).status_code == 200
            assert "lianrong_worker_ready 0.0" in (await client.get("/metrics")).text
        assert not relay.done()  # it keeps trying: nothing to restart by hand
    finally:
        stop.set()
        await asyncio.wait_for(relay, 15)
        server.close()
        await producer.stop()
