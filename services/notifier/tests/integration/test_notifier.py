"""The notifier against the real Kafka and PostgreSQL, a real SMTP server (aiosmtpd) and the SMS provider stand-in
run as a server: each notification arrives once, in Chinese, to the right person only — across a restart of the
notifier in the middle — and a down SMTP server delays mail, then delivers it; admins see the failed attempts."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from contracts import Event
from contracts import banks as bank_ev
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from contracts.envelope import utc_now
from lianrong_platform.auth import Role
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.testing.http import wait_ready
from lianrong_platform.testing.kafka import skip_history
from lianrong_platform.testing.ports import free_port
from notifier.bootstrap import SPEC
from notifier.domain.messages import CHINA

LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts")) / "notifier"
CJK = re.compile(r"[\u4e00-\u9fff]")


class Mailbox:
    """A real SMTP server on a fixed port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.mails if m["To"] == address]


def spawn(log: str, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"{log}.log").open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT, env=env)


@dataclass
class Notifier:
    env: dict[str, str]
    api: str
    sms: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, role: str) -> None:
        self.processes[role] = spawn(role, "notifier", role, env=self.env)

    def stop(self, role: str, sig: int = signal.SIGTERM) -> None:
        proc = self.processes.pop(role)
        proc.send_signal(sig)
        proc.wait(timeout=30)

    async def texts(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=5) as client:
            return list((await client.get(f"{self.sms}/v1/messages")).json())


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
async def notifier(infra, fresh_database, tokens, tmp_path, mailbox) -> AsyncIterator[Notifier]:
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    key = tmp_path / "jwt-public.pem"
    key.write_bytes(tokens.public_pem)
    group = f"notifier-{uuid.uuid4().hex[:8]}"
    await skip_history(infra.kafka_bootstrap_servers, group, SPEC.consumes)
    http, sms_port = free_port(), free_port()
    env = {
        **os.environ,
        "LOG_FORMAT": "json",
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "JWT_PUBLIC_KEY_FILE": str(key),
        "NOTIFIER_DATABASE_URL": await fresh_database(),
        "NOTIFIER_HTTP_PORT": str(http),
        "NOTIFIER_CONSUMER_GROUP": group,
        "NOTIFIER_SMTP_HOST": "127.0.0.1",
        "NOTIFIER_SMTP_PORT": str(mailbox.port),
        "NOTIFIER_SMS_URL": f"http://127.0.0.1:{sms_port}",
        "NOTIFIER_RETRY_BASE_SECONDS": "0.3",
        "NOTIFIER_RETRY_MAX_SECONDS": "1.5",
        "NOTIFIER_REMINDER_BEFORE_SECONDS": "5",
    }
    stub = spawn("sms-stub", "notifier.sms_stub", "--port", str(sms_port), env=env)
    n = Notifier(env, f"http://127.0.0.1:{http}", f"http://127.0.0.1:{sms_port}")
    try:
        n.start("api")
        await wait_ready(f"{n.api}/readyz", within_s=30)
        await wait_ready(f"{n.sms}/v1/messages", within_s=30)
        n.start("consumer")
        n.start("sender")
        yield n
    finally:
        for role in list(n.processes):
            n.stop(role)
        stub.terminate()
        stub.wait(timeout=10)


@dataclass
class Person:
    name: str
    token: str
    email: str | None = None
    phone: str | None = None


