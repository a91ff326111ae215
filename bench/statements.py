"""`python -m bench.statements [--needs 500]`: SQL statements the matcher sends per need it routes, counted by
PostgreSQL's client (asyncpg's query logger) on the seeded market, and the bytes a decision record takes.

Every NeedSubmitted is applied by the matcher's own handler in its own transaction on a fresh database, as the
consumer applies a lone need; then the same needs again, on another fresh database, in runs of `--batch` as the
consumer hands a fetched batch to the handler of runs (the consumer's inbox and offset statements, shared by a
batch, are not counted in either). The same script runs against an older checkout (PYTHONPATH pointing at its
sources) to give the figure before a change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections import Counter
from typing import Any

from bench.market import generate
from bench.pipeline import _load, needs_of, scratch_database
from lianrong_platform.kafka.consumer import Batched
from matcher.bootstrap import SPEC
from matcher.entrypoints.consumer import build_handlers
from matcher.settings import MatcherSettings


async def count_batched(admin_dsn: str, needs: int, batch: int) -> dict[str, Any]:
    """Statements per need when the needs arrive in runs of `batch` (each run one transaction)."""
    market = generate(seed=20261123, products=500, needs=needs)
    async with scratch_database(admin_dsn, SPEC.migrations, "matcher") as (_dsn, pool):
        await _load(pool, market)
        handler = build_handlers(MatcherSettings(sla_seconds=86400, sla_working_hours=False))["firms.NeedSubmitted"]
        assert isinstance(handler, Batched)
        events = needs_of(market, needs)
        async with pool.acquire() as conn:
            sent: list[str] = []
            conn.add_query_logger(lambda record: sent.append(record.query))
            runs = 0
            for start in range(0, len(events), batch):
                async with conn.transaction():
                    await handler.many(conn, events[start : start + batch])
                runs += 1
            statements = len(sent) - 2 * runs
            decided = await conn.fetchval("SELECT count(*) FROM needs WHERE status <> 'open'")
    return {"needs": needs, "batch": batch, "decided": decided, "statements_per_need": round(statements / needs, 3)}


async def count_statements(admin_dsn: str, needs: int) -> dict[str, Any]:
    # A seed of its own: product ids of another market in this process would meet the matcher's cache of parsed
    # terms (keyed by product id and version, unique in a real installation) with other lines.
    market = generate(seed=20261123, products=500, needs=needs)
    async with scratch_database(admin_dsn, SPEC.migrations, "matcher") as (_dsn, pool):
        await _load(pool, market)
        apply = build_handlers(MatcherSettings(sla_seconds=86400, sla_working_hours=False))["firms.NeedSubmitted"]
        per_outcome: dict[str, list[int]] = {"proposed": [], "escalated": []}
        async with pool.acquire() as conn:
            sent: list[str] = []
            conn.add_query_logger(lambda record: sent.append(record.query))
            for event in needs_of(market, needs):
                sent.clear()
                async with conn.transaction():
                    await apply(conn, event)
                statements = len(sent) - 2  # BEGIN and COMMIT belong to the consumer's transaction
                status = await conn.fetchval("SELECT status FROM needs WHERE need_id = $1", event.need_id)
                per_outcome["proposed" if status == "proposed" else "escalated"].append(statements)
            record = (
                await conn.fetchrow(
                    """SELECT count(*) AS n, avg(pg_column_size(d.*))::int AS avg_bytes,
                          max(pg_column_size(d.*)) AS max_bytes FROM decisions d"""
                )
                if await conn.fetchval("SELECT to_regclass('decisions') IS NOT NULL")
                else None
            )
    result: dict[str, Any] = {
        outcome: {
            "needs": len(counts),
            "statements_per_need": round(sum(counts) / len(counts), 2) if counts else None,
            "distribution": dict(sorted(Counter(counts).items())),
        }
        for outcome, counts in per_outcome.items()
    }
    if record is not None:
        result["decision_record"] = dict(record)
    result["in_batches"] = await count_batched(admin_dsn, needs, batch=min(needs, 100))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.statements", description=__doc__)
    parser.add_argument("--needs", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(count_statements(os.environ["DATABASE_URL"], args.needs)), indent=2))


if __name__ == "__main__":
    main()
