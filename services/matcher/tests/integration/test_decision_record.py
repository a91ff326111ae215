"""全程留痕: 300 needs through the real Kafka with declines and expiries; every routing decision is recorded with its
inputs and, decided again by the code in force, reproduces — and when a weight changes, the replay says which
decisions would now come out otherwise."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from datetime import UTC, datetime, timedelta

import pytest

from contracts import decode
from lianrong_platform.db import Connection
from matcher.adapters import postgres_decisions as decisions
from matcher.domain import score
from matcher.explain import explain_need

from .conftest import MatcherWorld, need_event
from .test_routing import declined

SLA_SECONDS = 3  # unanswered proposals expire and go to the next bank
NEEDS = 300
REASONS = ("insufficient_information", "outside_appetite", "capacity_exhausted", "officer_unavailable")


async def explain_all(conn: Connection) -> list[dict]:
    versions = decisions.Versions()
    explained = []
    for need_id in await decisions.needs_with_decisions(conn):
        explained += await explain_need(conn, need_id, versions)
    return explained


async def test_every_decision_of_300_needs_replays_and_a_changed_weight_is_reported(
    matcher: MatcherWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(11)
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="150000000", products=2, officers=3)
    await matcher.add_bank("coop", "工商银行东莞分行", "cooperating", capacity="100000000", officers=2)
    await matcher.add_bank("other", "招商银行东莞分行", None, capacity="60000000", officers=2)
    needs = [
        need_event(amount=str(rng.choice([200_000, 800_000, 1_500_000, 2_900_000, 4_000_000]))) for _ in range(NEEDS)
    ]
    for need in needs:
        await matcher.publish(need)
    # Officers decline a third of the first proposals, for reasons of theirs or of their bank; the rest expire.
    await matcher.wait_for("SELECT count(*) FROM proposals", NEEDS // 2, within_s=60)
    answered: set = set()
    for _ in range(3):
        for row in await matcher.pool.fetch("SELECT payload FROM outbox WHERE event_type = 'matcher.MatchProposed'"):
            proposal = decode(bytes(row["payload"]))
            if proposal.match_id not in answered and rng.random() < 0.33:
                answered.add(proposal.match_id)
                await matcher.publish(declined(proposal, rng.choice(REASONS)))
        await asyncio.sleep(1)
    # Every need ends escalated: declined or let expire by each bank in turn (amounts above 300万 at once).
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status = 'escalated'", NEEDS, within_s=120)

    async with matcher.pool.acquire() as conn:
        explained = await explain_all(conn)
        kinds = {d["kind"] for d in explained}
        assert {"first", "reroute"} <= kinds
        expiries = await conn.fetchval("SELECT count(*) FROM proposals WHERE status = 'expired'")
        declines = await conn.fetchval("SELECT count(*) FROM proposals WHERE status = 'declined'")
        assert expiries > 50
        assert declines > 20
        assert len({d["decision_id"] for d in explained}) == len(explained) >= NEEDS * 2
        assert [d for d in explained if not d["reproduces"]] == []  # 100% reproduce
        stats = await decisions.size_stats(conn)
        print(f"\n{len(explained)} decisions, {stats['avg_bytes']} bytes each on average (max {stats['max_bytes']})")

        # The examiner's command says the same, over the whole record.
        env = {**os.environ, "MATCHER_DATABASE_URL": matcher.dsn, "LOG_LEVEL": "WARNING"}
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "matcher", "explain", "--all", env=env, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(command.communicate(), 120)
        assert command.returncode == 0, out.decode()
        assert f"{len(explained)} decision(s) of {NEEDS} need(s): {len(explained)} reproduce, 0 differ" in out.decode()

        # A weight changed in the code: every decision that chose among candidates is reported, escalations are not.
        monkeypatch.setitem(score.WEIGHTS, "officer_load", 0.40)
        changed = await explain_all(conn)
        differ = [d for d in changed if not d["reproduces"]]
        chose = [d for d in changed if d["choice"] is not None]
        assert {d["decision_id"] for d in differ} == {d["decision_id"] for d in chose}
        assert all(d["weights_version_now"] != d["weights_version"] for d in changed)
        assert all(any(x.startswith(("score:", "choice:")) for x in d["differences"]) for d in differ)


async def test_decisions_are_kept_for_the_retention_window_and_no_longer(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    need = need_event()
    await matcher.publish(need)
    await matcher.wait_for("SELECT count(*) FROM decisions", 1)
    await matcher.pool.execute(
        """INSERT INTO decisions (decision_id, need_id, kind, decided_at, weights_version, inputs, outcome)
           SELECT gen_random_uuid(), need_id, kind, now() - interval '11 years', weights_version, inputs, outcome
           FROM decisions"""
    )
    async with matcher.pool.acquire() as conn:
        assert await decisions.purge(conn, datetime.now(UTC) - timedelta(days=3650)) == 1
    assert await matcher.pool.fetchval("SELECT count(*) FROM decisions WHERE need_id = $1", need.need_id) == 1