class People:
    """Everyone the scenario tells something, and the ones it must not."""

    def __init__(self, tokens) -> None:
        issue = tokens.issuer.issue
        self.firm, self.other_firm = uuid.uuid4(), uuid.uuid4()
        self.bank, self.officer, self.other_officer = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.sme = Person("sme", issue(Role.SME, "sme-1", firm_id=self.firm), "boss@huasheng.example", "13912345678")
        self.other_sme = Person(
            "other", issue(Role.SME, "sme-2", firm_id=self.other_firm), "boss@other.example", "13700000000"
        )
        self.officer_p = Person(
            "officer",
            issue(Role.OFFICER, "officer-1", bank_id=self.bank, officer_id=self.officer),
            "liwei@bank.example",
            "13600000001",
        )
        self.other_officer_p = Person(
            "officer2",
            issue(Role.OFFICER, "officer-2", bank_id=self.bank, officer_id=self.other_officer),
            "wang@bank.example",
        )
        self.admin = Person("admin", issue(Role.BANK_ADMIN, "bank-admin-1", bank_id=self.bank), "admin@bank.example")
        self.changan = Person("changan", issue(Role.COORDINATOR, "coord-changan", towns=("changan",)), "ca@gov.example")
        self.tangxia = Person("tangxia", issue(Role.COORDINATOR, "coord-tangxia", towns=("tangxia",)), "tx@gov.example")
        self.city = Person("city", issue(Role.COORDINATOR, "coord-city"), "city@gov.example")
        self.platform = issue(Role.ADMIN, "ops")

    def everyone(self) -> list[Person]:
        return [
            self.sme,
            self.other_sme,
            self.officer_p,
            self.other_officer_p,
            self.admin,
            self.changan,
            self.tangxia,
            self.city,
        ]


async def choose(n: Notifier, person: Person, **extra: Any) -> httpx.Response:
    channels = [c for c, a in (("email", person.email), ("sms", person.phone)) if a]
    body = {"email": person.email, "phone": person.phone, "channels": channels, **extra}
    async with httpx.AsyncClient(base_url=n.api, timeout=10) as client:
        return await client.put(
            "/v1/notifications/preferences", json=body, headers={"Authorization": f"Bearer {person.token}"}
        )


async def inbox(n: Notifier, person: Person) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=n.api, timeout=10) as client:
        r = await client.get("/v1/notifications", headers={"Authorization": f"Bearer {person.token}"})
        assert r.status_code == 200, r.text
        return dict(r.json())


def need(people: People, firm: uuid.UUID, town: str, amount: int) -> firm_ev.NeedSubmitted:
    return firm_ev.NeedSubmitted(
        producer="firms",
        need_id=uuid.uuid4(),
        firm_id=firm,
        chain="smart_terminal",
        terms=firm_ev.NeedTerms(
            amount=Decimal(amount),
            term_months=12,
            purpose="备货",
            product_types=("order_loan",),
            consent_scope="chain_banks",
            consent_until=date(2030, 1, 1),
        ),
        first_loan=False,
        firm=firm_ev.FirmFacts(town=town, employees=50, revenue_last_year=Decimal(10_000_000), size_class="small"),
        position=firm_ev.ChainPosition(),
    )


def proposal(people: People, n: firm_ev.NeedSubmitted, *, within: float, route: str = "automatic"):
    return match_ev.MatchProposed(
        producer="matcher",
        match_id=uuid.uuid4(),
        need_id=n.need_id,
        firm_id=n.firm_id,
        chain=n.chain,
        bank_id=people.bank,
        bank_name="东莞农商银行",
        bank_role="lead",
        product_id=uuid.uuid4(),
        product_name="链上订单贷",
        officer_id=people.officer,
        officer_name="李伟",
        reserved_amount=n.terms.amount,
        attempt=1,
        score=0.8,
        components=(),
        answer_by=utc_now() + timedelta(seconds=within),
        route=route,
    )


def outcome(p: match_ev.MatchProposed) -> dict[str, Any]:
    return {
        "producer": "banks",
        "match_id": p.match_id,
        "need_id": p.need_id,
        "bank_id": p.bank_id,
        "officer_id": p.officer_id,
    }


