"""Two matcher instances in one consumer group over the multi-partition need topic, one killed with SIGKILL
mid-stream: no need lost, none matched twice, capacity never over-committed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from contracts import decode

from .conftest import MatcherWorld, need_event

LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts")) / "matcher-scale-out"
SLA_SECONDS = 86400  # nobody's deadline passes during this test: every proposal stays live
NEEDS = 300  # 1,000,000 yuan each: 300万 of demand against 130万 of lines
CAPACITY = {"lead": "60000000", "coop": "40000000", "other": "30000000"}


def instance(name: str, matcher: MatcherWorld, infra) -> subprocess.Popen[bytes]:
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "MATCHER_DATABASE_URL": matcher.dsn,
        "MATCHER_CONSUMER_GROUP": matcher.group,
        "MATCHER_SLA_SECONDS": "86400",
        "LOG_FORMAT": "json",
    }
    with (LOGS / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "matcher", "consumer"], stdout=log, stderr=subprocess.STDOUT, env=env
        )


async def test_two_instances_one_killed_lose_nothing_and_never_overcommit(infra, matcher: MatcherWorld) -> None:
    for key, name, role in (
        ("lead", "东莞农村商业银行", "lead"),
        ("coop", "工商银行东莞分行", "cooperating"),
        ("other", "招商银行东莞分行", None),
    ):
        await matcher.add_bank(key, name, role, capacity=CAPACITY[key], officers=2)
    # The in-test consumer of the fixture is one instance; two more processes join its group.
    a, b = instance("a", matcher, infra), instance("b", matcher, infra)
    try:
        await asyncio.sleep(3)  # both have joined the group and share the partitions
        needs = [need_event() for _ in range(NEEDS)]
        for i, need in enumerate(needs):
            await matcher.publish(need)
            if i == NEEDS // 3:
                a.send_signal(signal.SIGKILL)  # mid-stream, whatever it was doing
                a.wait(timeout=10)
            await asyncio.sleep(0.005)
        await matcher.wait_for(
            "SELECT count(*) FROM needs WHERE status IN ('proposed', 'escalated')", NEEDS, within_s=90
        )

        statuses = dict(await matcher.pool.fetch("SELECT status, count(*) FROM needs GROUP BY status"))
        assert sum(statuses.values()) == NEEDS, "a need was lost"
        per_need = await matcher.pool.fetch("SELECT need_id, count(*) AS n FROM proposals GROUP BY need_id")
        assert max(r["n"] for r in per_need) == 1, "a need was matched twice"
        proposed = len(per_need)
        assert proposed == statuses["proposed"] == 130  # exactly what the lines hold, no more
        for row in await matcher.pool.fetch(
            """SELECT p.capacity, p.reserved, coalesce(sum(m.reserved_amount), 0) AS held
               FROM products p LEFT JOIN proposals m USING (product_id) GROUP BY p.product_id"""
        ):
            assert row["reserved"] <= row["capacity"], "capacity over-committed"
            assert row["reserved"] == row["held"] == row["capacity"]
        events = [decode(bytes(r["payload"])) for r in await matcher.pool.fetch("SELECT payload FROM outbox")]
        kinds = [e.type for e in events]
        assert kinds.count("matcher.MatchProposed") == proposed
        assert kinds.count("matcher.NeedEscalated") == statuses["escalated"] == NEEDS - proposed
        assert len({e.need_id for e in events}) == NEEDS  # one decision event per need
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
