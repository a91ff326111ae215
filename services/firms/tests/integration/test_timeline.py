"""A need's timeline follows the matcher's and the banks' events, consumed from the real Kafka; a match to a bank the
SME's consent covers discloses the firm's contact to that bank, and only then."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal

from contracts import Event, decode
from contracts import banks as bank_ev
from contracts import matcher as match_ev
from contracts.envelope import utc_now
from contracts.firms import FirmDataDisclosed
from contracts.values import BankRole
from firms.bootstrap import SPEC
from lianrong_platform.testing.kafka import running_consumer

from .conftest import FirmsWorld, need_body


def proposal(need: dict, attempt: int, role: BankRole | None) -> match_ev.MatchProposed:
    return match_ev.MatchProposed(
        producer="matcher",
        match_id=uuid.uuid4(),
        need_id=need["need_id"],
        firm_id=need["firm_id"],
        chain="smart_terminal",
        bank_id=uuid.uuid4(),
        bank_name="东莞农村商业银行",
        bank_role=role,
        product_id=uuid.uuid4(),
        product_name="链融订单贷",
        officer_id=uuid.uuid4(),
        officer_name="李伟",
        reserved_amount=Decimal("1500000.00"),
        attempt=attempt,
        score=0.87,
        components=(),
        answer_by=utc_now() + timedelta(hours=4),
    )


async def consume_until(infra, firms: FirmsWorld, stages: list[tuple[list[Event], object]]) -> None:
    """Publish each stage's events as the matcher and banks would, and wait until its condition holds: events of
    one need cross two topics, so a test that wants a causal order waits for each step as the real world does."""
    async with running_consumer(
        infra.kafka_bootstrap_servers, firms.pool, SPEC.handlers, SPEC.consumes, group_prefix="firms"
    ) as peers:
        for events, done in stages:
            await peers.publish(*events)
            for _ in range(300):
                if await done():  # type: ignore[operator]
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the timeline did not follow the events in time")


def milestones_reach(firms: FirmsWorld, need_id: str, count: int):
    async def check() -> bool:
        view = (await firms.call("sme_a", "GET", f"/v1/needs/{need_id}")).json()
        return len(view["timeline"]) >= count

    return check


async def test_the_timeline_follows_match_events_consumed_from_kafka(infra, firms: FirmsWorld) -> None:
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    first = proposal(need, 1, BankRole.LEAD)
    declined = bank_ev.MatchDeclined(
        producer="banks",
        match_id=first.match_id,
        need_id=need["need_id"],
        bank_id=first.bank_id,
        officer_id=first.officer_id,
        reason="outside_appetite",
    )
    second = proposal(need, 2, BankRole.COOPERATING)
    ids = {"need_id": need["need_id"], "bank_id": second.bank_id, "officer_id": second.officer_id}
    accepted = bank_ev.MatchAccepted(producer="banks", match_id=second.match_id, **ids)
    approved = bank_ev.LoanApproved(
        producer="banks",
        match_id=second.match_id,
        **ids,
        product_id=second.product_id,
        amount=Decimal("1200000.00"),
        annual_rate=Decimal("0.0395"),
        term_months=12,
    )
    disbursed = bank_ev.LoanDisbursed(
        producer="banks",
        match_id=second.match_id,
        **ids,
        product_id=second.product_id,
        amount=Decimal("1200000.00"),
        disbursed_on=date(2026, 11, 20),
        unsecured=True,
    )
    reach = lambda n: milestones_reach(firms, need["need_id"], n)  # noqa: E731
    await consume_until(
        infra,
        firms,
        [
            ([first], reach(2)),
            ([declined], reach(3)),
            ([second, second], reach(4)),  # twice: one timeline entry
            ([accepted], reach(5)),
            ([approved], reach(6)),
            ([disbursed], reach(7)),
        ],
    )
    path = f"/v1/needs/{need['need_id']}"
    view = (await firms.call("sme_a", "GET", path)).json()
    assert view["status"] == "disbursed"
    assert [e["milestone"] for e in view["timeline"]] == [
        "submitted",
        "matched",
        "declined",
        "rerouted",
        "contacted",
        "approved",
        "disbursed",
    ]
    rerouted = view["timeline"][3]["detail"]
    assert rerouted["officer_name"] == "李伟"
    assert rerouted["bank_name"] == "东莞农村商业银行"
    assert "answer_by" in rerouted

    disclosed = [
        decode(bytes(r["payload"]))
        for r in await firms.pool.fetch(
            "SELECT payload FROM outbox WHERE event_type = 'firms.FirmDataDisclosed' ORDER BY id"
        )
    ]
    assert [d.bank_id for d in disclosed] == [first.bank_id, second.bank_id]  # lead and cooperating: chain banks
    assert all(isinstance(d, FirmDataDisclosed) and d.contact_name == "王芳" for d in disclosed)


async def test_no_disclosure_to_a_bank_outside_the_consent(infra, firms: FirmsWorld) -> None:
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body(consent_scope="lead_bank_only"))).json()
    outsider = proposal(need, 1, BankRole.COOPERATING)

    await consume_until(infra, firms, [([outsider], milestones_reach(firms, need["need_id"], 2))])
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.FirmDataDisclosed'") == 0


async def test_a_proposal_crossing_a_withdrawal_does_not_revive_the_need(infra, firms: FirmsWorld) -> None:
    need = (await firms.call("sme_a", "POST", "/v1/needs", json=need_body())).json()
    await firms.call("sme_a", "POST", f"/v1/needs/{need['need_id']}/withdraw")
    late = proposal(need, 1, BankRole.LEAD)

    await consume_until(infra, firms, [([late], milestones_reach(firms, need["need_id"], 3))])
    assert (await firms.call("sme_a", "GET", f"/v1/needs/{need['need_id']}")).json()["status"] == "withdrawn"
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.FirmDataDisclosed'") == 0
