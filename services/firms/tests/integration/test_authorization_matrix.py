"""Every endpoint × every kind of caller. SME A owns the resources; everyone else must be kept out of them:
401 without a token, 403 for a role that never may, 404 for a caller of the right role but another firm."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from firms.clock import today
from lianrong_platform.testing.authorization import expected_row, outcomes

from .conftest import FirmsWorld, firm_body, need_body

CALLERS = ("anonymous", "sme_a", "sme_b", "chain_master", "officer", "regulator", "admin")


def row(ok: set[str], *, not_found: set[str] = frozenset(), public: bool = False) -> dict[str, object]:
    return expected_row(CALLERS, CALLERS if public else ok, not_found)


ROLES = {"sme_a", "sme_b", "chain_master", "officer", "regulator", "admin"}
MATRIX: list[tuple[str, str, Any, dict[str, object]]] = [
    ("GET", "/v1/reference/towns", None, row(set(), public=True)),
    ("GET", "/v1/reference/chains", None, row(set(), public=True)),
    (
        "POST",
        "/v1/reference/chains",
        lambda w: {"code": f"c{uuid.uuid4().hex[:6]}", "name_zh": "测试链", "name_en": "Test"},
        row({"admin"}),
    ),
    ("GET", "/v1/chain-masters", None, row(ROLES)),
    (
        "POST",
        "/v1/chain-masters",
        lambda w: {"firm_id": str(w.ids["master"]), "chains": ["smart_terminal"]},
        row({"admin"}),
    ),
    ("GET", "/v1/session", None, row(ROLES)),
    ("POST", "/v1/firms", lambda w: firm_body(), row({"sme_a", "sme_b", "chain_master", "admin"})),
    ("GET", "/v1/firms/{firm}", None, row({"sme_a", "admin"}, not_found={"sme_b", "chain_master"})),
    (
        "PATCH",
        "/v1/firms/{firm}",
        lambda w: {"employees": 90},
        row({"sme_a", "admin"}, not_found={"sme_b", "chain_master"}),
    ),
    (
        "POST",
        "/v1/firms/{firm}/links",
        lambda w: {
            "chain_master_firm_id": str(w.ids["master"]),
            "chain": "smart_terminal",
            "tier": "tier_2",
            "annual_supply_value": "1000000.00",
        },
        row({"sme_a"}, not_found={"sme_b"}),
    ),
    ("GET", "/v1/firms/{firm}/links", None, row({"sme_a", "admin"}, not_found={"sme_b"})),
    ("GET", "/v1/links", None, row({"chain_master"})),
    ("POST", "/v1/links/{link}/confirm", None, row({"chain_master"})),
    ("POST", "/v1/links/{link}/reject", None, row({"chain_master"})),
    (
        "POST",
        "/v1/links/{link}/receivables",
        lambda w: {"kind": "order", "amount": "100000.00", "due_date": (today() + timedelta(days=60)).isoformat()},
        row({"sme_a"}, not_found={"sme_b"}),
    ),
    ("GET", "/v1/receivables", None, row({"sme_a", "sme_b", "chain_master"})),
    ("POST", "/v1/receivables/{receivable}/confirm", None, row({"chain_master"})),
    ("POST", "/v1/receivables/{receivable}/reject", None, row({"chain_master"})),
    ("POST", "/v1/needs", lambda w: need_body(), row({"sme_a", "sme_b"})),
    ("GET", "/v1/needs", None, row({"sme_a", "sme_b"})),
    ("GET", "/v1/needs/{need}", None, row({"sme_a", "admin"}, not_found={"sme_b"})),
    ("PATCH", "/v1/needs/{need}", lambda w: {"term_months": 18}, row({"sme_a"}, not_found={"sme_b"})),
    ("POST", "/v1/needs/{need}/withdraw", None, row({"sme_a"}, not_found={"sme_b"})),
]


async def resources(firms: FirmsWorld) -> dict[str, str]:
    """SME A's firm, a confirmed link with a pending receivable, and a need."""
    link = (
        await firms.call(
            "sme_a",
            "POST",
            f"/v1/firms/{firms.ids['sme_a']}/links",
            json={
                "chain_master_firm_id": str(firms.ids["master"]),
                "chain": "smart_terminal",
                "tier": "tier_1",
                "annual_supply_value": "5000000.00",
            },
        )
    ).json()
    await firms.call("chain_master", "POST", f"/v1/links/{link['link_id']}/confirm")
    receivable = (
        await firms.call(
            "sme_a",
            "POST",
            f"/v1/links/{link['link_id']}/receivables",
            json={"kind": "receivable", "amount": "200000.00", "due_date": (today() + timedelta(days=45)).isoformat()},
        )
    ).json()
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    return {
        "firm": str(firms.ids["sme_a"]),
        "link": link["link_id"],
        "receivable": receivable["receivable_id"],
        "need": need["need_id"],
    }


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
async def test_each_caller_gets_what_its_role_allows(firms: FirmsWorld, method, path, body, expected) -> None:
    ids = await resources(firms)
    url = path.format(**ids)
    seen = await outcomes(
        CALLERS,
        lambda caller: firms.call(
            None if caller == "anonymous" else caller, method, url, json=body(firms) if body else None
        ),
    )
    assert seen == expected


async def test_another_firms_need_does_not_show_in_a_list(firms: FirmsWorld) -> None:
    ids = await resources(firms)
    listed = (await firms.call("sme_b", "GET", "/v1/needs")).json()
    assert ids["need"] not in {n["need_id"] for n in listed}
    receivables = (await firms.call("sme_b", "GET", "/v1/receivables")).json()
    assert receivables == []
