"""Every endpoint × every kind of caller: bank A owns the resources."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from lianrong_platform.testing.authorization import expected_row, outcomes

from .conftest import BanksWorld, product_body

CALLERS = ("anonymous", "sme", "officer_a1", "officer_b1", "bank_admin_a", "bank_admin_b", "regulator", "admin")
ROLES = set(CALLERS) - {"anonymous"}

# Money is disbursed on a day between the match's arrival and today (in Dongguan).
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def row(ok: set[str], not_found: set[str] = frozenset()) -> dict[str, object]:
    return expected_row(CALLERS, ok, not_found)


MATRIX = [
    ("POST", "/v1/banks", lambda w: {"code": "NEW", "name": "新银行", "kind": "joint_stock"}, row({"admin"})),
    ("GET", "/v1/banks", None, row(ROLES)),
    (
        "POST",
        "/v1/designations",
        lambda w: {
            "chain": "new_energy",
            "bank_id": str(w.ids["bank_a"]),
            "role": "cooperating",
            "valid_from": "2026-01-01",
        },
        row({"regulator", "admin"}),
    ),
    ("GET", "/v1/designations", None, row(ROLES)),
    ("POST", "/v1/banks/{bank_a}/products", lambda w: product_body(), row({"bank_admin_a", "admin"}, {"bank_admin_b"})),
    # A bank's products and lines: its own people, the regulator and the admin; anyone else finds nothing.
    (
        "GET",
        "/v1/banks/{bank_a}/products",
        None,
        row({"officer_a1", "bank_admin_a", "regulator", "admin"}, {"sme", "officer_b1", "bank_admin_b"}),
    ),
    (
        "GET",
        "/v1/products/{product}",
        None,
        row({"officer_a1", "bank_admin_a", "regulator", "admin"}, {"sme", "officer_b1", "bank_admin_b"}),
    ),
    (
        "PATCH",
        "/v1/products/{product}",
        lambda w: {"name": "链融订单贷2"},
        row({"bank_admin_a", "admin"}, {"bank_admin_b"}),
    ),
    (
        "POST",
        "/v1/banks/{bank_a}/officers",
        lambda w: {"name": "新服务官", "chains": ["smart_terminal"], "max_open_matches": 5},
        row({"bank_admin_a", "admin"}, {"bank_admin_b"}),
    ),
    ("GET", "/v1/banks/{bank_a}/officers", None, row({"bank_admin_a", "admin"}, {"bank_admin_b"})),
    (
        "PATCH",
        "/v1/officers/{officer_a1}",
        lambda w: {"available": True},
        row({"bank_admin_a", "admin"}, {"bank_admin_b"}),
    ),
    ("GET", "/v1/matches", None, row({"officer_a1", "officer_b1", "bank_admin_a", "bank_admin_b"})),
    ("GET", "/v1/matches/{match}", None, row({"officer_a1", "bank_admin_a"}, {"officer_b1", "bank_admin_b"})),
    ("POST", "/v1/matches/{match}/accept", None, row({"officer_a1"}, {"officer_b1"})),
    ("POST", "/v1/matches/{match}/decline", lambda w: {"reason": "other"}, row({"officer_a1"}, {"officer_b1"})),
    (
        "POST",
        "/v1/matches/{match}/approve",
        lambda w: {"amount": "100000.00", "annual_rate": "0.04", "term_months": 12},
        row({"officer_a1"}, {"officer_b1"}),
    ),
    ("POST", "/v1/matches/{match}/reject", lambda w: {"reason": "other"}, row({"officer_a1"}, {"officer_b1"})),
    (
        "POST",
        "/v1/matches/{match}/disburse",
        lambda w: {"amount": "1.00", "disbursed_on": TODAY},
        row({"officer_a1"}, {"officer_b1"}),
    ),
    ("POST", "/v1/products/{product}/withdraw", None, row({"bank_admin_a", "admin"}, {"bank_admin_b"})),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
async def test_each_caller_gets_what_its_role_allows(banks: BanksWorld, method, path, body, expected) -> None:
    match_id = await banks.deliver(banks.proposal())
    url = path.format(match=match_id, **{k: str(v) for k, v in banks.ids.items()})
    seen = await outcomes(
        CALLERS,
        lambda caller: banks.call(
            None if caller == "anonymous" else caller, method, url, json=body(banks) if body else None
        ),
    )
    assert seen == expected
