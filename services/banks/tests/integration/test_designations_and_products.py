"""Designations keep their history and a chain has one lead bank; products and officers are managed by their own
bank; malformed input answers 4xx problem+json naming the field and changes nothing."""

from __future__ import annotations

import pytest

from contracts import decode

from .conftest import BanksWorld, product_body


async def test_a_new_lead_bank_ends_the_previous_one_and_history_is_kept(banks: BanksWorld) -> None:
    body = {"chain": "smart_terminal", "bank_id": str(banks.ids["bank_b"]), "role": "lead", "valid_from": "2026-07-01"}
    assert (await banks.call("regulator", "POST", "/v1/designations", json=body)).status_code == 201
    current = (await banks.call("officer_a1", "GET", "/v1/designations?chain=smart_terminal")).json()
    assert [(d["bank_name"], d["role"]) for d in current] == [("工商银行东莞分行", "lead")]
    history = (await banks.call("officer_a1", "GET", "/v1/designations?chain=smart_terminal&history=true")).json()
    assert {(d["bank_name"], d["ended_on"]) for d in history} == {
        ("东莞农村商业银行", "2026-07-01"),
        ("工商银行东莞分行", None),
    }
    kinds = [r["event_type"] for r in await banks.pool.fetch("SELECT event_type FROM outbox ORDER BY id")]
    assert kinds.count("banks.DesignationEnded") == 1
    assert kinds.count("banks.LeadBankDesignated") == 2


async def test_only_the_regulator_or_admin_designates(banks: BanksWorld) -> None:
    body = {
        "chain": "new_energy",
        "bank_id": str(banks.ids["bank_a"]),
        "role": "cooperating",
        "valid_from": "2026-01-01",
    }
    for who in ("bank_admin_a", "officer_a1", "sme"):
        assert (await banks.call(who, "POST", "/v1/designations", json=body)).status_code == 403
    assert (await banks.call("admin", "POST", "/v1/designations", json=body)).status_code == 201


async def test_a_bank_admin_manages_only_their_own_bank(banks: BanksWorld) -> None:
    other = await banks.call("bank_admin_b", "POST", f"/v1/banks/{banks.ids['bank_a']}/products", json=product_body())
    assert other.status_code == 404
    changed = await banks.call(
        "bank_admin_b", "PATCH", f"/v1/products/{banks.ids['product']}", json={"capacity": "1.00"}
    )
    assert changed.status_code == 404
    officer = await banks.call(
        "bank_admin_b", "PATCH", f"/v1/officers/{banks.ids['officer_a1']}", json={"available": False}
    )
    assert officer.status_code == 404
    mine = await banks.call(
        "bank_admin_a", "PATCH", f"/v1/products/{banks.ids['product']}", json={"capacity": "20000000.00"}
    )
    assert mine.json()["remaining"] == "20000000.00"
    [changed_event] = [
        decode(bytes(r["payload"]))
        for r in await banks.pool.fetch("SELECT payload FROM outbox WHERE event_type = 'banks.ProductChanged'")
    ]
    assert str(changed_event.terms.capacity) == "20000000.00"


MALFORMED = [
    ("min above max", product_body(amount_min="5000000.00"), "/amount_min"),
    ("rates reversed", product_body(rate_min="0.06"), "/rate_min"),
    ("unknown type", product_body(product_type="payday"), "/product_type"),
    ("negative capacity", product_body(capacity="-1"), "/capacity"),
    ("no chains", product_body(chains=[]), "/chains"),
    ("unknown size class", product_body(size_classes=["huge"]), "/size_classes/0"),
    ("rate as percent", product_body(rate_max="5.5"), "/rate_max"),
    ("ends before it starts", product_body(active_until="2025-01-01"), "/active_until"),
    ("unknown field", product_body(bonus=True), "/bonus"),
    ("largest loan above capacity", product_body(capacity="1000000.00"), "/amount_max"),
]


@pytest.mark.parametrize(("case", "body", "pointer"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_a_malformed_product_is_refused_with_its_field_named(banks: BanksWorld, case, body, pointer) -> None:
    before = await banks.pool.fetchval("SELECT count(*) FROM outbox")
    response = await banks.call("bank_admin_a", "POST", f"/v1/banks/{banks.ids['bank_a']}/products", json=body)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
    assert pointer in [e["pointer"] for e in response.json()["errors"]], response.json()
    assert await banks.pool.fetchval("SELECT count(*) FROM outbox") == before


async def test_malformed_officer_answers_are_refused(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal())
    bad = await banks.call("officer_a1", "POST", f"/v1/matches/{match_id}/decline", json={"reason": "bored"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/reason"
    assert (await banks.call("officer_a1", "GET", f"/v1/matches/{match_id}")).json()["status"] == "proposed"
