"""融资需求调度: an escalated need lands on its town's coordination desk and has an owner until it is closed. A
coordinator pushes it to a named bank (whose officer gets it with a deadline, as a recommendation), records contacts,
closes it with an outcome; the clock to a credit decision is kept and its breach announced — against the real Kafka
and PostgreSQL, through the matcher's HTTP API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from contracts import matcher as ev
from lianrong_platform.auth import Role
from lianrong_platform.service import create_app
from lianrong_platform.settings import ServiceSettings
from matcher.bootstrap import SPEC

from .conftest import MatcherWorld, need_event

SLA_SECONDS = 3600
DESK_CLOCK_SECONDS = 4  # the 30-day clock, shortened so its breach can be watched


@pytest.fixture
async def desk(matcher: MatcherWorld, tokens) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SPEC, ServiceSettings(service="matcher", database_url=matcher.dsn), verifier=tokens.verifier)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://m") as client:
        yield client


def as_(tokens, role: Role, **subject) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issuer.issue(role, f'{role.value}-test', **subject)}"}


async def escalated(matcher: MatcherWorld, **terms) -> ev.NeedEscalated:
    need = need_event(amount="2000000", **terms)
    await matcher.publish(need)
    await matcher.wait_for("SELECT count(*) FROM desk_items WHERE need_id = $1", 1, need.need_id)
    events = await matcher.published(need.need_id)
    assert [type(e) for e in events] == [ev.NeedEscalated, ev.NeedListed]
    listed = events[1]
    assert isinstance(listed, ev.NeedListed)
    assert (listed.town, listed.source) == ("changan", "escalation")
    assert isinstance(events[0], ev.NeedEscalated)
    return events[0]


async def test_an_escalated_need_is_in_its_towns_queue_and_no_other(matcher: MatcherWorld, desk, tokens) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    need = await escalated(matcher)
    changan = as_(tokens, Role.COORDINATOR, towns=("changan",))
    humen = as_(tokens, Role.COORDINATOR, towns=("humen",))
    city = as_(tokens, Role.COORDINATOR)

    [item] = (await desk.get("/v1/desk/items", headers=changan)).json()
    assert (item["need_id"], item["town"], item["status"], item["need_status"]) == (
        str(need.need_id),
        "changan",
        "open",
        "escalated",
    )
    assert 0 < item["seconds_left"] <= DESK_CLOCK_SECONDS
    assert {r["code"] for r in item["reasons"]} == {"line_insufficient"}
    assert (await desk.get("/v1/desk/items", headers=humen)).json() == []
    assert (await desk.get(f"/v1/desk/items/{need.need_id}", headers=humen)).status_code == 404
    assert [i["need_id"] for i in (await desk.get("/v1/desk/items", headers=city)).json()] == [str(need.need_id)]

    detail = (await desk.get(f"/v1/desk/items/{need.need_id}", headers=changan)).json()
    [tried] = detail["tried"]
    assert tried["bank_name"] == "东莞农村商业银行"
    assert [p["code"] for p in tried["products"]] == ["line_insufficient"]
    assert [a["kind"] for a in detail["actions"]] == ["listed"]
    sme = as_(tokens, Role.SME, firm_id=need.firm_id)
    assert (await desk.get("/v1/desk/items", headers=sme)).status_code == 403
    officer = as_(tokens, Role.OFFICER, bank_id=uuid.uuid4(), officer_id=uuid.uuid4())
    assert (await desk.post(f"/v1/desk/items/{need.need_id}/retries", json={}, headers=officer)).status_code == 403


async def test_a_push_to_a_named_bank_reaches_its_officer_with_a_deadline_as_a_recommendation(
    matcher: MatcherWorld, desk, tokens
) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    need = await escalated(matcher)
    other = await matcher.add_bank("other", "东莞银行", None, capacity="50000000")
    coordinator = as_(tokens, Role.COORDINATOR, towns=("changan",))

    refused = await desk.post(
        f"/v1/desk/items/{need.need_id}/recommendations", json={"bank_id": str(lead.bank_id)}, headers=coordinator
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/bank_cannot_serve")
    assert refused.json()["errors"][0]["params"]["reasons"] == "line_insufficient"
    assert len(await matcher.published(need.need_id)) == 2  # nothing changed

    pushed = await desk.post(
        f"/v1/desk/items/{need.need_id}/recommendations",
        json={"bank_id": str(other.bank_id), "note": "企业已走访，订单真实"},
        headers=coordinator,
    )
    assert pushed.status_code == 201, pushed.text
    proposal = (await matcher.published(need.need_id))[-1]
    assert isinstance(proposal, ev.MatchProposed)
    assert (proposal.bank_id, proposal.officer_id, proposal.route) == (other.bank_id, other.officers[0], "recommended")
    assert proposal.answer_by > proposal.occurred_at
    assert (
        await matcher.pool.fetchval("SELECT kind FROM decisions WHERE match_id = $1", proposal.match_id)
        == "recommended"
    )
    item = (await desk.get(f"/v1/desk/items/{need.need_id}", headers=coordinator)).json()
    assert (item["status"], item["need_status"]) == ("recommended", "proposed")
    assert [a["kind"] for a in item["actions"]] == ["listed", "recommended", "note"]


async def test_contacts_and_a_closure_are_recorded_and_announced_and_a_closed_item_takes_nothing_more(
    matcher: MatcherWorld, desk, tokens
) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    need = await escalated(matcher)
    coordinator = as_(tokens, Role.COORDINATOR, towns=("changan",))
    url = f"/v1/desk/items/{need.need_id}"

    bad = await desk.post(f"{url}/contacts", json={"kind": "letter"}, headers=coordinator)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/kind"
    future = await desk.post(
        f"{url}/contacts", json={"kind": "call", "at": "2099-01-01T00:00:00Z"}, headers=coordinator
    )
    assert future.status_code == 422
    assert (
        await desk.post(f"{url}/contacts", json={"kind": "visit", "note": "上门"}, headers=coordinator)
    ).status_code == 201
    closed = await desk.post(
        f"{url}/closure",
        json={"outcome": "financed_elsewhere", "reason_code": "own_bank_loan", "note": "企业自行获得贷款"},
        headers=coordinator,
    )
    assert closed.status_code == 200, closed.text
    kinds = [type(e) for e in await matcher.published(need.need_id)]
    assert kinds == [ev.NeedEscalated, ev.NeedListed, ev.DeskContactRecorded, ev.DeskItemClosed]
    again = await desk.post(f"{url}/contacts", json={"kind": "call"}, headers=coordinator)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/desk_item_closed")
    item = (await desk.get(url, headers=coordinator)).json()
    assert (item["status"], item["outcome"], item["reason_code"]) == ("closed", "financed_elsewhere", "own_bank_loan")
    assert item["contacted_at"] is not None


async def test_the_clock_to_a_credit_decision_is_kept_and_its_breach_announced_once(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="1000000")
    need = await escalated(matcher)
    await matcher.wait_for(
        "SELECT count(*) FROM desk_items WHERE need_id = $1 AND breached",
        1,
        need.need_id,
        within_s=DESK_CLOCK_SECONDS + 10,
    )
    await asyncio.sleep(1)  # further sweeps announce nothing more
    events = await matcher.published(need.need_id)
    [breach] = [e for e in events if isinstance(e, ev.DeskClockBreached)]
    assert breach.decide_by <= breach.occurred_at
    assert breach.town == "changan"
