"""`make bench`: decision speed, match quality and throughput, measured side by side in one run; writes
bench/results/latest.json and prints it against the targets (bench/targets.py).

* decisions: the indexed path against a scan of every product, at 500 and 2,000 products, on the same needs (the run
  fails if they ever choose differently);
* quality: in three markets whose lines total 0.6, 0.8 and 1.2× demand, the streaming matcher's placements against
  greedy first-fit, the best integer plan found (with its gap) and the LP relaxation's bound, per need and per yuan,
  with capacity prices learned as the running service learns them (from the period before, then the stream); the
  first period (no demand seen yet) and the prices known in hindsight are reported beside it; every placement
  checked by an independent checker (bench/checker.py), officers' coverage and load included;
* throughput: a burst of 24,000 needs (Dongguan's white list) through the matcher, through the same topology with
  no logic, and through raw aiokafka with and without the replies' bytes, each read by a warm consumer.

    python -m bench [--needs 2000] [--burst 24000] [--planner-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.market import generate
from bench.measures import Quality, decision_times, quality
from bench.pipeline import matcher_pipeline, noop_topology, raw_kafka
from bench.statements import count_statements
from bench.targets import TARGETS
from lianrong_platform.logging import configure_logging
from lianrong_platform.runtime import tune_gc

RESULTS = Path(__file__).parent / "results"
SHARES = (0.6, 0.8, 1.2)  # the markets' lines as a share of demand
LAST_PERIOD = 1  # the seed of the period before each stream: the same market's needs, drawn again


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "commit": commit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--needs", type=int, default=2000, help="needs of the markets decisions and quality use")
    parser.add_argument("--burst", type=int, default=24_000, help="needs published at once through Kafka")
    parser.add_argument("--planner-seconds", type=float, default=20.0, help="per scenario, for the best integer plan")
    args = parser.parse_args()
    configure_logging("bench", "console", "WARNING")  # the matcher's own logs at INFO would be timed too
    tune_gc()  # the collector as every service process runs it (lianrong_platform/runtime.py)
    console = Console()
    results: dict[str, Any] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    bootstrap, admin = os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["DATABASE_URL"]

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        steps = progress.add_task("decisions, quality in three markets", total=2 + len(SHARES))
        markets = {p: generate(products=p, needs=args.needs) for p in (500, 2000)}
        times = {p: decision_times(m) for p, m in markets.items()}  # raises if the two paths ever choose differently
        progress.advance(steps, 2)
        scenarios: dict[float, Quality] = {}
        for share in SHARES:
            market = (
                markets[500] if share == 0.8 else generate(products=500, needs=args.needs, capacity_to_demand=share)
            )
            history = generate(products=500, needs=args.needs, capacity_to_demand=share, demand_seed=LAST_PERIOD).needs
            scenarios[share] = quality(market, history, planner_seconds=args.planner_seconds)
            progress.advance(steps)
        burst_market = generate(products=500, needs=args.burst)
        flows = {
            name: progress.add_task(f"{name}: {args.burst} needs", total=args.burst)
            for name in ("pipeline", "no logic")
        }
        pipeline, spread, reply = asyncio.run(
            matcher_pipeline(
                bootstrap, admin, burst_market, args.burst, lambda n: progress.update(flows["pipeline"], completed=n)
            )
        )
        noop = asyncio.run(
            noop_topology(
                bootstrap,
                admin,
                burst_market,
                args.burst,
                reply,
                lambda n: progress.update(flows["no logic"], completed=n),
            )
        )
        raw_needs = asyncio.run(raw_kafka(bootstrap, args.burst, (pipeline.need_bytes,)))
        raw_both = asyncio.run(raw_kafka(bootstrap, args.burst, (pipeline.need_bytes, pipeline.reply_bytes)))
        statements = asyncio.run(count_statements(admin, 300))

    main_q = scenarios[0.8]
    raw_rate = args.burst / raw_both
    results |= {
        "decision_speedup_p500": round(times[500].speedup, 2),
        "decision_speedup_p2000": round(times[2000].speedup, 2),
        "decision_speedup_p500_choice_only": round(times[500].speedup_choice, 2),
        "decision_speedup_p2000_choice_only": round(times[2000].speedup_choice, 2),
        "quality_streaming_vs_optimal": round(main_q.per_need, 4),
        "quality_streaming_vs_bound_yuan": round(main_q.per_yuan, 4),
        "quality_streaming_vs_greedy": round(main_q.streaming / main_q.greedy, 4),
        # The same market's first period, before a period of demand has been seen (reported, not the target).
        "quality_first_period_vs_optimal": round(main_q.first_period / main_q.bound, 4),
        "quality_first_period_vs_bound_yuan": round(main_q.first_period_yuan / main_q.bound_yuan, 4),
        "quality_first_period_vs_greedy": round(main_q.first_period / main_q.greedy, 4),
        "pipeline_vs_raw_kafka": round(pipeline.per_second / raw_rate, 4),
        "pipeline_vs_noop": round(pipeline.per_second / noop.per_second, 4),
        "pipeline_needs_per_second": round(pipeline.per_second, 1),
        "burst_24k_seconds": round(pipeline.seconds, 2) if args.burst == 24_000 else None,
        # In runs of 100, as the consumer decides a fetched batch; one by one (a lone need) under "raw".
        "statements_per_need": statements["in_batches"]["statements_per_need"],
        "rule_violations": sum(q.violations for q in scenarios.values()),
        "raw": {
            "decision_times": {str(p): asdict(t) for p, t in times.items()},
            "quality": {
                str(share): asdict(q) | {"per_need": q.per_need, "per_yuan": q.per_yuan}
                for share, q in scenarios.items()
            },
            "pipeline": asdict(pipeline) | {"needs_per_second": round(pipeline.per_second, 1)},
            "burst_spread": asdict(spread),
            "noop_same_topology": asdict(noop) | {"needs_per_second": round(noop.per_second, 1)},
            "raw_kafka_needs_only": {
                "messages": args.burst,
                "seconds": round(raw_needs, 3),
                "messages_per_second": round(args.burst / raw_needs, 1),
            },
            "raw_kafka_need_and_reply": {
                "needs": args.burst,
                "messages": 2 * args.burst,
                "seconds": round(raw_both, 3),
                "needs_per_second": round(raw_rate, 1),
            },
            "statements": statements,
            "market": {
                "seed": burst_market.seed,
                "firms": burst_market.firms,
                "banks": len(burst_market.banks),
                "products": len(burst_market.offers),
                "lines_to_demand": round(burst_market.lines_to_demand, 3),
            },
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")

    table = Table(title="链融 matcher benchmark (one run, side by side)")
    for column, justify in (("measure", "left"), ("value", "right"), ("target", "right"), ("met", "center")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for target in TARGETS:
        value = results[target.key]
        met = target.met(value)
        shown = "—" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:,.3f}"
        table.add_row(
            target.text,
            shown,
            f"{'≥' if target.higher_is_better else '≤'} {target.limit:g}",
            "—" if met is None else "yes" if met else "no",
        )
    console.print(table)
    detail = Table(title="what the ratios rest on")
    detail.add_column("measure")
    detail.add_column("value", justify="right")
    for p in (500, 2000):
        t = times[p]
        detail.add_row(
            f"decision and its record's exclusions, {p} products: indexed / naive (same choices and records)",
            f"{t.indexed_us:.0f} / {t.naive_us:.0f} µs",
        )
        detail.add_row(
            f"the choice alone, {p} products: indexed / naive (= {t.speedup_choice:.1f}×)",
            f"{t.indexed_choice_us:.0f} / {t.naive_choice_us:.0f} µs",
        )
    for q in scenarios.values():
        detail.add_row(
            f"lines {q.lines_to_demand:.2f}× demand: streaming / greedy / best integer / LP bound (value)",
            f"{q.streaming:.1f} / {q.greedy:.1f} / {q.best_integer:.1f} (gap {q.gap:.1%}) / {q.bound:.1f}",
        )
        detail.add_row(
            f"lines {q.lines_to_demand:.2f}×: per need / per yuan ÷ LP bound — first period; prices in hindsight",
            f"{q.first_period / q.bound:.3f} / {q.first_period_yuan / q.bound_yuan:.3f};"
            f" {q.hindsight / q.bound:.3f} / {q.hindsight_yuan / q.bound_yuan:.3f}",
        )
        detail.add_row(
            f"lines {q.lines_to_demand:.2f}×: yuan placed, streaming / LP bound",
            f"{q.streaming_yuan / 1e8:,.2f} / {q.bound_yuan / 1e8:,.2f} 亿 = {q.per_yuan:.3f}",
        )
        detail.add_row(
            f"lines {q.lines_to_demand:.2f}×: needs placed, streaming / greedy / best",
            f"{q.matched_streaming} / {q.matched_greedy} / {q.matched_best} of {q.needs}",
        )
    detail.add_row(
        "pipeline (needs → matcher → replies)", f"{pipeline.per_second:,.0f} needs/s, {pipeline.seconds:.1f} s"
    )
    detail.add_row("same topology, no logic", f"{noop.per_second:,.0f} needs/s")
    detail.add_row(f"raw aiokafka, needs only ({pipeline.need_bytes} B)", f"{args.burst / raw_needs:,.0f} msg/s")
    detail.add_row(
        f"raw aiokafka, need + reply ({pipeline.need_bytes} + {pipeline.reply_bytes} B)", f"{raw_rate:,.0f} needs/s"
    )
    detail.add_row(
        "burst: lines used / products full / proposed / escalated",
        f"{spread.lines_used:.1%} / {spread.products_full} of {spread.products} / {spread.proposed}"
        f" / {spread.escalated}",
    )
    console.print(detail)
    console.print(f"written: {RESULTS / 'latest.json'}  ({time.strftime('%H:%M:%S')})")


if __name__ == "__main__":
    main()
