"""Needs decided a fetched batch at a time (matching.route_new_needs): against one reading of the market that each
decision takes its share of, written with a guarded statement per table. The batches must decide as the one-need
path would (every record replays), never over-commit a product line, a whole-chain credit line (整链授信) or an
officer, decide a batch again on fresh numbers when another instance took what it counted on (need by need if that
keeps happening), and lose nothing when an instance is killed in the middle of a stream of bursts."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from contracts import decode, encode
from contracts import firms as firm_ev
from matcher import matching
from matcher.adapters import postgres_market as market
from matcher.adapters import postgres_needs as needs
from matcher.domain.market import NeedCase
from matcher.settings import MatcherSettings

from .conftest import CHAIN, MatcherWorld, need_event
from .test_decision_record import explain_all
from .test_scale_out import instance

SLA_SECONDS = 86400  # every proposal stays live: the lines only fill up
LIVE = ["open", "accepted", "approved"]


async def burst(matcher: MatcherWorld, events: list[firm_ev.NeedSubmitted]) -> None:
    """Published at once, so the consumer fetches them in batches of hundreds."""
    for event in events:
        await matcher.producer.send(event.topic, value=encode(event), key=event.key)
    await matcher.producer.flush()


async def every_line_holds(pool: asyncpg.Pool) -> dict[str, Any]:
    """Each product line, whole-chain line and officer holds exactly what the live proposals on it hold, and never
    more than it has; returns the figures for the test to print."""
    products = await pool.fetch(
        """SELECT p.product_id, p.capacity, p.reserved, p.disbursed,
                  coalesce(sum(m.reserved_amount) FILTER (WHERE m.status = ANY($1::text[])), 0) AS held
           FROM products p LEFT JOIN proposals m USING (product_id) GROUP BY p.product_id""",
        LIVE,
    )
    for row in products:
        assert row["reserved"] == row["held"], f"product {row['product_id']}: reserved ≠ what its proposals hold"
        assert row["reserved"] + row["disbursed"] <= row["capacity"], f"product {row['product_id']} over-committed"
    lines = await pool.fetch(
        """SELECT c.bank_id, c.chain, c.line, c.reserved, c.disbursed,
                  (SELECT coalesce(sum(m.reserved_amount), 0) FROM proposals m
                   WHERE m.bank_id = c.bank_id AND m.chain = c.chain AND m.status = ANY($1::text[])) AS held
           FROM chain_lines c""",
        LIVE,
    )
    for row in lines:
        assert row["reserved"] == row["held"], f"chain line of {row['bank_id']}: reserved ≠ what proposals hold"
        if row["line"] is not None:
            assert row["reserved"] + row["disbursed"] <= row["line"], f"chain line of {row['bank_id']} over-committed"
    officers = await pool.fetch(
        """SELECT o.officer_id, o.open_matches, (o.profile->>'max_open_matches')::int AS max_open,
                  (SELECT count(*) FROM proposals m WHERE m.officer_id = o.officer_id
                   AND m.status = ANY($1::text[])) AS held
           FROM officers o""",
        LIVE,
    )
    for row in officers:
        assert row["open_matches"] == row["held"], f"officer {row['officer_id']}: load ≠ live proposals"
        assert row["open_matches"] <= row["max_open"], f"officer {row['officer_id']} over their limit"
    return {
        "reserved": sum(r["reserved"] for r in products),
        "capacity": sum(r["capacity"] for r in products),
        "capped_lines": [(r["reserved"], r["line"]) for r in lines if r["line"] is not None],
        "officers_full": sum(r["open_matches"] == r["max_open"] for r in officers),
    }


async def one_decision_event_each(pool: asyncpg.Pool, count: int) -> Counter[str]:
    """Every need was proposed or escalated exactly once, and said so exactly once on the outbox."""
    statuses = Counter(dict(await pool.fetch("SELECT status, count(*) FROM needs GROUP BY status")))
    assert sum(statuses.values()) == count, "a need was lost"
    assert not await pool.fetchval(
        "SELECT count(*) FROM (SELECT need_id FROM proposals GROUP BY 1 HAVING count(*) > 1) x"
    )
    events = [decode(bytes(r["payload"])) for r in await pool.fetch("SELECT payload FROM outbox")]
    decided = Counter(e.need_id for e in events if e.type in ("matcher.MatchProposed", "matcher.NeedEscalated"))
    assert len(decided) == count, "a need never decided"
    assert set(decided.values()) == {1}, "a need decided twice"
    listed = Counter(e.need_id for e in events if e.type == "matcher.NeedListed")
    assert set(listed.values()) <= {1}, "an escalation listed twice"
    assert len(listed) == statuses["escalated"], "an escalation not listed"
    return statuses


async def test_a_burst_is_decided_in_batches_whose_every_record_replays(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="80000000", products=2, chain_line="120000000")
    await matcher.add_bank("coop", "工商银行东莞分行", "cooperating", capacity="60000000", officers=2, max_open=40)
    await matcher.add_bank("other", "招商银行东莞分行", None, capacity="50000000", officers=2)
    rng = random.Random(7)
    scopes = ("lead_bank_only", "chain_banks", "any_eligible_bank")
    events = [
        need_event(amount=str(rng.choice([300_000, 900_000, 1_600_000])), consent_scope=rng.choice(scopes))
        for _ in range(600)
    ]
    await burst(matcher, events)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status <> 'open'", len(events), within_s=120)

    statuses = await one_decision_event_each(matcher.pool, len(events))
    assert statuses["proposed"] > 100  # the lines bind: both outcomes are exercised
    assert statuses["escalated"] > 50
    figures = await every_line_holds(matcher.pool)
    ((reserved, line),) = figures["capped_lines"]
    assert reserved <= line
    # Decided in batches: a batch's decisions share one time, so there are far fewer times than decisions.
    times = await matcher.pool.fetchval("SELECT count(DISTINCT decided_at) FROM decisions")
    assert times <= len(events) // 4, f"{times} decision times for {len(events)} needs: not decided in batches"
    async with matcher.pool.acquire() as conn:
        explained = await explain_all(conn)
    assert len(explained) == len(events)
    assert [d for d in explained if not d["reproduces"]] == []  # each decided on the line figures it recorded


async def test_a_batch_that_lost_a_race_is_decided_again_with_fresh_numbers(
    matcher: MatcherWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="10000000")
    await matcher.add_bank("other", "招商银行东莞分行", None, capacity="10000000")
    product = lead.products[0]
    async with matcher.pool.acquire() as conn:
        stale = await market.snapshot_for(conn, [CHAIN], ["order_loan"])
    # Meanwhile another instance holds all but 1,000,000 of the lead bank's line.
    await matcher.pool.execute("UPDATE products SET reserved = 9000000 WHERE product_id = $1", product)

    async def read_before_the_race(*_: Any) -> Any:
        return stale

    monkeypatch.setattr(market, "snapshot_for", read_before_the_race)
    events = [need_event() for _ in range(4)]
    cases = [NeedCase(e.need_id, e.firm_id, e.chain, e.terms, e.firm, e.position, e.first_loan) for e in events]
    settings = MatcherSettings(sla_seconds=86400, sla_working_hours=False)
    async with matcher.pool.acquire() as conn, conn.transaction():
        found = await needs.insert_needs(conn, cases)
        await matching.route_new_needs(conn, found, {e.need_id: e for e in events}, settings)

    held = await matcher.pool.fetchval("SELECT reserved FROM products WHERE product_id = $1", product)
    assert held == Decimal(10_000_000)  # one more need fitted the lead line; the stale batch would have put four
    by_product = Counter(r["product_id"] for r in await matcher.pool.fetch("SELECT product_id FROM proposals"))
    assert by_product[product] == 1
    assert sum(by_product.values()) == 4  # the other three went to the other bank
    # Every reading was stale, so after the batch's attempts each need was decided on its own: each record holds
    # the fresh figures, and replays.
    recorded = await matcher.pool.fetch("SELECT inputs FROM decisions ORDER BY decided_at")
    lead_reserved = {o[3] for r in recorded for o in r["inputs"]["offers"] if o[0] == str(product)}
    assert lead_reserved == {"9000000.00", "10000000.00"}  # never the stale 0
    async with matcher.pool.acquire() as conn:
        assert all(d["reproduces"] for d in await explain_all(conn))


async def test_a_batch_that_lost_a_race_once_is_decided_again_whole_on_fresh_numbers(
    matcher: MatcherWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="10000000")
    await matcher.add_bank("other", "招商银行东莞分行", None, capacity="10000000")
    product = lead.products[0]
    fresh_read = market.snapshot_for
    async with matcher.pool.acquire() as conn:
        stale = await fresh_read(conn, [CHAIN], ["order_loan"])
    # Another instance took all but 1,000,000 of the lead bank's line after this batch's first reading.
    await matcher.pool.execute("UPDATE products SET reserved = 9000000 WHERE product_id = $1", product)
    readings: list[str] = []

    async def stale_then_fresh(conn: Any, chains: list[str], kinds: list[str]) -> Any:
        readings.append("stale" if not readings else "fresh")
        return stale if len(readings) == 1 else await fresh_read(conn, chains, kinds)

    monkeypatch.setattr(market, "snapshot_for", stale_then_fresh)
    events = [need_event() for _ in range(4)]
    cases = [NeedCase(e.need_id, e.firm_id, e.chain, e.terms, e.firm, e.position, e.first_loan) for e in events]
    settings = MatcherSettings(sla_seconds=86400, sla_working_hours=False)
    async with matcher.pool.acquire() as conn, conn.transaction():
        found = await needs.insert_needs(conn, cases)
        await matching.route_new_needs(conn, found, {e.need_id: e for e in events}, settings)

    assert readings == ["stale", "fresh"]  # the second attempt read the market again, and held
    held = await matcher.pool.fetchval("SELECT reserved FROM products WHERE product_id = $1", product)
    assert held == Decimal(10_000_000)
    by_product = Counter(r["product_id"] for r in await matcher.pool.fetch("SELECT product_id FROM proposals"))
    assert by_product[product] == 1
    assert sum(by_product.values()) == 4
    # Each record holds the figures its decision was made on (never the stale 0: the lead line as read again,
    # 9,000,000, then as the batch's first placement left it), and every record replays.
    recorded = await matcher.pool.fetch("SELECT inputs FROM decisions")
    assert len(recorded) == 4
    lead_reserved = {o[3] for r in recorded for o in r["inputs"]["offers"] if o[0] == str(product)}
    assert lead_reserved == {"9000000.00", "10000000.00"}
    async with matcher.pool.acquire() as conn:
        assert all(d["reproduces"] for d in await explain_all(conn))


NEEDS = 5_000
BURSTS = 10


async def test_two_instances_over_5000_needs_in_bursts_one_killed_keep_every_line(infra, matcher: MatcherWorld) -> None:
    # Lines for about half the demand; the lead bank's whole-chain line caps its two products below their sum; the
    # cooperating bank's officers fill up before its line does.
    await matcher.add_bank(
        "lead", "东莞农村商业银行", "lead", capacity="900000000", products=2, officers=4, chain_line="1300000000"
    )
    await matcher.add_bank("coop", "工商银行东莞分行", "cooperating", capacity="700000000", officers=2, max_open=300)
    await matcher.add_bank("other", "招商银行东莞分行", None, capacity="500000000", products=2, officers=2)
    rng = random.Random(5000)
    scopes = ("lead_bank_only", "chain_banks", "any_eligible_bank")
    events = [
        need_event(amount=str(rng.choice([200_000, 500_000, 1_000_000, 2_000_000])), consent_scope=rng.choice(scopes))
        for _ in range(NEEDS)
    ]
    a, b = instance("batch-a", matcher, infra), instance("batch-b", matcher, infra)
    try:
        await asyncio.sleep(3)  # both have joined the group and share the partitions
        step = NEEDS // BURSTS
        for i in range(BURSTS):
            await burst(matcher, events[i * step : (i + 1) * step])
            if i == BURSTS // 3:
                a.send_signal(signal.SIGKILL)  # mid-stream, whatever batch it was writing
                a.wait(timeout=10)
            await asyncio.sleep(0.3)
        await matcher.wait_for("SELECT count(*) FROM needs WHERE status <> 'open'", NEEDS, within_s=240)

        statuses = await one_decision_event_each(matcher.pool, NEEDS)
        figures = await every_line_holds(matcher.pool)
        ((reserved, line),) = figures["capped_lines"]
        print(
            f"\n{NEEDS} needs: {statuses['proposed']} proposed, {statuses['escalated']} escalated; "
            f"{figures['reserved']:,} of {figures['capacity']:,} reserved; lead chain line {reserved:,} of {line:,}; "
            f"{figures['officers_full']} officers full"
        )
        assert statuses["proposed"] > 1000
        assert statuses["escalated"] > 1000
        assert line - reserved < Decimal(2_000_000)  # the whole-chain line bound, and held
        assert figures["officers_full"] >= 1  # an officer's limit bound, and held
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
