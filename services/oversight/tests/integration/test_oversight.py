"""The oversight service against the real Kafka and PostgreSQL: aggregates equal a ground truth computed here from
the same event stream (replays and duplicates included), nothing identifying is stored, and only the regulator and
the admin may read."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import re
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx
import pytest

from contracts import Event, encode
from contracts import banks as bank_ev
from contracts import firms as firm_ev
from contracts import matcher as match_ev
from contracts.envelope import utc_now
from lianrong_platform.auth import Role
from lianrong_platform.db import create_pool, migrate_dsn
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.logging import USCC_PATTERN
from lianrong_platform.service import create_app
from lianrong_platform.settings import ServiceSettings
from lianrong_platform.testing.kafka import log_ends, running_consumer
from oversight.bootstrap import SETTINGS, SPEC
from oversight.domain.cells import week_of
from oversight.entrypoints.consumer import build_handlers

NAMES = ("东莞市华盛精密五金有限公司", "王芳", "13800138000")  # what firms and people are called in the wider system
USCC = "91441900MA4W1TPL8X"


def stream(banks: list[uuid.UUID]) -> tuple[list[Event], Counter]:
    """A week of the mechanism in two chains, and what each metric should count (ground truth)."""
    rng = random.Random(7)
    events: list[Event] = []
    truth: Counter = Counter()
    amounts: defaultdict[str, Decimal] = defaultdict(Decimal)
    for i in range(30):
        chain = "smart_terminal" if i < 20 else "new_energy"
        amount = Decimal(rng.randint(10, 300) * 10_000)
        need = firm_ev.NeedSubmitted(
            producer="firms",
            need_id=uuid.uuid4(),
            firm_id=uuid.uuid4(),
            chain=chain,
            terms=firm_ev.NeedTerms(
                amount=amount,
                term_months=12,
                purpose="备货",
                product_types=("order_loan",),
                consent_scope="chain_banks",
                consent_until=date(2030, 1, 1),
            ),
            first_loan=i % 3 == 0,
            firm=firm_ev.FirmFacts(
                town=rng.choice(("changan", "tangxia")),
                employees=50,
                revenue_last_year=Decimal(10_000_000),
                size_class="small",
            ),
            position=firm_ev.ChainPosition(),
        )
        events.append(need)
        truth[(chain, "submitted")] += 1
        amounts[chain] += amount
        bank = banks[i % 2]
        match_id, officer = uuid.uuid4(), uuid.uuid4()
        proposal = match_ev.MatchProposed(
            producer="matcher",
            match_id=match_id,
            need_id=need.need_id,
            firm_id=need.firm_id,
            chain=chain,
            bank_id=bank,
            bank_name="银行",
            bank_role="lead",
            product_id=uuid.uuid4(),
            product_name="贷",
            officer_id=officer,
            officer_name="李伟",
            reserved_amount=amount,
            attempt=1,
            score=0.8,
            components=(),
            answer_by=utc_now(),
        )
        events.append(proposal)
        truth[(chain, "matched")] += 1
        ids = {
            "producer": "banks",
            "match_id": match_id,
            "need_id": need.need_id,
            "bank_id": bank,
            "officer_id": officer,
        }
        if i % 5 == 4:
            events.append(bank_ev.MatchDeclined(**ids, reason="outside_appetite"))
            truth[(chain, "declined:outside_appetite")] += 1
            continue
        events.append(bank_ev.MatchAccepted(**ids))
        truth[(chain, "contacted")] += 1
        if i % 7 == 3:  # accepted, then no credit decision in time: a breach the PBOC counts
            events.append(
                match_ev.MatchDecisionOverdue(
                    **(ids | {"producer": "matcher"}), attempt=1, accepted_at=utc_now(), decide_by=utc_now()
                )
            )
            truth[(chain, "decision_breach")] += 1
            continue
        if i % 4 == 0:
            events.append(bank_ev.LoanRejected(**ids, reason="credit_history"))
            truth[(chain, "rejected:credit_history")] += 1
            continue
        events.append(
            bank_ev.LoanApproved(
                **ids, product_id=proposal.product_id, amount=amount, annual_rate=Decimal("0.04"), term_months=12
            )
        )
        events.append(
            bank_ev.LoanDisbursed(
                **ids, product_id=proposal.product_id, amount=amount, disbursed_on=date(2026, 11, 20), unsecured=True
            )
        )
        truth[(chain, "approved")] += 1
        truth[(chain, "disbursed")] += 1
    truth["amounts"] = amounts  # type: ignore[assignment]
    return events, truth


@pytest.fixture
async def oversight(infra, fresh_database, tokens):
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    dsn = await fresh_database()
    app = create_app(SPEC, ServiceSettings(service="oversight", database_url=dsn), verifier=tokens.verifier)
    async with app.router.lifespan_context(app):
        pool = await create_pool(dsn, max_size=3)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://o") as client:
            yield client, pool, infra
        await pool.close()


async def test_aggregates_equal_the_ground_truth_with_replays_and_duplicates(oversight, tokens) -> None:
    client, pool, infra = oversight
    banks = [uuid.uuid4(), uuid.uuid4()]
    events, truth = stream(banks)
    async with running_consumer(
        infra.kafka_bootstrap_servers, pool, build_handlers(SETTINGS), SPEC.consumes, group_prefix="oversight"
    ) as peers:
        await peers.publish(*events)
        await peers.publish(*events[:25])  # a replay of the first events: counted once
        twin = events[0].model_copy(update={"event_id": uuid.uuid4()})  # the same need re-published
        await peers.publish(twin)
        for _ in range(200):
            if await pool.fetchval("SELECT count(*) FROM inbox") >= len(events) + 1:
                break
            await asyncio.sleep(0.1)
    rows = await pool.fetch("SELECT chain, metric, sum(count) AS n, sum(amount) AS amount FROM facts GROUP BY 1, 2")
    counted = {(r["chain"], r["metric"]): r["n"] for r in rows}
    expected = {k: v for k, v in truth.items() if k != "amounts"}
    assert counted == {k: v for k, v in expected.items()} | {
        (chain, m): counted[(chain, m)] for chain, m in counted if m.startswith("disbursed_")
    }
    submitted = {r["chain"]: r["amount"] for r in rows if r["metric"] == "submitted"}
    assert submitted == dict(truth["amounts"])  # type: ignore[arg-type]

    regulator = {"Authorization": f"Bearer {tokens.issuer.issue(Role.REGULATOR, 'pboc')}"}
    report = (await client.get("/v1/oversight/flows?by=chain", headers=regulator)).json()
    by_chain = {cell["key"]["chain"]: cell["metrics"] for cell in report["cells"]}
    # 20 firms in smart_terminal, 10 in new_energy: both above the threshold, so both published in full.
    assert by_chain["smart_terminal"]["submitted"]["count"] == 20
    assert Decimal(str(by_chain["smart_terminal"]["submitted"]["amount"])) == truth["amounts"]["smart_terminal"]
    assert by_chain["new_energy"]["matched"]["count"] == 10
    assert report["totals"]["submitted"]["count"] == 30
    assert "to_contact_median_s" in by_chain["smart_terminal"]

    # By chain × town × bank the cells are small: what is published still has five firms behind it.
    fine = (await client.get("/v1/oversight/flows?by=chain,town,bank", headers=regulator)).json()
    assert fine["week_cells_withheld"] > 0
    for cell in fine["cells"]:
        assert cell["metrics"]["submitted"]["count"] if "submitted" in cell["metrics"] else True

    # The CSV: one quantity per column, Chinese headers (English on request), a last line on what was withheld.
    rows = list(csv.reader(io.StringIO((await client.get("/v1/oversight/flows.csv?by=chain", headers=regulator)).text)))
    header = rows[0]
    assert header[0] == "产业链"
    assert {"提交需求（笔）", "提交需求（元）", "已放款（笔）", "已放款（元）"} <= set(header), header
    assert len(rows) == 4  # two chains, then the withheld line
    assert rows[-1][0] == "未公布"
    assert "披露控制" in rows[-1][1]
    by_row = {r[0]: dict(zip(header, r, strict=False)) for r in rows[1:3]}
    assert by_row["smart_terminal"]["提交需求（笔）"] == str(by_chain["smart_terminal"]["submitted"]["count"])
    assert by_row["smart_terminal"]["提交需求（元）"] == by_chain["smart_terminal"]["submitted"]["amount"]
    english = (await client.get("/v1/oversight/flows.csv?by=chain&lang=en", headers=regulator)).text
    assert english.startswith("Chain,Approved (count)")


async def test_no_table_holds_a_uscc_or_a_name(oversight, tokens) -> None:
    _client, pool, infra = oversight
    events, _ = stream([uuid.uuid4(), uuid.uuid4()])
    async with running_consumer(
        infra.kafka_bootstrap_servers, pool, build_handlers(SETTINGS), SPEC.consumes, group_prefix="oversight"
    ) as peers:
        await peers.publish(*events)
        await asyncio.sleep(3)
    tables = [
        r["table_name"]
        for r in await pool.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    ]
    assert "facts" in tables
    firm_ids = {str(e.firm_id) for e in events if isinstance(e, firm_ev.NeedSubmitted)}
    for table in tables:
        for row in await pool.fetch(f'SELECT * FROM "{table}"'):
            text = " ".join(str(v) for v in row.values())
            assert not USCC_PATTERN.search(text), table
            assert not any(name in text for name in NAMES), table
            assert not any(firm_id in text for firm_id in firm_ids), table  # firms appear only as keyed hashes


@pytest.mark.parametrize(
    "path", ["/v1/oversight/flows", "/v1/oversight/flows.csv", "/v1/oversight/lead-banks", "/v1/oversight/rule"]
)
async def test_only_the_regulator_and_the_admin_may_read(oversight, tokens, path) -> None:
    client, _, _ = oversight
    issue = tokens.issuer.issue
    firm, bank = uuid.uuid4(), uuid.uuid4()
    callers = {
        "sme": issue(Role.SME, "s", firm_id=firm),
        "chain_master": issue(Role.CHAIN_MASTER, "c", firm_id=firm),
        "officer": issue(Role.OFFICER, "o", bank_id=bank, officer_id=uuid.uuid4()),
        "bank_admin": issue(Role.BANK_ADMIN, "b", bank_id=bank),
    }
    assert (await client.get(path)).status_code == 401
    for who, token in callers.items():
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, who
        assert response.headers["content-type"] == "application/problem+json"
    for token in (issue(Role.REGULATOR, "pboc"), issue(Role.ADMIN, "ops")):
        assert (await client.get(path, headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_a_bad_grouping_is_a_problem(oversight, tokens) -> None:
    client, _, _ = oversight
    regulator = {"Authorization": f"Bearer {tokens.issuer.issue(Role.REGULATOR, 'pboc')}"}
    response = await client.get("/v1/oversight/flows?by=firm", headers=regulator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/by"
    assert week_of(utc_now()).weekday() == 0
    assert re.match(
        r"\d{4}-\d{2}-\d{2}", (await client.get("/v1/oversight/flows?by=chain,week", headers=regulator)).json()["from"]
    )


async def test_dates_outside_the_mechanisms_life_are_refused_not_a_500(oversight, tokens) -> None:
    client, _pool, _infra = oversight
    regulator = {"Authorization": f"Bearer {tokens.issuer.issue(Role.REGULATOR, 'pboc')}"}
    for query in ("to=0001-01-05", "from=0001-01-01&to=0001-01-02", "from=9999-12-30"):
        response = await client.get(f"/v1/oversight/flows?{query}", headers=regulator)
        assert response.status_code == 422, (query, response.text)
        assert response.json()["errors"][0]["code"] == "date_out_of_range"
    assert (await client.get("/v1/oversight/lead-banks?to=0001-01-05", headers=regulator)).status_code == 422


async def test_an_old_log_read_in_the_worst_order_counts_the_ground_truth(oversight) -> None:
    """Two hours old, and read in the worst order — every outcome before the need it is about — the log still
    gives the ground truth: an event early for its need waits for it, whatever its age."""
    _client, pool, infra = oversight
    events, truth = stream([uuid.uuid4(), uuid.uuid4()])
    aged = [e.model_copy(update={"occurred_at": e.occurred_at - timedelta(hours=2)}) for e in events]
    needs_last = [e for e in aged if not isinstance(e, firm_ev.NeedSubmitted)] + [
        e for e in aged if isinstance(e, firm_ev.NeedSubmitted)
    ]
    async with running_consumer(
        infra.kafka_bootstrap_servers, pool, build_handlers(SETTINGS), SPEC.consumes, group_prefix="rebuild"
    ) as peers:
        await peers.publish(*needs_last)
        for _ in range(300):
            if await pool.fetchval("SELECT count(*) FROM inbox") >= len(events):
                break
            await asyncio.sleep(0.1)
    rows = await pool.fetch("SELECT chain, metric, sum(count) AS n FROM facts GROUP BY 1, 2")
    counted = {(r["chain"], r["metric"]): r["n"] for r in rows if not r["metric"].startswith("disbursed_")}
    assert counted == {k: v for k, v in truth.items() if k != "amounts"}
    assert await pool.fetchval("SELECT count(*) FROM early_events") == 0


async def snapshot(pool) -> dict[str, list[tuple]]:
    """Everything the oversight figures are computed from, in a stable order."""
    tables = {
        "facts": "SELECT chain, town, bank, size_class, week, metric, firm_key, count, amount FROM facts",
        "durations": "SELECT chain, town, bank, size_class, week, metric, firm_key, seconds FROM durations",
        "need_keys": "SELECT * FROM need_keys",
        "early_events": "SELECT need_key, event_id FROM early_events",
    }
    return {name: sorted(tuple(r) for r in await pool.fetch(sql)) for name, sql in tables.items()}


async def test_a_rebuild_from_a_two_hour_old_log_counts_exactly_what_the_live_run_counted(
    oversight, fresh_database, tokens
) -> None:
    """The live consumer counts a stretch of the mechanism as it happens, two hours ago (event times and the log's
    own timestamps). Then a new consumer group reads that stretch of the log from its start into an empty database:
    every fact, duration and need it keeps, and the figures the PBOC reads, equal the live run's."""
    client, live_pool, infra = oversight
    regulator = {"Authorization": f"Bearer {tokens.issuer.issue(Role.REGULATOR, 'pboc')}"}
    events, _truth = stream([uuid.uuid4(), uuid.uuid4()])
    two_hours = timedelta(hours=2)
    aged = [e.model_copy(update={"occurred_at": e.occurred_at - two_hours}) for e in events]
    start = await log_ends(infra.kafka_bootstrap_servers, SPEC.consumes)

    async def until_applied(pool, n: int) -> None:
        for _ in range(300):
            if await pool.fetchval("SELECT count(*) FROM inbox") >= n:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{n} events not applied in 30 s")

    async with running_consumer(
        infra.kafka_bootstrap_servers, live_pool, build_handlers(SETTINGS), SPEC.consumes, group_prefix="live"
    ) as live:
        for event in aged:  # as it happened: each need, then what became of it
            await live.producer.send_and_wait(
                event.topic,
                value=encode(event),
                key=event.key,
                timestamp_ms=int(event.occurred_at.timestamp() * 1000),
            )
        await until_applied(live_pool, len(aged))
    live_state = await snapshot(live_pool)
    assert live_state["facts"]
    assert live_state["durations"]
    assert not live_state["early_events"]

    rebuilt_dsn = await fresh_database()
    await migrate_dsn(rebuilt_dsn, SPEC.migrations, SPEC.name)
    rebuilt_pool = await create_pool(rebuilt_dsn, max_size=2)
    try:
        async with running_consumer(
            infra.kafka_bootstrap_servers,
            rebuilt_pool,
            build_handlers(SETTINGS),
            SPEC.consumes,
            group_prefix="rebuild",
            start_at=start,
        ):
            await until_applied(rebuilt_pool, len(aged))
            await asyncio.sleep(1)  # anything more the log holds for this stretch would land now
        assert await snapshot(rebuilt_pool) == live_state

        app = create_app(SPEC, ServiceSettings(service="oversight", database_url=rebuilt_dsn), verifier=tokens.verifier)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://o") as rebuilt,
        ):
            for path in ("/v1/oversight/flows?by=chain", "/v1/oversight/flows?by=bank", "/v1/oversight/flows.csv"):
                live_view, rebuilt_view = (
                    (await client.get(path, headers=regulator)),
                    (await rebuilt.get(path, headers=regulator)),
                )
                assert live_view.status_code == rebuilt_view.status_code == 200, live_view.text
                assert rebuilt_view.text == live_view.text
    finally:
        await rebuilt_pool.close()