def story(people: People) -> tuple[list[Event], list[Event]]:
    """Two halves of a morning: a need declined, escalated, listed in 长安镇, contacted by the task force, pushed to
    the bank and approved; a second need rejected; a proposal left to its reminder; an officer going off duty."""
    n1 = need(people, people.firm, "changan", 1_200_000)
    n2 = need(people, people.firm, "changan", 300_000)
    other = need(people, people.other_firm, "tangxia", 500_000)
    m1 = proposal(people, n1, within=600)
    m2 = proposal(people, n1, within=600, route="recommended")
    m3 = proposal(people, n2, within=600)
    m4 = proposal(people, other, within=12)  # nobody answers: the officer is reminded 5 s before
    product = uuid.uuid4()
    terms = bank_ev.ProductTerms(
        name="链上订单贷",
        product_type="order_loan",
        amount_min=Decimal(100_000),
        amount_max=Decimal(5_000_000),
        term_min_months=6,
        term_max_months=36,
        rate_min=Decimal("0.03"),
        rate_max=Decimal("0.06"),
        chains=("smart_terminal",),
        size_classes=("small",),
        capacity=Decimal(50_000_000),
        active_from=date(2026, 1, 1),
    )
    profile = bank_ev.OfficerProfile(name="李伟", chains=("smart_terminal",), max_open_matches=20)
    first = [
        bank_ev.BankRegistered(producer="banks", bank_id=people.bank, code="DRC", name="东莞农商银行", kind="rural"),
        bank_ev.OfficerRegistered(producer="banks", officer_id=people.officer, bank_id=people.bank, profile=profile),
        bank_ev.ProductPublished(producer="banks", product_id=product, bank_id=people.bank, terms=terms),
        n1,
        n2,
        other,
        m1,
        bank_ev.MatchDeclined(**outcome(m1), reason="capacity_exhausted"),
        match_ev.NeedEscalated(
            producer="matcher",
            need_id=n1.need_id,
            firm_id=people.firm,
            chain=n1.chain,
            attempts=1,
            reasons=(match_ev.Reason(code="line_insufficient", products=2),),
        ),
        match_ev.NeedListed(
            producer="matcher",
            need_id=n1.need_id,
            firm_id=people.firm,
            chain=n1.chain,
            town="changan",
            listed_at=utc_now(),
            decide_by=utc_now() + timedelta(days=30),
            source="escalation",
        ),
        m4,
    ]
    second = [
        match_ev.DeskContactRecorded(
            producer="matcher", need_id=n1.need_id, town="changan", kind="visit", contacted_at=utc_now()
        ),
        m2,
        bank_ev.MatchAccepted(**outcome(m2)),
        bank_ev.LoanApproved(
            **outcome(m2),
            product_id=m2.product_id,
            amount=Decimal(1_000_000),
            annual_rate=Decimal("0.0385"),
            term_months=12,
        ),
        m3,
        bank_ev.MatchAccepted(**outcome(m3)),
        bank_ev.LoanRejected(**outcome(m3), reason="credit_history"),
        bank_ev.OfficerChanged(
            producer="banks",
            officer_id=people.officer,
            bank_id=people.bank,
            profile=profile.model_copy(update={"available": False}),
        ),
    ]
    return first, second


# Who is told what (kinds), by every channel they chose. Nobody else hears anything.
EXPECTED: dict[str, Counter[str]] = {
    "sme": Counter(
        {
            "sme_matched": 3,  # m1, m2 (recommended), m3
            "sme_declined": 1,
            "sme_escalated": 1,
            "sme_desk_contacted": 1,
            "sme_contacted": 2,
            "sme_approved": 1,
            "sme_rejected": 1,
        }
    ),
    "other": Counter({"sme_matched": 1}),
    "officer": Counter({"officer_match": 4, "officer_reminder": 1}),
    "officer2": Counter(),
    "admin": Counter({"bank_no_officer": 1}),
    "changan": Counter({"coordinator_listed": 1}),
    "tangxia": Counter(),
    "city": Counter({"coordinator_listed": 1}),
}

TITLES = {
    "sme_matched": ("需求已匹配银行", "需求已由调度专班推荐"),
    "sme_declined": ("银行未能受理",),
    "sme_escalated": ("需求已转交调度专班",),
    "sme_desk_contacted": ("调度专班已跟进",),
    "sme_contacted": ("服务官已受理",),
    "sme_approved": ("贷款审批通过",),
    "sme_rejected": ("贷款未获批准",),
    "officer_match": ("新的匹配需求",),
    "officer_reminder": ("匹配需求即将超时",),
    "bank_no_officer": ("产业链无在岗服务官",),
    "coordinator_listed": ("长安镇新增调度需求",),
}


def kind_of(title: str) -> str:
    return next(kind for kind, titles in TITLES.items() if title in titles)


async def publish(infra, events: list[Event]) -> None:
    producer = idempotent_producer(infra.kafka_bootstrap_servers, client_id="notifier-test-peer")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(event.topic, value=event.model_dump_json().encode(), key=event.key)
    finally:
        await producer.stop()


