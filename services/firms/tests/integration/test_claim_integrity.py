"""A confirmed receivable or order backs no more than its value (an order 70% of it) across the live needs that rely
on it; a withdrawal frees what a need held; a chain master can revoke a confirmation, and the SMEs whose open needs
relied on it are told why on their timelines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contracts import firms as ev
from contracts import matcher as match_ev
from firms.clock import today
from firms.event_handlers import record_on_timeline
from lianrong_platform.auth import Role

from .conftest import FirmsWorld, need_body
from .test_links import declare, events_of

BACKED = ["receivable_pledge", "order_loan"]


async def confirmed_claim(firms: FirmsWorld, kind: str, amount: str) -> tuple[dict[str, Any], str]:
    link = await declare(firms)
    assert (await firms.call("chain_master", "POST", f"/v1/links/{link['link_id']}/confirm")).status_code == 200
    due = (today() + timedelta(days=90)).isoformat()
    claim = await firms.call(
        "sme_a",
        "POST",
        f"/v1/links/{link['link_id']}/receivables",
        json={"kind": kind, "amount": amount, "due_date": due},
    )
    assert claim.status_code == 201, claim.text
    receivable_id = claim.json()["receivable_id"]
    done = await firms.call("chain_master", "POST", f"/v1/receivables/{receivable_id}/confirm")
    assert done.json()["status"] == "confirmed"
    return link, receivable_id


async def need_on(firms: FirmsWorld, receivable_id: str, amount: str) -> Any:
    body = need_body(receivable_id=receivable_id, product_types=BACKED, amount=amount)
    return await firms.call("sme_a", "POST", "/v1/needs", json=body)


async def submitted_count(firms: FirmsWorld) -> int:
    return int(await firms.pool.fetchval("SELECT count(*) FROM needs"))


async def test_a_need_above_its_receivable_is_refused_with_the_amount(firms: FirmsWorld) -> None:
    _, receivable_id = await confirmed_claim(firms, "receivable", "10000.00")
    refused = await need_on(firms, receivable_id, "3000000.00")  # 300万 on a 1万 receivable
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert (error["pointer"], error["code"]) == ("/amount", "above_claim_backing")
    assert error["params"] == {"backing": "10000.00", "advance_rate": "1.00"}
    assert await submitted_count(firms) == 0  # nothing was created


async def test_an_order_backs_seventy_percent_of_its_value(firms: FirmsWorld) -> None:
    _, order_id = await confirmed_claim(firms, "order", "1000000.00")
    refused = await need_on(firms, order_id, "700000.01")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["params"] == {"backing": "700000.00", "advance_rate": "0.70"}
    assert (await need_on(firms, order_id, "700000.00")).status_code == 201


async def test_one_receivable_is_never_financed_twice_and_a_withdrawal_frees_it(firms: FirmsWorld) -> None:
    _, receivable_id = await confirmed_claim(firms, "receivable", "1000000.00")
    first = await need_on(firms, receivable_id, "600000.00")
    assert first.status_code == 201, first.text

    second = await need_on(firms, receivable_id, "600000.00")  # 60万 + 60万 on a 100万 receivable
    assert second.status_code == 409, second.text
    [error] = second.json()["errors"]
    assert (error["pointer"], error["code"], error["params"]["left"]) == ("/amount", "claim_backing_taken", "400000.00")
    assert await submitted_count(firms) == 1

    # The first need's amendment above what is left is refused too, and changes nothing.
    first_id = first.json()["need_id"]
    raised = await firms.call("sme_a", "PATCH", f"/v1/needs/{first_id}", json={"amount": "1000000.01"})
    assert raised.status_code == 422
    assert (await firms.call("sme_a", "GET", f"/v1/needs/{first_id}")).json()["terms"]["amount"] == "600000.00"

    withdrawn = await firms.call("sme_a", "POST", f"/v1/needs/{first_id}/withdraw", json={"reason": "改用自有资金"})
    assert withdrawn.status_code == 200
    again = await need_on(firms, receivable_id, "600000.00")
    assert again.status_code == 201, again.text
    live = await firms.pool.fetch("SELECT need_id, amount FROM claim_pledges WHERE released_at IS NULL")
    assert [(str(r["need_id"]), str(r["amount"])) for r in live] == [(again.json()["need_id"], "600000.00")]


async def test_a_revoked_receivable_leaves_its_needs_and_their_timelines_say_why(firms: FirmsWorld) -> None:
    _, receivable_id = await confirmed_claim(firms, "receivable", "1000000.00")
    need = await need_on(firms, receivable_id, "500000.00")
    need_id = need.json()["need_id"]
    assert need.json()["position"]["receivable_id"] == receivable_id

    # Only the chain master who confirmed it may revoke, and only with a reason.
    assert (
        await firms.call("sme_a", "POST", f"/v1/receivables/{receivable_id}/revoke", json={"reason": "x"})
    ).status_code == 403
    no_reason = await firms.call("chain_master", "POST", f"/v1/receivables/{receivable_id}/revoke", json={})
    assert no_reason.status_code == 422
    revoked = await firms.call(
        "chain_master", "POST", f"/v1/receivables/{receivable_id}/revoke", json={"reason": "货物退回，应收账款已核销"}
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"

    [event] = await events_of(firms, "firms.ReceivableRevoked")
    assert isinstance(event, ev.ReceivableRevoked)
    assert ([str(n) for n in event.need_ids], event.reason) == ([need_id], "货物退回，应收账款已核销")
    view = (await firms.call("sme_a", "GET", f"/v1/needs/{need_id}")).json()
    assert view["position"]["receivable_id"] is None
    [entry] = [e for e in view["timeline"] if e["milestone"] == "confirmation_revoked"]
    assert entry["detail"] == {"what": "receivable", "reason": "货物退回，应收账款已核销"}
    assert await firms.pool.fetchval("SELECT count(*) FROM claim_pledges WHERE released_at IS NULL") == 0
    # A revoked claim backs no new need.
    assert (await need_on(firms, receivable_id, "100000.00")).status_code == 422


async def test_a_revoked_link_takes_its_confirmation_from_open_needs(firms: FirmsWorld) -> None:
    link, receivable_id = await confirmed_claim(firms, "receivable", "1000000.00")
    on_claim = (await need_on(firms, receivable_id, "500000.00")).json()["need_id"]
    plain = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    assert plain["position"]["link_confirmed"] is True
    revoked = await firms.call(
        "chain_master", "POST", f"/v1/links/{link['link_id']}/revoke", json={"reason": "已终止供货关系"}
    )
    assert revoked.status_code == 200, revoked.text
    [event] = await events_of(firms, "firms.SupplierLinkRevoked")
    assert sorted(map(str, event.need_ids)) == sorted([on_claim, plain["need_id"]])
    for need_id in (on_claim, plain["need_id"]):
        view = (await firms.call("sme_a", "GET", f"/v1/needs/{need_id}")).json()
        assert (view["position"]["link_confirmed"], view["position"]["receivable_id"]) == (False, None)
        assert [e["detail"]["what"] for e in view["timeline"] if e["milestone"] == "confirmation_revoked"] == ["link"]
    claims = (await firms.call("sme_a", "GET", "/v1/receivables")).json()
    assert [c["status"] for c in claims if c["receivable_id"] == receivable_id] == ["revoked"]
    # Revoking twice is a conflict, not a second event.
    again = await firms.call("chain_master", "POST", f"/v1/links/{link['link_id']}/revoke", json={"reason": "再次"})
    assert again.status_code == 409
    assert len(await events_of(firms, "firms.SupplierLinkRevoked")) == 1


async def test_an_escalated_need_can_be_amended_and_a_matched_one_cannot(firms: FirmsWorld, tokens) -> None:
    created = await firms.call("sme_a", "POST", "/v1/needs", json=need_body())
    need_id = created.json()["need_id"]
    escalated = match_ev.NeedEscalated(
        producer="matcher",
        need_id=need_id,
        firm_id=firms.ids["sme_a"],
        chain="smart_terminal",
        attempts=0,
        reasons=(match_ev.Reason(code="amount_above_max", products=2, params={"max": "1000000.00"}),),
    )
    async with firms.pool.acquire() as conn, conn.transaction():
        await record_on_timeline(conn, escalated)
    view = (await firms.call("sme_a", "GET", f"/v1/needs/{need_id}")).json()
    assert view["status"] == "escalated"
    # Escalated, the firm is before the task force of its town: it may read whom to call (and before, it may not).
    firm = (await firms.call("sme_a", "GET", f"/v1/firms/{firms.ids['sme_a']}")).json()
    town_desk = {"Authorization": f"Bearer {tokens.issuer.issue(Role.COORDINATOR, 'desk', towns=(firm['town'],))}"}
    on_desk = await firms.client.get(f"/v1/desk-firms/{firms.ids['sme_a']}", headers=town_desk)
    assert on_desk.status_code == 200, on_desk.text
    assert on_desk.json()["on_desk_because"] == ["escalated"]
    assert on_desk.json()["contact"] == firm["contact"]
    [entry] = [e for e in view["timeline"] if e["milestone"] == "escalated"]
    assert entry["detail"]["reasons"] == [{"code": "amount_above_max", "products": 2, "params": {"max": "1000000.00"}}]
    amended = await firms.call("sme_a", "PATCH", f"/v1/needs/{need_id}", json={"amount": "900000.00"})
    assert amended.status_code == 200, amended.text
    [event] = await events_of(firms, "firms.NeedAmended")
    assert str(event.terms.amount) == "900000.00"  # the matcher routes it again on this event
