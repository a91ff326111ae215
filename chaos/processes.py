"""The installation under test, as an operator reaches it: supervisord's programs and their probes, the Kafka
brokers' pids and the PostgreSQL cluster (both through deploy/infra.sh, as on call)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("firms", "banks", "matcher", "oversight", "notifier")
# Each service's processes in deploy/services.sh's order, which gives their probe ports.
ROLES = {"notifier": ("api", "consumer", "sender")}
DEFAULT_ROLES = ("api", "consumer", "relay", "webhooks")
# The demo's stand-ins for a mail server and an SMS provider, and supervisord's own watchdog: not Lianrong's
# services, no probe, not faulted.
STAND_INS = ("mail-catcher", "sms-stand-in", "watchdog")


def role_of(program: str) -> str:
    """The kind of process: api, consumer, relay, webhooks (dispatcher), sender (notifier) or portal."""
    return program.rsplit("-", 1)[-1] if "-" in program else program


@dataclass(frozen=True)
class Installation:
    state: Path
    port_base: int

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "LIANRONG_STATE": str(self.state)}

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port_base + 1 + SERVICES.index(service)}"

    def probe(self, program: str) -> str:
        """Where a program says whether it can do its job (deploy/services.sh gives the ports)."""
        if program == "portal":
            return f"http://127.0.0.1:{self.port_base}/healthz"
        service, role = program.split("-", 1)
        roles = ROLES.get(service, DEFAULT_ROLES)
        port = self.port_base + 1 + SERVICES.index(service) + 100 * roles.index(role)
        return f"http://127.0.0.1:{port}/readyz"

    # --- supervisord -------------------------------------------------------------------------------------------
    def _ctl(self, *args: str) -> str:
        conf = self.state / "run" / "supervisord.conf"
        out = subprocess.run(
            [str(ROOT / ".venv/bin/supervisorctl"), "-c", str(conf), *args], capture_output=True, text=True
        )
        return out.stdout

    def programs(self, *, stand_ins: bool = False) -> dict[str, tuple[str, int]]:
        """Every program of Lianrong (and the demo's stand-ins if asked): (state, pid)."""
        found: dict[str, tuple[str, int]] = {}
        for line in self._ctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 2 and (stand_ins or parts[0] not in STAND_INS):
                pid = int(parts[3].rstrip(",")) if len(parts) > 3 and parts[2] == "pid" else 0
                found[parts[0]] = (parts[1], pid)
        return found

    def pid(self, program: str) -> int:
        return self.programs(stand_ins=True)[program][1]

    async def ready(self, program: str, client: httpx.AsyncClient) -> bool:
        try:
            return (await client.get(self.probe(program), timeout=1)).status_code == 200
        except httpx.HTTPError:
            return False

    async def all_ready(self, client: httpx.AsyncClient) -> bool:
        programs = self.programs()
        if not programs or any(state != "RUNNING" for state, _ in programs.values()):
            return False
        answers = await asyncio.gather(*(self.ready(p, client) for p in programs))
        return all(answers)

    # --- infrastructure ----------------------------------------------------------------------------------------
    def infra(self, command: str) -> None:
        done = subprocess.run([str(ROOT / "deploy/infra.sh"), command], env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"deploy/infra.sh {command} failed: {done.stderr[-2000:]}")

    def broker_pid(self, node: int) -> int:
        kafka = self.state / "kafka"
        return int(((kafka if node == 1 else kafka / f"node-{node}") / "kafka.pid").read_text())

    def leader_of(self, topic: str, partition: int = 0) -> int:
        described = subprocess.run(
            [str(ROOT / "deploy/kafka-tool.sh"), "topics", "--describe", "--topic", topic],
            capture_output=True,
            text=True,
            check=True,
            env=self.env,
        ).stdout
        return int(described.split(f"Partition: {partition}")[1].split("Leader: ")[1].split()[0])