async def settled(check, within_s: float = 60) -> None:
    for _ in range(int(within_s * 4)):
        if await check():
            return
        await asyncio.sleep(0.25)
    assert await check()


async def test_each_notification_arrives_once_in_chinese_to_the_right_person_across_a_restart(
    infra, notifier: Notifier, mailbox: Mailbox, tokens
) -> None:
    people = People(tokens)
    for person in people.everyone():
        r = await choose(notifier, person)
        assert r.status_code == 200, r.text
    first, second = story(people)
    await publish(infra, first)
    await settled(lambda: _portal_total(notifier, people.changan, 1))
    # The notifier restarts in the middle: its consumer killed outright, its sender stopped as a supervisor does.
    notifier.stop("consumer", signal.SIGKILL)
    notifier.stop("sender")
    await publish(infra, second)
    notifier.start("consumer")
    notifier.start("sender")
    await settled(lambda: _sent(notifier, people), within_s=90)
    await asyncio.sleep(3)  # anything sent twice would arrive by now

    by_mail = {
        p.name: Counter(kind_of(m["Subject"].removeprefix("【链融】")) for m in mailbox.to(p.email or "-"))
        for p in people.everyone()
    }
    texts = await notifier.texts()
    by_sms = {
        p.name: Counter(
            kind_of(t["text"].removeprefix("【链融】").split("：")[0])
            for t in texts
            if p.phone and t["to"] == f"+86{p.phone}"
        )
        for p in people.everyone()
    }
    for person in people.everyone():
        assert by_mail[person.name] == EXPECTED[person.name], (person.name, by_mail[person.name])
        if person.phone:
            assert by_sms[person.name] == EXPECTED[person.name], (person.name, by_sms[person.name])
        listed = await inbox(notifier, person)
        assert Counter(kind_of(i["title"]) for i in listed["items"]) == EXPECTED[person.name], person.name
    assert len(mailbox.mails) == len({m["Message-ID"] for m in mailbox.mails})

    # In Chinese, with what the reader may know and nothing more.
    for mail in mailbox.mails:
        body = mail.get_content()
        assert CJK.search(mail["Subject"])
        assert CJK.search(body)
        assert str(people.firm) not in body
        assert str(people.other_firm) not in body
    sme_mail = "\n".join(m.get_content() for m in mailbox.to(people.sme.email or ""))
    assert "额度已用完" in sme_mail  # the decline's reason
    assert "1,000,000 元" in sme_mail
    assert "3.85%" in sme_mail
    assert "12 个月" in sme_mail
    assert "征信记录" in sme_mail  # the rejection's reason, with what to do
    assert "东莞农商银行" in sme_mail
    assert "李伟" in sme_mail
    officer_mail = "\n".join(m.get_content() for m in mailbox.to(people.officer_p.email or ""))
    assert "1,200,000 元" in officer_mail
    assert "调度专班推荐" in officer_mail
    coordinator_mail = mailbox.to(people.changan.email or "")[0].get_content()
    assert "长安镇" in coordinator_mail
    assert "智能移动终端" in coordinator_mail

    # The list can be marked read, per person.
    async with httpx.AsyncClient(base_url=notifier.api, timeout=10) as client:
        auth = {"Authorization": f"Bearer {people.sme.token}"}
        marked = (await client.post("/v1/notifications/read", json={}, headers=auth)).json()
        assert marked == {"marked": sum(EXPECTED["sme"].values()), "unread": 0}
    assert (await inbox(notifier, people.city))["unread"] == 1


async def _portal_total(n: Notifier, person: Person, at_least: int) -> bool:
    return len((await inbox(n, person))["items"]) >= at_least


async def _sent(n: Notifier, people: People) -> bool:
    """Every delivery the scenario makes (each kind a person hears of, by each channel they chose) was sent."""
    expected = sum(sum(EXPECTED[p.name].values()) * (bool(p.email) + bool(p.phone)) for p in people.everyone())
    async with httpx.AsyncClient(base_url=n.api, timeout=10) as client:
        r = await client.get("/v1/notifications/deliveries", headers={"Authorization": f"Bearer {people.platform}"})
    counts = r.json()["counts"]
    return counts.get("sent", 0) >= expected and counts.get("pending", 0) == 0


