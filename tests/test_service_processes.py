"""Each service runs as the processes `make run` starts (API, consumer, relay), against the real Kafka and
PostgreSQL: it migrates its own database, answers health and auth on HTTP, publishes its outbox to the catalogue
topic, consumes its input topics, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from banks.bootstrap import SPEC as banks_spec
from contracts import decode
from contracts.firms import NEED_EVENTS, NeedWithdrawn
from firms.bootstrap import SPEC as firms_spec
from lianrong_platform import outbox
from lianrong_platform.auth import Role
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.testing.kafka import read_topic, skip_history
from lianrong_platform.testing.ports import free_port
from matcher.bootstrap import SPEC as matcher_spec
from notifier.bootstrap import SPEC as notifier_spec
from oversight.bootstrap import SPEC as oversight_spec

SERVICES = ("firms", "banks", "matcher", "oversight", "notifier")
LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts")) / "service-processes"


class Process:
    def __init__(self, service: str, role: str, env: dict[str, str]) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = LOGS / f"{service}-{role}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", service, role],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env, "LOG_FORMAT": "json"},
            )

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


# uvicorn shuts down gracefully on SIGTERM and then re-raises the signal, so its exit status is -SIGTERM.
GRACEFUL_API_EXIT = (0, -signal.SIGTERM)


@pytest.fixture
async def service_env(infra, fresh_database, tokens, tmp_path):
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    specs = {
        "firms": firms_spec,
        "banks": banks_spec,
        "matcher": matcher_spec,
        "oversight": oversight_spec,
        "notifier": notifier_spec,
    }
    key = tmp_path / "jwt-public.pem"
    key.write_bytes(tokens.public_pem)
    env = {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers, "JWT_PUBLIC_KEY_FILE": str(key)}
    dsns = {}
    for service in SERVICES:
        dsns[service] = await fresh_database()
        prefix = service.upper()
        group = f"{service}-{uuid.uuid4().hex[:8]}"
        await skip_history(infra.kafka_bootstrap_servers, group, specs[service].consumes)
        env |= {
            f"{prefix}_DATABASE_URL": dsns[service],
            f"{prefix}_HTTP_PORT": str(free_port()),
            f"{prefix}_CONSUMER_GROUP": group,
        }
    return env, dsns


@pytest.mark.parametrize("service", SERVICES)
async def test_the_api_process_migrates_serves_health_and_checks_tokens(service, service_env, tokens) -> None:
    env, _ = service_env
    api = Process(service, "api", env)
    base = f"http://127.0.0.1:{env[f'{service.upper()}_HTTP_PORT']}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            for _ in range(150):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert api.proc.poll() is None, api.log.read_text()
                await asyncio.sleep(0.1)
            assert (await client.get("/readyz")).json() == {"status": "ready"}
            assert (await client.get("/v1/session")).status_code == 401
            token = tokens.issuer.issue(Role.REGULATOR, "pboc-analyst")
            session = await client.get("/v1/session", headers={"Authorization": f"Bearer {token}"})
            assert session.json()["role"] == "regulator"
            assert (await client.get("/openapi.json")).json()["info"]["title"].startswith("链融")
    finally:
        assert api.stop() in GRACEFUL_API_EXIT


async def test_relay_publishes_to_the_catalogue_topic_and_consumers_run_and_stop_cleanly(infra, service_env) -> None:
    env, dsns = service_env
    publishing = [s for s in SERVICES if s != "notifier"]  # the notifier publishes nothing: it runs no relay
    processes = [Process(s, "relay", env) for s in publishing] + [Process(s, "consumer", env) for s in SERVICES]
    try:
        conn = await asyncpg.connect(dsns["firms"])
        try:
            for _ in range(150):  # the relay migrates the database on start
                if await conn.fetchval("SELECT to_regclass('outbox') IS NOT NULL"):
                    break
                await asyncio.sleep(0.1)
            event = NeedWithdrawn(producer="firms", need_id=uuid.uuid4(), firm_id=uuid.uuid4())
            async with conn.transaction():
                await outbox.record(conn, event)
        finally:
            await conn.close()
        records = await read_topic(infra.kafka_bootstrap_servers, NEED_EVENTS, expect=10**9, within_s=5)
        assert event in [decode(r.value or b"") for r in records]
        for p in processes:
            assert p.proc.poll() is None, p.log.read_text()
    finally:
        codes = [p.stop() for p in processes]
    assert codes == [0] * len(processes), [p.log.read_text()[-2000:] for p in processes]
    assert all('"consumer.started"' in p.log.read_text() for p in processes if p.log.name.endswith("consumer.log"))


async def test_an_api_with_an_open_live_stream_stops_within_a_bounded_time(service_env, tokens) -> None:
    env, dsns = service_env
    api = Process("banks", "api", env)
    base = f"http://127.0.0.1:{env['BANKS_HTTP_PORT']}"
    bank_id = uuid.uuid4()
    officer = tokens.issuer.issue(Role.BANK_ADMIN, "admin-a", bank_id=bank_id)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(150):
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/readyz")).status_code == 200:
                    break
            await asyncio.sleep(0.1)
        conn = await asyncpg.connect(dsns["banks"])  # a token names a bank that exists (banks checks it)
        await conn.execute(
            "INSERT INTO banks (bank_id, code, name, kind) VALUES ($1, 'STREAM', '测试银行', 'rural')", bank_id
        )
        await conn.close()
        headers = {"Authorization": f"Bearer {officer}"}
        async with client.stream("GET", "/v1/matches/stream", headers=headers) as stream:
            assert stream.status_code == 200
            started = asyncio.get_running_loop().time()
            api.proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(api.proc.wait, 30)
            elapsed = asyncio.get_running_loop().time() - started
    assert code in GRACEFUL_API_EXIT
    assert elapsed < 12, f"shutdown took {elapsed:.1f} s with a live stream open"
