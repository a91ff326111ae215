"""What every API answers, on a service app wired as in production (real PostgreSQL behind it): problem+json for
every error, 401 without a valid token, 403 for the wrong role, field-level validation errors, size limits,
health, readiness and metrics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.http.problems import NotFound
from lianrong_platform.service import ServiceSpec, create_app
from lianrong_platform.settings import ServiceSettings

router = APIRouter()


class Sample(BaseModel):
    amount: Decimal = Field(gt=0, le=Decimal("1e9"))
    term_months: int = Field(ge=1, le=360)


@router.post("/v1/samples", status_code=201)
async def create_sample(body: Sample, who: Annotated[Principal, Depends(require(Role.SME))]) -> dict[str, str]:
    return {"firm_id": str(who.firm_id)}


@router.get("/v1/pboc-only")
async def pboc_only(_: Annotated[Principal, Depends(require(Role.REGULATOR, Role.ADMIN))]) -> dict[str, str]:
    return {"ok": "yes"}


@router.get("/v1/samples/{sample_id}")
async def get_sample(sample_id: uuid.UUID) -> dict[str, str]:
    raise NotFound(f"No sample {sample_id}.")


@pytest.fixture
async def client(infra, fresh_database, tokens) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(service="probe", database_url=await fresh_database(), max_body_bytes=2048)
    app = create_app(
        ServiceSpec(name="probe", title="probe", description="", migrations=None, routers=[router]),
        settings,
        verifier=tokens.verifier,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as c:
            yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["detail"]
    return body


async def test_no_token_is_401_problem_with_a_challenge(client) -> None:
    response = await client.get("/v1/pboc-only")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_garbage_token_is_401(client) -> None:
    assert_problem(await client.get("/v1/pboc-only", headers=bearer("not.a.jwt")), 401)


async def test_the_wrong_role_is_403(client, tokens) -> None:
    token = tokens.issuer.issue(Role.SME, "owner", firm_id=uuid.uuid4())
    body = assert_problem(await client.get("/v1/pboc-only", headers=bearer(token)), 403)
    assert "regulator" in body["detail"]


async def test_the_right_role_passes(client, tokens) -> None:
    response = await client.get("/v1/pboc-only", headers=bearer(tokens.issuer.issue(Role.REGULATOR, "pboc")))
    assert response.status_code == 200


async def test_invalid_fields_are_named_with_json_pointers(client, tokens) -> None:
    token = tokens.issuer.issue(Role.SME, "owner", firm_id=uuid.uuid4())
    response = await client.post("/v1/samples", headers=bearer(token), json={"amount": "-5", "term_months": "x"})
    body = assert_problem(response, 422)
    assert {e["pointer"] for e in body["errors"]} == {"/amount", "/term_months"}


async def test_field_errors_carry_a_code_and_its_limits_for_translation(client, tokens) -> None:
    token = tokens.issuer.issue(Role.SME, "owner", firm_id=uuid.uuid4())
    response = await client.post("/v1/samples", headers=bearer(token), json={"amount": "-5", "term_months": "x"})
    errors = {e["pointer"]: e for e in assert_problem(response, 422)["errors"]}
    assert (errors["/amount"]["code"], errors["/amount"]["params"]) == ("greater_than", {"gt": "0"})
    assert (errors["/term_months"]["code"], errors["/term_months"]["params"]) == ("int_parsing", {})


async def test_a_body_that_is_not_json_is_a_problem(client, tokens) -> None:
    token = tokens.issuer.issue(Role.SME, "owner", firm_id=uuid.uuid4())
    response = await client.post(
        "/v1/samples", headers={**bearer(token), "content-type": "application/json"}, content=b"{amount:"
    )
    assert_problem(response, 422)


async def test_an_oversize_body_is_413(client, tokens) -> None:
    token = tokens.issuer.issue(Role.SME, "owner", firm_id=uuid.uuid4())
    response = await client.post("/v1/samples", headers=bearer(token), content=b"{" + b" " * 4096 + b"}")
    assert_problem(response, 413)


async def test_not_found_and_unknown_routes_are_problems(client) -> None:
    assert_problem(await client.get(f"/v1/samples/{uuid.uuid4()}"), 404)
    assert_problem(await client.get("/v1/nothing-here"), 404)
    assert_problem(await client.get("/v1/samples/not-a-uuid"), 422)


async def test_health_readiness_and_metrics(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    metrics = (await client.get("/metrics")).text
    assert "lianrong_http_requests_total" in metrics


async def test_the_correlation_id_is_echoed_or_made(client) -> None:
    given = str(uuid.uuid4())
    assert (await client.get("/healthz", headers={"X-Correlation-ID": given})).headers["x-correlation-id"] == given
    made = (await client.get("/healthz")).headers["x-correlation-id"]
    assert uuid.UUID(made)