async def test_a_down_smtp_server_delays_then_delivers_and_admins_see_the_attempts(
    infra, notifier: Notifier, mailbox: Mailbox, tokens
) -> None:
    people = People(tokens)
    people.sme.phone = None
    assert (await choose(notifier, people.sme)).status_code == 200
    mailbox.stop()
    n1 = need(people, people.firm, "changan", 800_000)
    await publish(infra, [n1, proposal(people, n1, within=600)])
    auth = {"Authorization": f"Bearer {people.platform}"}

    async def failing() -> bool:
        async with httpx.AsyncClient(base_url=notifier.api, timeout=10) as client:
            items = (await client.get("/v1/notifications/deliveries?status=pending", headers=auth)).json()["items"]
        return bool(items) and items[0]["attempts"] >= 2 and "Connect" in (items[0]["last_error"] or "")

    await settled(failing)
    assert mailbox.mails == []
    mailbox.start()

    async def delivered() -> bool:
        return len(mailbox.to(people.sme.email or "")) == 1

    await settled(delivered)
    async with httpx.AsyncClient(base_url=notifier.api, timeout=10) as client:
        item = (await client.get("/v1/notifications/deliveries", headers=auth)).json()["items"][0]
    assert item["status"] == "sent"
    assert item["attempts"] >= 3
    assert item["last_error"] is None
    assert mailbox.to(people.sme.email or "")[0]["Subject"] == "【链融】需求已匹配银行"


async def test_quiet_hours_hold_mail_and_sms_but_not_the_list(infra, notifier: Notifier, mailbox: Mailbox, tokens):
    people = People(tokens)
    now = utc_now().astimezone(CHINA)
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=1)).strftime("%H:%M")
    r = await choose(notifier, people.sme, quiet_hours={"start": start, "end": end})
    assert r.status_code == 200, r.text
    n1 = need(people, people.firm, "changan", 800_000)
    await publish(infra, [n1, proposal(people, n1, within=600)])
    await settled(lambda: _portal_total(notifier, people.sme, 1))
    await asyncio.sleep(3)
    assert mailbox.mails == []
    assert await notifier.texts() == []
    async with httpx.AsyncClient(base_url=notifier.api, timeout=10) as client:
        items = (
            await client.get(
                "/v1/notifications/deliveries?status=pending", headers={"Authorization": f"Bearer {people.platform}"}
            )
        ).json()["items"]
    assert {i["channel"] for i in items} == {"email", "sms"}
    assert all(i["attempts"] == 0 and i["due_at"] > utc_now().isoformat() for i in items)


async def test_bad_preferences_are_refused_field_by_field_and_change_nothing(notifier: Notifier, tokens) -> None:
    people = People(tokens)
    auth = {"Authorization": f"Bearer {people.sme.token}"}
    async with httpx.AsyncClient(base_url=notifier.api, timeout=10) as client:
        bad = await client.put(
            "/v1/notifications/preferences",
            json={"email": "not-an-address", "phone": "1391234", "channels": ["email", "sms"]},
            headers=auth,
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
        pointers = {e["pointer"] for e in bad.json()["errors"]}
        assert {"/email", "/phone"} <= pointers, bad.json()
        missing = await client.put("/v1/notifications/preferences", json={"channels": ["sms"]}, headers=auth)
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["code"] == "channel_without_address"
        kept = (await client.get("/v1/notifications/preferences", headers=auth)).json()
        assert kept["channels"] == []
        assert kept["phone"] is None
        assert kept["available_channels"] == ["email", "sms"]
        ok = await client.put(
            "/v1/notifications/preferences",
            json={"phone": "+86 139-1234-5678", "channels": ["sms"], "quiet_hours": {"start": "22:00", "end": "08:00"}},
            headers=auth,
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["phone"] == "13912345678"
        regulator = tokens.issuer.issue(Role.REGULATOR, "pboc")
        assert (
            await client.get("/v1/notifications", headers={"Authorization": f"Bearer {regulator}"})
        ).status_code == 403
        assert (await client.get("/v1/notifications/deliveries", headers=auth)).status_code == 403
