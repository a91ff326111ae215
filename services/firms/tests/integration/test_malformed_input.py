"""Every malformed body gets 4xx problem+json naming the field, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import FirmsWorld, firm_body, need_body

NEED_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("amount is text", need_body(amount="lots"), "/amount"),
    ("negative amount", need_body(amount="-100"), "/amount"),
    ("absurd amount", need_body(amount="1e15"), "/amount"),
    ("too small to be a loan", need_body(amount="5.00"), "/amount"),
    ("three decimals", need_body(amount="100000.001"), "/amount"),
    ("term as text", need_body(term_months="a year"), "/term_months"),
    ("zero term", need_body(term_months=0), "/term_months"),
    ("unknown product", need_body(product_types=["magic_loan"]), "/product_types/0"),
    ("no product", need_body(product_types=[]), "/product_types"),
    ("unknown consent", need_body(consent_scope="everyone"), "/consent_scope"),
    ("consent in the past", need_body(consent_until="2020-01-01"), "/consent_until"),
    ("rate above 100%", need_body(max_annual_rate="1.5"), "/max_annual_rate"),
    ("unknown chain", need_body(chain="shoes"), "/chain"),
    ("bad chain code", need_body(chain="智能终端"), "/chain"),
    ("missing purpose", {k: v for k, v in need_body().items() if k != "purpose"}, "/purpose"),
    ("unknown field", need_body(discount=True), "/discount"),
    ("none with collateral", need_body(collateral=["none", "real_estate"]), "/collateral"),
    ("first_loan not a bool", need_body(first_loan="maybe"), "/first_loan"),
    ("receivable not a uuid", need_body(receivable_id="R-1"), "/receivable_id"),
    ("term as a boolean", need_body(term_months=True), "/term_months"),
    ("NUL in the purpose", need_body(purpose="备货\x00"), "/purpose"),
]

FIRM_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("bad USCC check", firm_body(uscc="91441900MA4UJ2QX8M"), "/uscc"),
    ("USCC too short", firm_body(uscc="9144190012"), "/uscc"),
    ("USCC with O", firm_body(uscc="9144190O0000000000"), "/uscc"),
    ("unknown town", firm_body(town="shenzhen"), "/town"),
    ("negative employees", firm_body(employees=-1), "/employees"),
    ("employees as a boolean", firm_body(employees=True), "/employees"),
    ("NUL in the name", firm_body(legal_name="东莞\x00精密"), "/legal_name"),
    ("revenue as text", firm_body(revenue_last_year="many"), "/revenue_last_year"),
    ("unknown honour", firm_body(honours=[{"code": "famous", "valid_from": "2025-01-01"}]), "/honours/0/code"),
    (
        "honour ends first",
        firm_body(honours=[{"code": "high_tech", "valid_from": "2025-01-01", "valid_until": "2024-01-01"}]),
        "/honours/0/valid_until",
    ),
    ("bad phone", firm_body(contact={"name": "王芳", "phone": "call me"}), "/contact/phone"),
    ("seven-digit phone", firm_body(contact={"name": "王芳", "phone": "1391234"}), "/contact/phone"),
    ("no contact", {k: v for k, v in firm_body().items() if k != "contact"}, "/contact"),
]


async def counts(firms: FirmsWorld) -> tuple[int, int, int]:
    return (
        await firms.pool.fetchval("SELECT count(*) FROM firms"),
        await firms.pool.fetchval("SELECT count(*) FROM needs"),
        await firms.pool.fetchval("SELECT count(*) FROM outbox"),
    )


def assert_names_field(response, pointer: str) -> None:
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = {e["pointer"]: e for e in response.json().get("errors", [])}
    assert pointer in errors, response.json()
    # A code a client can say in its own language (the portal's Chinese), not the catch-all of an uncoded rule.
    assert errors[pointer]["code"] not in ("", "rule"), errors[pointer]
    assert isinstance(errors[pointer]["params"], dict)


@pytest.mark.parametrize(("case", "body", "pointer"), NEED_CASES, ids=[c[0] for c in NEED_CASES])
async def test_a_malformed_need_is_refused_with_its_field_named(firms: FirmsWorld, case, body, pointer) -> None:
    before = await counts(firms)
    assert_names_field(await firms.call("sme_a", "POST", "/v1/needs", json=body), pointer)
    assert await counts(firms) == before


@pytest.mark.parametrize(("case", "body", "pointer"), FIRM_CASES, ids=[c[0] for c in FIRM_CASES])
async def test_a_malformed_registration_is_refused_with_its_field_named(
    firms: FirmsWorld, case, body, pointer, tokens
) -> None:
    import uuid

    from lianrong_platform.auth import Role

    newcomer = {"Authorization": f"Bearer {tokens.issuer.issue(Role.SME, 'n', firm_id=uuid.uuid4())}"}
    before = await counts(firms)
    assert_names_field(await firms.call(None, "POST", "/v1/firms", json=body, headers=newcomer), pointer)
    assert await counts(firms) == before


async def test_an_oversize_payload_is_413_and_changes_nothing(firms: FirmsWorld) -> None:
    before = await counts(firms)
    response = await firms.call("sme_a", "POST", "/v1/needs", json=need_body(purpose="长" * 100_000))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert await counts(firms) == before


async def test_a_body_that_is_not_json_is_refused(firms: FirmsWorld) -> None:
    response = await firms.call(
        "sme_a", "POST", "/v1/needs", content=b"amount=5", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_malformed_amendment_changes_nothing(firms: FirmsWorld) -> None:
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    before = await counts(firms)
    response = await firms.call("sme_a", "PATCH", f"/v1/needs/{need['need_id']}", json={"amount": "-1"})
    assert_names_field(response, "/amount")
    assert await counts(firms) == before
