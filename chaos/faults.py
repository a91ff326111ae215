"""The faults, one at a time, each followed by a wait for recovery: every process ready again (supervisord restarts
what died; nobody restarts anything by hand) and a need acknowledged after the fault decided by the matcher."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import httpx

from chaos.load import Load
from chaos.processes import Installation, role_of
from contracts.firms import NEED_EVENTS

KINDS = ("api", "consumer", "relay", "webhooks", "sender", "portal")


@dataclass
class Fault:
    name: str
    inject: Callable[[], Awaitable[None]]
    program: str | None = None  # whose restart (a new pid) recovery waits for


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


def kill_partition_leader(installation: Installation, down_seconds: float) -> Fault:
    async def inject() -> None:
        leader = await asyncio.to_thread(installation.leader_of, NEED_EVENTS)
        os.kill(installation.broker_pid(leader), signal.SIGKILL)
        print(f"    broker {leader} (leader of {NEED_EVENTS}[0]) killed", flush=True)
        await asyncio.sleep(down_seconds)
        await asyncio.to_thread(installation.infra, "up")  # the operator's step: the broker comes back

    return Fault("SIGKILL Kafka partition leader", inject)


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
    faults.append(kill_partition_leader(installation, 8.0 if profile == "short" else 20.0))
    faults.append(restart_postgres(installation))
    return faults


async def recover(
    installation: Installation, fault: Fault, load: Load, matcher: str, limit_s: float, old_pid: int
) -> Recovery:
    """Seconds from the fault's start until the system works again, or None after `limit_s`."""
    started = time.monotonic()
    await fault.inject()
    async with httpx.AsyncClient() as client:
        while time.monotonic() - started < limit_s:
            restarted = fault.program is None or installation.pid(fault.program) not in (0, old_pid)
            if restarted and await installation.all_ready(client) and await _flowing(load, matcher, started):
                return Recovery(fault.name, round(time.monotonic() - started, 1))
            await asyncio.sleep(0.25)
    return Recovery(fault.name, None)


async def _flowing(load: Load, matcher: str, since: float) -> bool:
    """A need acknowledged after the fault began has been decided (proposed or escalated) by the matcher."""
    fresh = load.acked_since(since)
    if not fresh:
        return False
    try:
        conn = await asyncpg.connect(matcher, timeout=2)
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        decided = await conn.fetchval(
            "SELECT count(*) FROM needs WHERE need_id = ANY($1::uuid[]) AND status <> 'open'", fresh
        )
    except asyncpg.PostgresError:
        return False
    finally:
        await conn.close()
    return bool(decided)
