"""Input a client can send never reaches a 500 and never changes anything when refused: nulls in a PATCH, booleans
for numbers, amounts in exponent form (stored in one canonical form), characters PostgreSQL cannot store, offsets
beyond any page, a disbursement dated years before its match; and a line is never cut below what is committed."""

from __future__ import annotations

import json
import uuid

import pytest

from lianrong_platform.auth import Role

from .conftest import BanksWorld, product_body


async def product_of(banks: BanksWorld) -> dict:
    return (await banks.call("bank_admin_a", "GET", f"/v1/products/{banks.ids['product']}")).json()


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ({"name": None}, "/name", "value_error"),
        ({"capacity": None}, "/capacity", "value_error"),
        ({"term_min_months": True}, "/term_min_months", "value_error"),
        ({"name": "链融\x00订单贷"}, "/name", "invalid_character"),
        ({"name": "链融\ud800订单贷"}, "/name", "invalid_character"),
    ],
)
async def test_a_refused_product_change_says_which_field_and_changes_nothing(
    banks: BanksWorld, body: dict, pointer: str, code: str
) -> None:
    before = await product_of(banks)
    response = await banks.call(  # sent as JSON text, escapes and all, as a client library would
        "bank_admin_a",
        "PATCH",
        f"/v1/products/{banks.ids['product']}",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert (error["pointer"], error["code"]) == (pointer, code)
    assert await product_of(banks) == before


async def test_amounts_are_stored_and_published_in_one_canonical_form(banks: BanksWorld) -> None:
    created = await banks.call(
        "bank_admin_a",
        "POST",
        f"/v1/banks/{banks.ids['bank_a']}/products",
        json=product_body(amount_min="1E+5", capacity="2.5E+7", rate_min="3.20E-2"),
    )
    assert created.status_code == 201, created.text
    terms = created.json()["terms"]
    assert (terms["amount_min"], terms["capacity"], terms["rate_min"]) == ("100000.00", "25000000.00", "0.032")
    published = await banks.pool.fetchval(
        "SELECT payload FROM outbox WHERE event_type = 'banks.ProductPublished' ORDER BY id DESC LIMIT 1"
    )
    assert b'"amount_min":"100000.00"' in bytes(published)


async def test_offsets_beyond_any_page_and_unstorable_queries_are_refused(banks: BanksWorld) -> None:
    far = await banks.call("officer_a1", "GET", f"/v1/matches?offset={2**63}")
    assert far.status_code == 422
    assert far.json()["errors"][0]["pointer"] == "/query/offset"
    nul = await banks.call("admin", "GET", "/v1/designations?chain=smart%00terminal")
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["code"] == "invalid_character"


async def test_a_disbursement_dated_before_its_match_is_refused(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal(amount="1000000.00"), requested="1000000.00")
    path = f"/v1/matches/{match_id}"
    assert (await banks.call("officer_a1", "POST", f"{path}/accept")).status_code == 200
    approve = {"amount": "800000.00", "annual_rate": "0.04", "term_months": 12}
    assert (await banks.call("officer_a1", "POST", f"{path}/approve", json=approve)).status_code == 200
    old = await banks.call(
        "officer_a1", "POST", f"{path}/disburse", json={"amount": "1.00", "disbursed_on": "2020-01-01"}
    )
    assert old.status_code == 422
    [error] = old.json()["errors"]
    assert (error["pointer"], error["code"]) == ("/disbursed_on", "date_out_of_range")
    assert (await banks.call("officer_a1", "GET", path)).json()["status"] == "approved"


async def test_a_line_is_never_cut_below_what_is_reserved_and_disbursed(banks: BanksWorld) -> None:
    for _ in range(3):  # the matcher reserved 150万 three times on this product (capacity 1,000万)
        await banks.deliver(banks.proposal(amount="1500000.00"))
    cut = await banks.call(
        "bank_admin_a", "PATCH", f"/v1/products/{banks.ids['product']}", json={"capacity": "4000000"}
    )
    assert cut.status_code == 409, cut.text
    [error] = cut.json()["errors"]
    assert (error["pointer"], error["code"]) == ("/capacity", "capacity_below_committed")
    assert error["params"]["reserved"] == "4500000.00"
    assert (await product_of(banks))["terms"]["capacity"] == "10000000.00"
    exact = await banks.call(
        "bank_admin_a", "PATCH", f"/v1/products/{banks.ids['product']}", json={"capacity": "4500000"}
    )
    assert exact.status_code == 200, exact.text


@pytest.mark.parametrize(
    ("role", "subject"),
    [
        (Role.BANK_ADMIN, {"bank_id": "nobody"}),
        (Role.OFFICER, {"bank_id": "bank_a", "officer_id": "nobody"}),
        (Role.OFFICER, {"bank_id": "bank_b", "officer_id": "officer_a1"}),  # a real officer, of another bank
        (Role.BANK_SYSTEM, {"bank_id": "nobody"}),
    ],
)
async def test_a_validly_signed_token_for_a_bank_or_officer_that_does_not_exist_is_refused(
    banks: BanksWorld, tokens, role: Role, subject: dict[str, str]
) -> None:
    named = {k: banks.ids.get(v, uuid.uuid4()) for k, v in subject.items()}
    token = tokens.issuer.issue(role, "ghost", **named)
    for path in ("/v1/session", f"/v1/banks/{banks.ids['bank_a']}/products", "/v1/matches"):
        response = await banks.client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (path, response.text)
        assert response.json()["type"].endswith("/unknown-subject")
    real = tokens.issuer.issue(Role.OFFICER, "a1", bank_id=banks.ids["bank_a"], officer_id=banks.ids["officer_a1"])
    assert (await banks.client.get("/v1/session", headers={"Authorization": f"Bearer {real}"})).status_code == 200
