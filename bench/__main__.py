"""`make bench`: decision speed, match quality and pipeline throughput, measured side by side in one run on the
same seeded market; writes bench/results/latest.json and prints the same as a table.

    python -m bench [--needs 2000] [--pipeline-needs 1000] [--planner-seconds 60]
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

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.market import generate
from bench.measures import decision_times, quality
from bench.pipeline import matcher_pipeline, raw_kafka
from lianrong_platform.logging import configure_logging

RESULTS = Path(__file__).parent / "results"


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
    parser.add_argument("--needs", type=int, default=2000)
    parser.add_argument("--pipeline-needs", type=int, default=1000)
    parser.add_argument("--planner-seconds", type=float, default=60.0)
    args = parser.parse_args()
    configure_logging("bench", "console", "WARNING")  # the matcher's own logs at INFO would be timed too
    console = Console()
    results: dict[str, object] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        steps = progress.add_task("markets, decisions, quality", total=5)
        markets = {p: generate(products=p, needs=args.needs) for p in (500, 2000)}
        progress.advance(steps)
        times = {p: decision_times(m) for p, m in markets.items()}
        progress.advance(steps, 2)
        q = quality(markets[500], planner_seconds=args.planner_seconds)
        progress.advance(steps, 2)
        flow = progress.add_task("needs through Kafka → matcher → Kafka", total=args.pipeline_needs)
        bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        elapsed, size = asyncio.run(
            matcher_pipeline(
                bootstrap,
                os.environ["DATABASE_URL"],
                markets[500],
                args.pipeline_needs,
                lambda n: progress.update(flow, completed=n),
            )
        )
        raw = asyncio.run(raw_kafka(bootstrap, args.pipeline_needs, size))

    pipeline_rate, raw_rate = args.pipeline_needs / elapsed, args.pipeline_needs / raw
    results |= {
        "decision_speedup_p500": round(times[500].speedup, 2),
        "decision_speedup_p2000": round(times[2000].speedup, 2),
        "quality_streaming_vs_optimal": round(q.streaming / q.optimal, 4),
        "quality_streaming_vs_greedy": round(q.streaming / q.greedy, 4),
        "pipeline_vs_raw_kafka": round(pipeline_rate / raw_rate, 4),
        "rule_violations": q.violations,
        "raw": {
            "decision_times": {str(p): asdict(t) for p, t in times.items()},
            "quality": asdict(q),
            "pipeline": {
                "needs": args.pipeline_needs,
                "seconds": round(elapsed, 3),
                "needs_per_second": round(pipeline_rate, 1),
                "message_bytes": size,
            },
            "raw_kafka": {
                "messages": args.pipeline_needs,
                "seconds": round(raw, 3),
                "messages_per_second": round(raw_rate, 1),
                "message_bytes": size,
            },
            "market": {
                "seed": markets[500].seed,
                "firms": markets[500].firms,
                "banks": len(markets[500].banks),
                "needs": len(markets[500].needs),
                "demand_yuan": str(markets[500].demand),
            },
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")

    table = Table(title="链融 matcher benchmark (one run, same market)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    for p in (500, 2000):
        t = times[p]
        table.add_row(
            f"decision time, {p} products: indexed / naive scan",
            f"{t.indexed_us:.0f} µs / {t.naive_us:.0f} µs = {t.speedup:.1f}×",
            "≥ 10×, growing",
        )
    table.add_row(
        "quality: streaming / optimal (CP-SAT)",
        f"{q.streaming:.1f} / {q.optimal:.1f} = {q.streaming / q.optimal:.3f}"
        + ("" if q.optimal_proven else f" (bound {q.optimal_bound:.1f})"),
        "≥ 0.90",
    )
    table.add_row("quality: streaming / greedy first-fit", f"{q.streaming / q.greedy:.3f}", "≥ 1.05")
    table.add_row(
        "needs matched: streaming / greedy / optimal",
        f"{q.matched_streaming} / {q.matched_greedy} / {q.matched_optimal} of {q.needs}",
        "",
    )
    table.add_row("share of capacity used (streaming)", f"{q.capacity_used:.1%}", "")
    table.add_row("in-chain needs routed to the lead bank", f"{q.lead_share:.1%}", "")
    table.add_row("Jain fairness of bank fill", f"{q.jain_fairness:.3f}", "")
    table.add_row("rule violations", str(q.violations), "0")
    table.add_row(
        "pipeline Kafka→matcher→Kafka / raw aiokafka",
        f"{pipeline_rate:.0f} / {raw_rate:.0f} needs/s = {pipeline_rate / raw_rate:.3f}",
        "≥ 0.2",
    )
    console.print(table)
    console.print(f"written: {RESULTS / 'latest.json'}  ({time.strftime('%H:%M:%S')})")


if __name__ == "__main__":
    main()
