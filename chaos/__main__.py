"""`python -m chaos [--profile full|short]`: run by deploy/chaos/run.sh (`make chaos`) against an installation of its
own (3 Kafka brokers, PostgreSQL, every process under supervisord, the demo market).

Needs flow through the firms API at a steady rate while the faults of `chaos.faults.plan` happen one after another;
then the unanswered requests are retried with their Idempotency-Key, the system is left to settle, and every
acknowledged need is reconciled (chaos.reconcile). The report is printed and written to $LIANRONG_STATE/chaos.json;
the exit status is 1 when anything is lost, applied twice, read before commit, over-committed, or a process did not
come back by itself."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from pathlib import Path

import asyncpg
import httpx

from chaos.faults import Recovery, plan, recover, restore
from chaos.load import Load
from chaos.processes import Installation
from chaos.reconcile import Reconciliation, reconcile

REQUIRED_ZERO = ("lost.", "duplicate.", "g1a.", "overcommit.", "ledger.", "undecided.", "untrue.")


async def settle(load: Load, installation: Installation, limit_s: float) -> float:
    """Wait until every acknowledged need is decided and counted; seconds waited."""
    started = time.monotonic()
    acked = [s.need_id for s in load.sent if s.need_id]
    async with httpx.AsyncClient() as client:
        while time.monotonic() - started < limit_s:
            if await installation.all_ready(client):
                matcher = await asyncpg.connect(os.environ["MATCHER_DATABASE_URL"])
                try:
                    open_ = await matcher.fetchval(
                        "SELECT count(*) FROM needs WHERE need_id = ANY($1::uuid[]) AND status <> 'open'", acked
                    )
                finally:
                    await matcher.close()
                if open_ == len(acked):
                    await asyncio.sleep(3)  # the banks and oversight consumers read the same events alongside
                    return time.monotonic() - started
            await asyncio.sleep(1)
    return time.monotonic() - started


def report(load: Load, recoveries: list[Recovery], result: Reconciliation, back: bool, retried: int) -> bool:
    print("\nFaults (recovery: every process ready again and a need sent after the fault decided)")
    for rec in recoveries:
        print(f"  {rec.fault:<44} {'NOT BACK' if rec.seconds is None else f'{rec.seconds:6.1f} s'}")
    print(
        f"\nRequests: {len(load.sent)} sent — acked {load.count('acked')}, failed {load.count('failed')}, "
        f"indeterminate {load.count('indeterminate')} (after retrying {retried} with their key)"
    )
    width = max(len(k) for k in result.figures)
    for name, value in sorted(result.figures.items()):
        flag = "  ✗" if value and name.startswith(REQUIRED_ZERO) else ""
        example = f"  e.g. {result.examples[name]}" if name in result.examples else ""
        print(f"  {name:<{width}} {value}{flag}{example}")
    held = (
        all(result.total(prefix) == 0 for prefix in REQUIRED_ZERO)
        and all(rec.seconds is not None for rec in recoveries)
        and back
    )
    print(f"\nEvery process back without a hand restart: {'yes' if back else 'NO'}")
    print("RESULT:", "held — lost 0, duplicate effects 0, G1a 0, over-commit 0" if held else "VIOLATED")
    return held


async def main(profile: str) -> int:
    state = Path(os.environ["LIANRONG_STATE"])
    installation = Installation(state, int(os.environ.get("LIANRONG_PORT_BASE", "9100")))
    load = await Load.of_demo(state, installation.url("firms"))
    rate = float(os.environ.get("CHAOS_NEEDS_PER_SECOND", "10"))
    stop = asyncio.Event()
    driver = asyncio.create_task(load.run(rate, stop, random.Random(20261123)))
    print(f"chaos ({profile}): {rate:.0f} needs/s from {len(load.smes)} SMEs", flush=True)
    await asyncio.sleep(5)
    recoveries = []
    for fault in plan(installation, profile):
        old = installation.pid(fault.program) if fault.program else 0
        recovery = await recover(installation, fault, load, os.environ["MATCHER_DATABASE_URL"], 120, old)
        print(f"  {recovery.fault:<44} back in {recovery.seconds} s", flush=True)
        recoveries.append(recovery)
        if fault.restore is not None:
            restored = Recovery("Kafka broker started again (3 of 3)", await restore(installation, fault, 120))
            print(f"  {restored.fault:<44} all ready in {restored.seconds} s", flush=True)
            recoveries.append(restored)
        await asyncio.sleep(3)
    stop.set()
    await driver
    retried = await load.retry_indeterminate()
    waited = await settle(load, installation, 180)
    print(f"settled in {waited:.0f} s", flush=True)
    async with httpx.AsyncClient() as client:
        back = await installation.all_ready(client)
    result = await reconcile(load)
    held = report(load, recoveries, result, back, retried)
    (state / "chaos.json").write_text(
        json.dumps(
            {
                "profile": profile,
                "requests": {o: load.count(o) for o in ("acked", "failed", "indeterminate")},
                "retried_with_key": retried,
                "recovery_seconds": {r.fault: r.seconds for r in recoveries},
                "figures": result.figures,
                "examples": result.examples,
                "processes_back": back,
                "held": held,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0 if held else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m chaos")
    parser.add_argument("--profile", choices=("full", "short"), default="full")
    raise SystemExit(asyncio.run(main(parser.parse_args().profile)))
