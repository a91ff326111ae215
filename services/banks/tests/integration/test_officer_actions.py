"""The officer's answers: each produces exactly one event of the contract's shape; invalid transitions are refused
with problem+json and change nothing; capacity never goes negative, also when disbursements race."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contracts import banks as ev
from contracts import decode

from .conftest import BanksWorld, product_body

# Money is disbursed on a day between the match's arrival and today (in Dongguan).
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


async def outcome_events(banks: BanksWorld) -> list:
    rows = await banks.pool.fetch("SELECT payload FROM outbox WHERE topic = $1 ORDER BY id", ev.MATCH_OUTCOMES)
    return [decode(bytes(r["payload"])) for r in rows]


async def state(banks: BanksWorld, match_id: str) -> tuple:
    return (
        await banks.pool.fetchval("SELECT status FROM matches WHERE match_id = $1::uuid", match_id),
        await banks.pool.fetchval("SELECT count(*) FROM outbox"),
        await banks.pool.fetchval("SELECT disbursed FROM products"),
    )


async def test_accept_approve_disburse_each_publish_one_event_of_the_contracts_shape(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal())
    path = f"/v1/matches/{match_id}"
    assert (await banks.call("officer_a1", "POST", f"{path}/accept")).json()["status"] == "accepted"
    approved = await banks.call(
        "officer_a1",
        "POST",
        f"{path}/approve",
        json={"amount": "1200000.00", "annual_rate": "0.0395", "term_months": 12},
    )
    assert approved.status_code == 200, approved.text
    disbursed = await banks.call(
        "officer_a1", "POST", f"{path}/disburse", json={"amount": "1200000.00", "disbursed_on": TODAY}
    )
    assert disbursed.json()["status"] == "disbursed"

    events = await outcome_events(banks)
    assert [type(e) for e in events] == [ev.MatchAccepted, ev.LoanApproved, ev.LoanDisbursed]
    assert all(str(e.match_id) == match_id and e.officer_id == banks.ids["officer_a1"] for e in events)
    assert str(events[1].annual_rate) == "0.0395"
    assert events[2].unsecured is True  # the product accepts no collateral: 信用贷款
    product = (await banks.call("bank_admin_a", "GET", f"/v1/products/{banks.ids['product']}")).json()
    assert (product["disbursed"], product["remaining"]) == ("1200000.00", "8800000.00")


async def test_decline_and_reject_carry_their_reason(banks: BanksWorld) -> None:
    first, second = await banks.deliver(banks.proposal()), await banks.deliver(banks.proposal())
    await banks.call("officer_a1", "POST", f"/v1/matches/{first}/decline", json={"reason": "outside_appetite"})
    await banks.call("officer_a1", "POST", f"/v1/matches/{second}/accept")
    await banks.call(
        "officer_a1",
        "POST",
        f"/v1/matches/{second}/reject",
        json={"reason": "insufficient_cash_flow", "note": "近两年亏损"},
    )
    declined, _, rejected = await outcome_events(banks)
    assert (declined.reason, rejected.reason, rejected.note) == (
        "outside_appetite",
        "insufficient_cash_flow",
        "近两年亏损",
    )


async def test_invalid_transitions_are_refused_and_change_nothing(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal())
    path = f"/v1/matches/{match_id}"
    before = await state(banks, match_id)
    early = await banks.call(
        "officer_a1", "POST", f"{path}/approve", json={"amount": "1000000.00", "annual_rate": "0.04", "term_months": 12}
    )
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert "accepted" in early.json()["detail"]
    assert (
        await banks.call("officer_a1", "POST", f"{path}/disburse", json={"amount": "1.00", "disbursed_on": TODAY})
    ).status_code == 409
    assert await state(banks, match_id) == before

    await banks.call("officer_a1", "POST", f"{path}/accept")
    await banks.call(
        "officer_a1", "POST", f"{path}/approve", json={"amount": "1000000.00", "annual_rate": "0.04", "term_months": 12}
    )
    before = await state(banks, match_id)
    too_much = await banks.call(
        "officer_a1", "POST", f"{path}/disburse", json={"amount": "1000000.01", "disbursed_on": TODAY}
    )
    assert too_much.status_code == 422
    [error] = too_much.json()["errors"]
    assert (error["pointer"], error["code"], error["params"]) == (
        "/amount",
        "above_approval",
        {"approved": "1000000.00"},
    )
    assert await state(banks, match_id) == before


async def test_approval_respects_the_request_and_the_products_ranges(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal(), requested="800000.00")
    await banks.call("officer_a1", "POST", f"/v1/matches/{match_id}/accept")
    for body, pointer, code in (
        ({"amount": "900000.00", "annual_rate": "0.04", "term_months": 12}, "/amount", "above_request"),
        ({"amount": "500000.00", "annual_rate": "0.09", "term_months": 12}, "/annual_rate", "outside_product_rates"),
        ({"amount": "500000.00", "annual_rate": "0.04", "term_months": 60}, "/term_months", "outside_product_terms"),
    ):
        response = await banks.call("officer_a1", "POST", f"/v1/matches/{match_id}/approve", json=body)
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert (error["pointer"], error["code"]) == (pointer, code)


async def test_nobody_acts_on_another_officers_or_another_banks_match(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal())
    before = await state(banks, match_id)
    for who in ("officer_a2", "officer_b1"):
        response = await banks.call(who, "POST", f"/v1/matches/{match_id}/accept")
        assert response.status_code == 404, who
        assert (await banks.call(who, "GET", f"/v1/matches/{match_id}")).status_code == 404
    assert (await banks.call("bank_admin_a", "GET", f"/v1/matches/{match_id}")).status_code == 200
    assert (await banks.call("bank_admin_a", "POST", f"/v1/matches/{match_id}/accept")).status_code == 403
    assert (await banks.call("bank_admin_b", "GET", f"/v1/matches/{match_id}")).status_code == 404
    assert await state(banks, match_id) == before


async def test_an_answer_after_the_deadline_is_refused(banks: BanksWorld) -> None:
    match_id = await banks.deliver(banks.proposal(due_in=timedelta(seconds=-1)))
    response = await banks.call("officer_a1", "POST", f"/v1/matches/{match_id}/accept")
    assert response.status_code == 409
    assert "deadline" in response.json()["detail"]


async def test_capacity_never_goes_negative_when_two_disbursements_race(banks: BanksWorld) -> None:
    small = await banks.call(
        "bank_admin_a",
        "POST",
        f"/v1/banks/{banks.ids['bank_a']}/products",
        json=product_body(name="小额快贷", capacity="1000000.00", amount_max="1000000.00"),
    )
    banks.ids["product"] = small.json()["product_id"]
    matches = [await banks.deliver(banks.proposal(amount="600000.00"), requested="600000.00") for _ in range(2)]
    for match_id in matches:
        await banks.call("officer_a1", "POST", f"/v1/matches/{match_id}/accept")
        await banks.call(
            "officer_a1",
            "POST",
            f"/v1/matches/{match_id}/approve",
            json={"amount": "600000.00", "annual_rate": "0.04", "term_months": 12},
        )
    responses = await asyncio.gather(
        *(
            banks.call(
                "officer_a1",
                "POST",
                f"/v1/matches/{m}/disburse",
                json={"amount": "600000.00", "disbursed_on": TODAY},
            )
            for m in matches
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    product = (await banks.call("bank_admin_a", "GET", f"/v1/products/{banks.ids['product']}")).json()
    assert (product["disbursed"], product["remaining"]) == ("600000.00", "400000.00")
    assert len([e for e in await outcome_events(banks) if isinstance(e, ev.LoanDisbursed)]) == 1


async def test_a_withdrawn_need_closes_its_open_match(banks: BanksWorld) -> None:
    from banks.event_handlers import keep_need
    from contracts.firms import NeedWithdrawn

    proposal = banks.proposal()
    match_id = await banks.deliver(proposal)
    async with banks.pool.acquire() as conn, conn.transaction():
        await keep_need(conn, NeedWithdrawn(producer="firms", need_id=proposal.need_id, firm_id=proposal.firm_id))
    assert (await banks.call("officer_a1", "GET", f"/v1/matches/{match_id}")).json()["status"] == "withdrawn"
    assert (await banks.call("officer_a1", "POST", f"/v1/matches/{match_id}/accept")).status_code == 409
