"""Financing needs through the API, against the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import uuid

from contracts import decode
from contracts.firms import NEED_EVENTS, NeedSubmitted
from lianrong_platform.testing.kafka import TopicTail

from .conftest import FirmsWorld, need_body


async def test_a_submitted_need_is_stored_and_its_event_is_on_the_topic_once(infra, firms: FirmsWorld, relay) -> None:
    tail = await TopicTail.start(infra.kafka_bootstrap_servers, NEED_EVENTS)
    response = await firms.call("sme_a", "POST", "/v1/needs", json=need_body())
    assert response.status_code == 201, response.text
    need = response.json()
    assert response.headers["location"] == f"/v1/needs/{need['need_id']}"
    assert need["status"] == "submitted"
    assert [e["milestone"] for e in need["timeline"]] == ["submitted"]

    row = await firms.pool.fetchrow(
        "SELECT firm_id, chain, status FROM needs WHERE need_id = $1", uuid.UUID(need["need_id"])
    )
    assert (row["firm_id"], row["chain"], row["status"]) == (firms.ids["sme_a"], "smart_terminal", "submitted")

    key = need["need_id"].encode()
    records = await tail.read(expect=1, where=lambda r: r.key == key, settle_s=1.0)
    assert len(records) == 1
    event = decode(records[0].value or b"")
    assert isinstance(event, NeedSubmitted)
    assert str(event.need_id) == need["need_id"]
    assert event.firm_id == firms.ids["sme_a"]
    assert str(event.terms.amount) == "1500000.00"
    assert event.firm.size_class == "small"  # 85 people, 2600万
    assert event.firm.town == "changan"
    assert event.position.link_confirmed is False


async def test_a_replayed_idempotency_key_returns_the_first_result_and_creates_nothing(firms: FirmsWorld) -> None:
    headers = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    first = await firms.call("sme_a", "POST", "/v1/needs", json=need_body(), headers=headers)
    again = await firms.call("sme_a", "POST", "/v1/needs", json=need_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await firms.pool.fetchval("SELECT count(*) FROM needs") == 1
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.NeedSubmitted'") == 1

    reused = await firms.call("sme_a", "POST", "/v1/needs", json=need_body(amount="9000000.00"), headers=headers)
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["pointer"] == "Idempotency-Key"
    assert await firms.pool.fetchval("SELECT count(*) FROM needs") == 1


async def test_concurrent_requests_with_one_key_make_one_need(firms: FirmsWorld) -> None:
    headers = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    responses = await asyncio.gather(
        *(firms.call("sme_a", "POST", "/v1/needs", json=need_body(), headers=headers) for _ in range(5))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["need_id"] for r in responses}) == 1
    assert await firms.pool.fetchval("SELECT count(*) FROM needs") == 1


async def test_the_same_key_from_another_firm_is_another_request(firms: FirmsWorld) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    a = await firms.call("sme_a", "POST", "/v1/needs", json=need_body(), headers=headers)
    b = await firms.call("sme_b", "POST", "/v1/needs", json=need_body(), headers=headers)
    assert a.json()["need_id"] != b.json()["need_id"]


async def test_a_need_can_be_amended_before_it_is_matched(firms: FirmsWorld) -> None:
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    amended = await firms.call(
        "sme_a", "PATCH", f"/v1/needs/{need['need_id']}", json={"amount": "2000000.00", "term_months": 24}
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["terms"]["amount"] == "2000000.00"
    assert amended.json()["terms"]["purpose"] == "采购原材料备货"
    assert [e["milestone"] for e in amended.json()["timeline"]] == ["submitted", "amended"]
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.NeedAmended'") == 1


async def test_a_withdrawn_need_cannot_be_amended(firms: FirmsWorld) -> None:
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    path = f"/v1/needs/{need['need_id']}"
    withdrawn = await firms.call("sme_a", "POST", f"{path}/withdraw", json={"reason": "已从其他渠道融资"})
    assert withdrawn.json()["status"] == "withdrawn"

    refused = await firms.call("sme_a", "PATCH", path, json={"amount": "100000.00"})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "withdrawn" in refused.json()["detail"]
    assert (await firms.call("sme_a", "GET", path)).json()["terms"]["amount"] == "1500000.00"
    assert (await firms.call("sme_a", "POST", f"{path}/withdraw")).status_code == 409
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.NeedAmended'") == 0
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.NeedWithdrawn'") == 1


async def test_a_firm_lists_only_its_own_needs(firms: FirmsWorld) -> None:
    mine = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    theirs = await firms.call("sme_b", "GET", "/v1/needs")
    assert mine["need_id"] not in {n["need_id"] for n in theirs.json()}
    assert [n["need_id"] for n in (await firms.call("sme_a", "GET", "/v1/needs")).json()] == [mine["need_id"]]


async def test_a_need_cannot_be_submitted_before_the_firm_registers(firms: FirmsWorld, tokens) -> None:
    from lianrong_platform.auth import Role

    stranger = {"Authorization": f"Bearer {tokens.issuer.issue(Role.SME, 'x', firm_id=uuid.uuid4())}"}
    response = await firms.call(None, "POST", "/v1/needs", json=need_body(), headers=stranger)
    assert response.status_code == 409
    assert "register" in response.json()["detail"]
