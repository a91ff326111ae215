"""The faults, one at a time, each followed by a wait for recovery: every process ready again (supervisord restarts
what died, its watchdog kills what hangs; nobody restarts anything by hand) and a need acknowledged after the fault
decided by the matcher."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import httpx
from aiokafka.partitioner import murmur2

from chaos.load import Load
from chaos.processes import Installation, role_of
from contracts.catalogue import TOPICS
from contracts.firms import NEED_EVENTS

KINDS = ("api", "consumer", "relay", "webhooks", "sender", "portal")


@dataclass
class Fault:
    name: str
    inject: Callable[[], Awaitable[None]]
    program: str | None = None  # whose restart (a new pid) recovery waits for
    # What is looked up before the clock starts (which broker leads): recovery counts only needs acknowledged after
    # the fault itself, never ones that went through before it struck.
    prepare: Callable[[], Awaitable[None]] | None = None
    # What puts the installation whole again once recovery is measured (a killed broker started again): recovery is
    # measured with the fault still in place, so it shows the system working around it.
    restore: Callable[[], Awaitable[None]] | None = None
    # Recovery needs a need decided on every partition of the needs topic, not just on those a dead broker did not
    # lead: a fault of one broker is over when the partitions it led have moved.
    every_partition: bool = False


@dataclass
class Recovery:
    fault: str
    seconds: float | None  # None: not back within the limit


def kill(installation: Installation, program: str) -> Fault:
    async def inject() -> None:
        os.kill(installation.pid(program), signal.SIGKILL)

    return Fault(f"SIGKILL {program}", inject, program)


def pause(installation: Installation, program: str, seconds: float) -> Fault:
    async def inject() -> None:
        pid = installation.pid(program)
        os.kill(pid, signal.SIGSTOP)
        await asyncio.sleep(seconds)
        os.kill(pid, signal.SIGCONT)

    return Fault(f"SIGSTOP {program} {seconds:.0f} s", inject)


def hang(installation: Installation, program: str) -> Fault:
    """Stopped and never continued: only the watchdog (no answer on /healthz) can bring it back."""

    async def inject() -> None:
        os.kill(installation.pid(program), signal.SIGSTOP)

    return Fault(f"SIGSTOP {program}, never continued", inject, program)


def kill_partition_leader(installation: Installation) -> Fault:
    """The leader of the needs topic's first partition killed: the two brokers left (min ISR 2) must carry on. The
    broker is started again only after recovery is measured (the operator's step, not the system's)."""

    broker = {"node": 0, "pid": 0}

    async def prepare() -> None:
        broker["node"] = await asyncio.to_thread(installation.leader_of, NEED_EVENTS)
        broker["pid"] = installation.broker_pid(broker["node"])

    async def inject() -> None:
        os.kill(broker["pid"], signal.SIGKILL)
        print(f"    broker {broker['node']} (leader of {NEED_EVENTS}[0]) killed", flush=True)

    async def restore() -> None:
        await asyncio.to_thread(installation.infra, "up")

    return Fault(
        "SIGKILL Kafka partition leader (2 of 3 left)",
        inject,
        prepare=prepare,
        restore=restore,
        every_partition=True,
    )


def restart_postgres(installation: Installation) -> Fault:
    async def inject() -> None:
        await asyncio.to_thread(installation.infra, "restart-postgres")

    return Fault("PostgreSQL restart", inject)


def plan(installation: Installation, profile: str) -> list[Fault]:
    """Full: every program killed, every kind paused. Short (CI): one program of each kind killed and paused."""
    programs = sorted(installation.programs())
    if profile == "short":
        chosen = {"api": "firms-api", "consumer": "matcher-consumer", "relay": "firms-relay"}
        targets = [chosen.get(k) or next(p for p in programs if role_of(p) == k) for k in KINDS]
        pause_s = 6.0
    else:
        targets, pause_s = programs, 15.0
    faults = [kill(installation, p) for p in targets]
    for kind in KINDS:
        program = next(p for p in targets if role_of(p) == kind)
        if kind == "consumer":
            program = "matcher-consumer"
        faults.append(pause(installation, program, pause_s))
    hung = ["matcher-consumer"] if profile == "short" else [next(p for p in targets if role_of(p) == k) for k in KINDS]
    faults.extend(hang(installation, p) for p in hung)
    faults.append(kill_partition_leader(installation))
    faults.append(restart_postgres(installation))
    return faults


async def recover(
    installation: Installation, fault: Fault, load: Load, matcher: str, limit_s: float, old_pid: int
) -> Recovery:
    """Seconds from the fault's start until the system works again, or None after `limit_s`."""
    if fault.prepare is not None:
        await fault.prepare()
    started = time.monotonic()
    await fault.inject()
    async with httpx.AsyncClient() as client:
        while time.monotonic() - started < limit_s:
            restarted = fault.program is None or installation.pid(fault.program) not in (0, old_pid)
            if (
                restarted
                and await installation.all_ready(client)
                and await _flowing(load, matcher, started, every_partition=fault.every_partition)
            ):
                return Recovery(fault.name, round(time.monotonic() - started, 1))
            await asyncio.sleep(0.25)
    return Recovery(fault.name, None)


async def restore(installation: Installation, fault: Fault, limit_s: float) -> float | None:
    """Put the installation whole again after a fault that stays until an operator acts; seconds until every
    process is ready again, or None."""
    if fault.restore is None:
        return 0.0
    started = time.monotonic()
    await fault.restore()
    async with httpx.AsyncClient() as client:
        while time.monotonic() - started < limit_s:
            if await installation.all_ready(client):
                return round(time.monotonic() - started, 1)
            await asyncio.sleep(0.25)
    return None


async def _flowing(load: Load, matcher: str, since: float, *, every_partition: bool = False) -> bool:
    """A need acknowledged after the fault began has been decided (proposed or escalated) by the matcher; with
    `every_partition`, one on each partition of the needs topic."""
    fresh = load.acked_since(since)
    if not fresh:
        return False
    try:
        conn = await asyncpg.connect(matcher, timeout=2)
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        decided = await conn.fetch(
            "SELECT need_id::text FROM needs WHERE need_id = ANY($1::uuid[]) AND status <> 'open'", fresh
        )
    except asyncpg.PostgresError:
        return False
    finally:
        await conn.close()
    if not every_partition:
        return bool(decided)
    return {partition_of(r["need_id"]) for r in decided} == set(range(NEED_PARTITIONS))


NEED_PARTITIONS = next(t.partitions for t in TOPICS if t.name == NEED_EVENTS)


def partition_of(need_id: str) -> int:
    """The partition the firms relay's producer puts a need on (Kafka's default partitioner: murmur2 of the key)."""
    return (murmur2(need_id.encode()) & 0x7FFFFFFF) % NEED_PARTITIONS
