"""The firms service as it runs: its app on a fresh database of the real PostgreSQL, its relay publishing to the
real Kafka, and the people who call it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from firms.bootstrap import SPEC
from lianrong_platform.auth import Role
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.outbox import OutboxRelay
from lianrong_platform.service import create_app
from lianrong_platform.settings import ServiceSettings

from .uscc import new_uscc


@dataclass
class FirmsWorld:
    client: httpx.AsyncClient
    dsn: str
    pool: Any
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    async def call(self, who: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers.get(who or "", {}), **kwargs.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kwargs)


def firm_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "uscc": new_uscc(),
        "legal_name": "东莞市精密五金有限公司",
        "town": "changan",
        "employees": 85,
        "revenue_last_year": "26000000.00",
        "contact": {"name": "王芳", "phone": "13800138000"},
        "honours": [{"code": "specialised", "valid_from": "2025-01-01", "valid_until": "2027-12-31"}],
    }
    return body | overrides


def need_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "chain": "smart_terminal",
        "amount": "1500000.00",
        "term_months": 12,
        "purpose": "采购原材料备货",
        "product_types": ["order_loan", "credit_loan"],
        "collateral": ["none"],
        "max_annual_rate": "0.045",
        "first_loan": True,
        "consent_scope": "chain_banks",
        "consent_until": "2030-12-31",
    }
    return body | overrides


@pytest.fixture
async def firms(infra, fresh_database, tokens) -> AsyncIterator[FirmsWorld]:
    """SME A and B registered, a chain master of smart_terminal, and tokens for every role."""
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    dsn = await fresh_database()
    app = create_app(SPEC, ServiceSettings(service="firms", database_url=dsn), verifier=tokens.verifier)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://firms") as client,
    ):
        world = FirmsWorld(client, dsn, app.state.pool)
        ids = {name: uuid.uuid4() for name in ("sme_a", "sme_b", "master", "bank", "officer")}
        world.ids = ids
        issue = tokens.issuer.issue
        world.headers = {
            "sme_a": {"Authorization": f"Bearer {issue(Role.SME, 'a', firm_id=ids['sme_a'])}"},
            "sme_b": {"Authorization": f"Bearer {issue(Role.SME, 'b', firm_id=ids['sme_b'])}"},
            "chain_master": {"Authorization": f"Bearer {issue(Role.CHAIN_MASTER, 'm', firm_id=ids['master'])}"},
            "officer": {
                "Authorization": "Bearer " + issue(Role.OFFICER, "o", bank_id=ids["bank"], officer_id=ids["officer"])
            },
            "regulator": {"Authorization": f"Bearer {issue(Role.REGULATOR, 'pboc')}"},
            "admin": {"Authorization": f"Bearer {issue(Role.ADMIN, 'ops')}"},
        }
        for who in ("sme_a", "sme_b"):
            response = await world.call(who, "POST", "/v1/firms", json=firm_body())
            assert response.status_code == 201, response.text
        master = firm_body(
            legal_name="华为终端有限公司",
            town="songshan_lake",
            employees=20000,
            revenue_last_year="90000000000.00",
            honours=[],
            firm_id=str(ids["master"]),
        )
        assert (await world.call("admin", "POST", "/v1/firms", json=master)).status_code == 201
        designation = {"firm_id": str(ids["master"]), "chains": ["smart_terminal"]}
        assert (await world.call("admin", "POST", "/v1/chain-masters", json=designation)).status_code == 204
        yield world


@pytest.fixture
async def relay(infra, firms: FirmsWorld) -> AsyncIterator[None]:
    """The firms outbox relay, publishing to the real catalogue topics while the test runs."""
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="firms-test-relay")
    await producer.start()
    stop = asyncio.Event()
    task = asyncio.create_task(OutboxRelay(firms.dsn, producer, service="firms", idle_poll=0.2).run(stop))
    yield
    stop.set()
    await asyncio.wait_for(task, 10)
    await producer.stop()
