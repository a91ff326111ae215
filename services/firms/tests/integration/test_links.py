"""Supplier links (确权) and receivables: the SME declares, the chain master it names confirms or rejects; every
step is an event; a confirmed receivable can back a need."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts import decode
from firms.clock import today
from lianrong_platform.auth import Role

from .conftest import FirmsWorld, firm_body, need_body


async def events_of(firms: FirmsWorld, kind: str) -> list:
    rows = await firms.pool.fetch("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY id", kind)
    return [decode(bytes(r["payload"])) for r in rows]


async def declare(firms: FirmsWorld, who: str = "sme_a") -> dict:
    body = {
        "chain_master_firm_id": str(firms.ids["master"]),
        "chain": "smart_terminal",
        "tier": "tier_1",
        "annual_supply_value": "8000000.00",
    }
    response = await firms.call(who, "POST", f"/v1/firms/{firms.ids[who]}/links", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_chain_master_confirms_a_declared_link_and_a_receivable_on_it(firms: FirmsWorld) -> None:
    link = await declare(firms)
    assert link["status"] == "pending"
    assert link["chain_master_name"] == "华为终端有限公司"
    pending = (await firms.call("chain_master", "GET", "/v1/links?status=pending")).json()
    assert [entry["link_id"] for entry in pending] == [link["link_id"]]

    confirmed = await firms.call("chain_master", "POST", f"/v1/links/{link['link_id']}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    [event] = await events_of(firms, "firms.SupplierLinkConfirmed")
    assert (str(event.link_id), event.tier, event.chain) == (link["link_id"], "tier_1", "smart_terminal")

    due = (today() + timedelta(days=90)).isoformat()
    claim = await firms.call(
        "sme_a",
        "POST",
        f"/v1/links/{link['link_id']}/receivables",
        json={"kind": "receivable", "amount": "600000.00", "due_date": due},
    )
    assert claim.status_code == 201, claim.text
    receivable_id = claim.json()["receivable_id"]
    asked = (await firms.call("chain_master", "GET", "/v1/receivables?status=pending")).json()
    assert [r["receivable_id"] for r in asked] == [receivable_id]
    done = await firms.call("chain_master", "POST", f"/v1/receivables/{receivable_id}/confirm")
    assert done.json()["status"] == "confirmed"
    [confirmed_claim] = await events_of(firms, "firms.ReceivableConfirmed")
    assert str(confirmed_claim.amount) == "600000.00"

    # A need on that receivable carries the chain master's confirmation to the matcher.
    need = await firms.call(
        "sme_a",
        "POST",
        "/v1/needs",
        json=need_body(receivable_id=receivable_id, product_types=["receivable_pledge"], amount="500000.00"),
    )
    assert need.status_code == 201, need.text
    [submitted] = await events_of(firms, "firms.NeedSubmitted")
    assert submitted.position.link_confirmed is True
    assert str(submitted.position.receivable_id) == receivable_id
    assert submitted.position.chain_master_firm_id == firms.ids["master"]
    assert submitted.position.tier == "tier_1"


async def test_a_rejected_link_can_be_declared_again_but_a_live_one_cannot(firms: FirmsWorld) -> None:
    link = await declare(firms)
    duplicate = await firms.call(
        "sme_a",
        "POST",
        f"/v1/firms/{firms.ids['sme_a']}/links",
        json={
            "chain_master_firm_id": str(firms.ids["master"]),
            "chain": "smart_terminal",
            "tier": "tier_2",
            "annual_supply_value": "1000000.00",
        },
    )
    assert duplicate.status_code == 409
    rejected = await firms.call(
        "chain_master", "POST", f"/v1/links/{link['link_id']}/reject", json={"reason": "未查到供货记录"}
    )
    assert rejected.json()["status"] == "rejected"
    assert (await firms.call("chain_master", "POST", f"/v1/links/{link['link_id']}/confirm")).status_code == 409
    [event] = await events_of(firms, "firms.SupplierLinkRejected")
    assert event.reason == "未查到供货记录"
    await declare(firms)  # declared anew after the rejection


async def test_a_receivable_needs_a_confirmed_link_and_a_due_date_within_a_year(firms: FirmsWorld) -> None:
    link = await declare(firms)
    path = f"/v1/links/{link['link_id']}/receivables"
    body = {"kind": "order", "amount": "300000.00", "due_date": (today() + timedelta(days=30)).isoformat()}
    assert (await firms.call("sme_a", "POST", path, json=body)).status_code == 409
    await firms.call("chain_master", "POST", f"/v1/links/{link['link_id']}/confirm")
    late = body | {"due_date": (today() + timedelta(days=400)).isoformat()}
    refused = await firms.call("sme_a", "POST", path, json=late)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/due_date"
    assert await firms.pool.fetchval("SELECT count(*) FROM receivables") == 0


async def test_a_chain_master_sees_only_links_that_name_it(firms: FirmsWorld, tokens) -> None:
    link = await declare(firms)
    other_id = uuid.uuid4()
    body = firm_body(legal_name="维沃移动通信有限公司", firm_id=str(other_id))
    assert (await firms.call("admin", "POST", "/v1/firms", json=body)).status_code == 201
    designation = {"firm_id": str(other_id), "chains": ["smart_terminal"]}
    await firms.call("admin", "POST", "/v1/chain-masters", json=designation)
    other = {"Authorization": f"Bearer {tokens.issuer.issue(Role.CHAIN_MASTER, 'vivo', firm_id=other_id)}"}
    assert (await firms.call(None, "GET", "/v1/links", headers=other)).json() == []
    stolen = await firms.call(None, "POST", f"/v1/links/{link['link_id']}/confirm", headers=other)
    assert stolen.status_code == 404
    assert (await firms.call("sme_a", "GET", f"/v1/firms/{firms.ids['sme_a']}/links")).json()[0]["status"] == "pending"


async def test_a_firm_cannot_name_a_non_chain_master(firms: FirmsWorld) -> None:
    body = {
        "chain_master_firm_id": str(firms.ids["sme_b"]),
        "chain": "smart_terminal",
        "tier": "tier_1",
        "annual_supply_value": "100000.00",
    }
    response = await firms.call("sme_a", "POST", f"/v1/firms/{firms.ids['sme_a']}/links", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/chain_master_firm_id"


async def test_registration_derives_the_size_class_and_refuses_a_second_registration(firms: FirmsWorld) -> None:
    mine = (await firms.call("sme_a", "GET", f"/v1/firms/{firms.ids['sme_a']}")).json()
    assert mine["size_class"] == "small"
    assert mine["contact"] == {"name": "王芳", "phone": "13800138000"}
    again = await firms.call("sme_a", "POST", "/v1/firms", json=firm_body(uscc=mine["uscc"]))
    assert again.status_code == 409
    grown = await firms.call(
        "sme_a", "PATCH", f"/v1/firms/{firms.ids['sme_a']}", json={"employees": 320, "revenue_last_year": "52000000.00"}
    )
    assert grown.json()["size_class"] == "medium"
    [changed] = await events_of(firms, "firms.FirmChanged")
    assert changed.facts.size_class == "medium"
    [registered, *_] = await events_of(firms, "firms.FirmRegistered")
    assert registered.uscc == (await firms.call("sme_a", "GET", f"/v1/firms/{firms.ids['sme_a']}")).json()["uscc"]


async def test_the_same_uscc_cannot_register_twice(firms: FirmsWorld, tokens) -> None:
    taken = (await firms.call("sme_a", "GET", f"/v1/firms/{firms.ids['sme_a']}")).json()["uscc"]
    newcomer = {"Authorization": f"Bearer {tokens.issuer.issue(Role.SME, 'n', firm_id=uuid.uuid4())}"}
    response = await firms.call(None, "POST", "/v1/firms", json=firm_body(uscc=taken), headers=newcomer)
    assert response.status_code == 409
    assert response.json()["errors"][0]["pointer"] == "/uscc"
    assert await firms.pool.fetchval("SELECT count(*) FROM firms WHERE uscc = $1", taken) == 1