@pytest.mark.parametrize("order", ["as_it_happened", "outcomes_first"])
async def test_the_desk_is_counted_per_town_and_bank_listed_contacted_decided_in_time_approved_breached(
    oversight, tokens, order: str
) -> None:
    """12 needs of 12 firms listed in 长安: 6 contacted by a coordinator and approved by one bank within the desk's
    clock, 5 left to breach it, 1 closed as financed elsewhere (one firm: withheld, not shown as 0). Read in the
    worst order (a rebuild: every outcome before the need and its listing), the counts are the same."""
    client, pool, infra = oversight
    bank = uuid.uuid4()
    events: list[Event] = []
    now = utc_now()
    for i in range(12):
        need = firm_ev.NeedSubmitted(
            producer="firms",
            need_id=uuid.uuid4(),
            firm_id=uuid.uuid4(),
            chain="smart_terminal",
            terms=firm_ev.NeedTerms(
                amount=Decimal(500_000),
                term_months=12,
                purpose="备货",
                product_types=("order_loan",),
                consent_scope="any_eligible_bank",
                consent_until=date(2030, 1, 1),
            ),
            first_loan=False,
            firm=firm_ev.FirmFacts(
                town="changan", employees=30, revenue_last_year=Decimal(5_000_000), size_class="micro"
            ),
            position=firm_ev.ChainPosition(),
        )
        about = {"producer": "matcher", "need_id": need.need_id}
        events += [
            need,
            match_ev.NeedListed(
                **about,
                firm_id=need.firm_id,
                chain="smart_terminal",
                town="changan",
                listed_at=now,
                decide_by=now + timedelta(days=30),
                source="escalation",
            ),
        ]
        if i < 6:
            ids = {"producer": "banks", "match_id": uuid.uuid4(), "need_id": need.need_id, "bank_id": bank}
            events += [
                match_ev.DeskContactRecorded(**about, town="changan", kind="visit", contacted_at=now),
                bank_ev.MatchAccepted(**ids, officer_id=uuid.uuid4()),  # a second contact: counted once
                bank_ev.LoanApproved(
                    **ids,
                    officer_id=uuid.uuid4(),
                    product_id=uuid.uuid4(),
                    amount=Decimal(500_000),
                    annual_rate=Decimal("0.04"),
                    term_months=12,
                ),
            ]
        elif i < 11:
            events.append(
                match_ev.DeskClockBreached(**about, town="changan", listed_at=now, decide_by=now + timedelta(seconds=1))
            )
        else:
            events.append(
                match_ev.DeskItemClosed(
                    **about, town="changan", outcome="financed_elsewhere", reason_code="own_bank_loan"
                )
            )
    if order == "outcomes_first":
        events = [e for e in events if e.topic == "banks.match-outcomes"] + [
            e for e in events if e.topic != "banks.match-outcomes"
        ]
    async with running_consumer(
        infra.kafka_bootstrap_servers, pool, build_handlers(SETTINGS), SPEC.consumes, group_prefix="desk"
    ) as peers:
        await peers.publish(*events)
        for _ in range(300):
            if await pool.fetchval("SELECT count(*) FROM inbox") >= len(events):
                break
            await asyncio.sleep(0.1)
    regulator = {"Authorization": f"Bearer {tokens.issuer.issue(Role.REGULATOR, 'pboc')}"}
    report = (await client.get("/v1/oversight/flows?by=town,bank", headers=regulator)).json()
    cells = {(c["key"]["town"], c["key"]["bank"]): c for c in report["cells"]}
    no_bank = cells[("changan", "-")]
    assert no_bank["metrics"]["desk_listed"]["count"] == 12
    assert no_bank["metrics"]["desk_breach"]["count"] == 5
    assert "desk_closed:financed_elsewhere" in no_bank["counts_withheld"]  # one firm: withheld
    assert "desk_closed:financed_elsewhere" not in no_bank["metrics"]
    the_bank = cells[("changan", str(bank))]
    assert the_bank["metrics"]["desk_decided_in_time"]["count"] == 6
    assert the_bank["metrics"]["desk_approved"]["count"] == 6
    contacted = await pool.fetchval("SELECT sum(count) FROM facts WHERE metric = 'desk_contacted'")
    assert contacted == 6  # by the coordinator's visit; the officer's later acceptance is not a second first contact


