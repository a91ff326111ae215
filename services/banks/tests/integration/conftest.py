"""The banks service as it runs: its app on a fresh database of the real PostgreSQL, two banks with a lead-bank
designation, a product, officers, and tokens for every role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from banks.bootstrap import SPEC
from banks.event_handlers import keep_need, receive_proposal
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from contracts.envelope import utc_now
from lianrong_platform.auth import Role
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.service import create_app
from lianrong_platform.settings import ServiceSettings


def product_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "链融订单贷",
        "product_type": "order_loan",
        "amount_min": "100000.00",
        "amount_max": "3000000.00",
        "term_min_months": 3,
        "term_max_months": 24,
        "rate_min": "0.0320",
        "rate_max": "0.0550",
        "chains": ["smart_terminal"],
        "size_classes": ["small", "micro", "medium"],
        "collateral_accepted": ["none"],
        "capacity": "10000000.00",
        "active_from": "2026-01-01",
    }
    return body | overrides


@dataclass
class BanksWorld:
    client: httpx.AsyncClient
    app: Any
    dsn: str
    pool: Any
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    async def call(self, who: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers.get(who or "", {}), **kwargs.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kwargs)

    def proposal(
        self,
        *,
        officer: str = "officer_a1",
        amount: str = "1500000.00",
        due_in: timedelta = timedelta(hours=4),
        need_id: uuid.UUID | None = None,
    ) -> match_ev.MatchProposed:
        bank = "bank_a" if officer.startswith("officer_a") else "bank_b"
        return match_ev.MatchProposed(
            producer="matcher",
            match_id=uuid.uuid4(),
            need_id=need_id or uuid.uuid4(),
            firm_id=uuid.uuid4(),
            chain="smart_terminal",
            bank_id=self.ids[bank],
            bank_name="东莞农商银行",
            bank_role="lead",
            product_id=self.ids["product"],
            product_name="链融订单贷",
            officer_id=self.ids[officer],
            officer_name="李伟",
            reserved_amount=Decimal(amount),
            attempt=1,
            score=0.9,
            components=(),
            answer_by=utc_now() + due_in,
        )

    async def deliver(self, proposal: match_ev.MatchProposed, *, requested: str = "1500000.00") -> str:
        """Apply a proposal (and its need) through the consumer's own handlers, as if it came from Kafka."""
        need = firm_ev.NeedSubmitted(
            producer="firms",
            need_id=proposal.need_id,
            firm_id=proposal.firm_id,
            chain="smart_terminal",
            terms=firm_ev.NeedTerms(
                amount=Decimal(requested),
                term_months=12,
                purpose="备货",
                product_types=("order_loan",),
                consent_scope="chain_banks",
                consent_until="2030-01-01",
            ),
            first_loan=False,
            firm=firm_ev.FirmFacts(
                town="changan", employees=80, revenue_last_year=Decimal(30_000_000), size_class="small"
            ),
            position=firm_ev.ChainPosition(),
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await keep_need(conn, need)
            await receive_proposal(conn, proposal)
        return str(proposal.match_id)


@pytest.fixture
async def banks(infra, fresh_database, tokens) -> AsyncIterator[BanksWorld]:
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    dsn = await fresh_database()
    app = create_app(SPEC, ServiceSettings(service="banks", database_url=dsn), verifier=tokens.verifier)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as c:
        world = BanksWorld(c, app, dsn, app.state.pool)
        ids = {n: uuid.uuid4() for n in ("bank_a", "bank_b", "officer_a1", "officer_a2", "officer_b1", "firm")}
        world.ids = ids
        issue = tokens.issuer.issue

        def bearer(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        world.headers = {
            "admin": bearer(issue(Role.ADMIN, "ops")),
            "regulator": bearer(issue(Role.REGULATOR, "pboc")),
            "sme": bearer(issue(Role.SME, "owner", firm_id=ids["firm"])),
            "bank_admin_a": bearer(issue(Role.BANK_ADMIN, "a-admin", bank_id=ids["bank_a"])),
            "bank_admin_b": bearer(issue(Role.BANK_ADMIN, "b-admin", bank_id=ids["bank_b"])),
            "officer_a1": bearer(issue(Role.OFFICER, "a1", bank_id=ids["bank_a"], officer_id=ids["officer_a1"])),
            "officer_a2": bearer(issue(Role.OFFICER, "a2", bank_id=ids["bank_a"], officer_id=ids["officer_a2"])),
            "officer_b1": bearer(issue(Role.OFFICER, "b1", bank_id=ids["bank_b"], officer_id=ids["officer_b1"])),
        }
        for key, code, name in (("bank_a", "DRCB", "东莞农村商业银行"), ("bank_b", "ICBC-DG", "工商银行东莞分行")):
            body = {"bank_id": str(ids[key]), "code": code, "name": name, "kind": "rural"}
            assert (await world.call("admin", "POST", "/v1/banks", json=body)).status_code == 201
        designation = {
            "chain": "smart_terminal",
            "bank_id": str(ids["bank_a"]),
            "role": "lead",
            "valid_from": "2026-01-01",
            "chain_credit_line": "500000000.00",
        }
        assert (await world.call("regulator", "POST", "/v1/designations", json=designation)).status_code == 201
        product = await world.call("bank_admin_a", "POST", f"/v1/banks/{ids['bank_a']}/products", json=product_body())
        assert product.status_code == 201, product.text
        ids["product"] = uuid.UUID(product.json()["product_id"])
        for officer, bank in (("officer_a1", "bank_a"), ("officer_a2", "bank_a"), ("officer_b1", "bank_b")):
            body = {
                "officer_id": str(ids[officer]),
                "name": f"服务官{officer[-2:]}",
                "centre": "松山湖制造业服务中心",
                "chains": ["smart_terminal"],
                "max_open_matches": 20,
            }
            response = await world.call(f"bank_admin_{bank[-1]}", "POST", f"/v1/banks/{ids[bank]}/officers", json=body)
            assert response.status_code == 201, response.text
        yield world