async def test_an_api_whose_database_refuses_it_answers_503_with_retry_after_and_recovers(
    infra, fresh_database, tokens
) -> None:
    """The database goes away under a running API (here: its role may open no more connections, and the ones it had
    are cut, as a restart or a failover does). The API says 503 with Retry-After, a problem a client can act on, not
    a 500 that says "a bug"; when the database takes connections again the same request answers 200."""
    dsn = await fresh_database()
    role = f"api_{uuid.uuid4().hex[:10]}"
    database = dsn.rpartition("/")[2]
    admin = await asyncpg.connect(infra.admin_dsn)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'lianrong'")
        await admin.execute(f'ALTER DATABASE "{database}" OWNER TO {role}')
        own = await asyncpg.connect(dsn)
        try:
            await own.execute(f"ALTER SCHEMA public OWNER TO {role}")
        finally:
            await own.close()
        as_role = dsn.replace("postgres:lianrong@", f"{role}:lianrong@", 1)
        assert as_role != dsn
        app = create_app(SPEC, ServiceSettings(service="oversight", database_url=as_role), verifier=tokens.verifier)
        regulator = {"Authorization": f"Bearer {tokens.issuer.issue(Role.REGULATOR, 'pboc')}"}
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://o") as client,
        ):
            assert (await client.get("/v1/oversight/flows", headers=regulator)).status_code == 200

            await admin.execute(f"ALTER ROLE {role} CONNECTION LIMIT 0")
            await admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
            await asyncio.sleep(0.5)
            for _ in range(3):  # the pool's cut connections first, then new ones the role may not open
                gone = await client.get("/v1/oversight/flows", headers=regulator)
                assert gone.status_code == 503, gone.text
                assert gone.headers["retry-after"] == "2"
                assert gone.headers["content-type"].startswith("application/problem+json")
                assert gone.json()["type"].endswith("/unavailable")

            await admin.execute(f"ALTER ROLE {role} CONNECTION LIMIT -1")
            assert (await client.get("/v1/oversight/flows", headers=regulator)).status_code == 200
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()
