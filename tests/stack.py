"""The whole system as processes, for cross-service tests: every service's API, consumer and relay, and the portal,
on free ports, with fresh databases and consumer groups that start after the topics' history."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from banks.bootstrap import SPEC as banks_spec
from firms.bootstrap import SPEC as firms_spec
from lianrong_platform.auth.issue import ensure_key_pair
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.testing.http import wait_ready
from lianrong_platform.testing.kafka import skip_history
from lianrong_platform.testing.ports import free_port
from matcher.bootstrap import SPEC as matcher_spec
from notifier.bootstrap import SPEC as notifier_spec
from oversight.bootstrap import SPEC as oversight_spec

SPECS = {
    "firms": firms_spec,
    "banks": banks_spec,
    "matcher": matcher_spec,
    "oversight": oversight_spec,
    "notifier": notifier_spec,
}
LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts"))


@dataclass
class Stack:
    state: Path
    env: dict[str, str]
    urls: dict[str, str] = field(default_factory=dict)
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, *args: str) -> None:
        # One folder per stack (named by its state directory: portal0, demo0, …), so a later stack's processes do
        # not overwrite the logs of the one whose test failed.
        logs = LOGS / "stack" / self.state.name
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{name}.log").open("wb") as out:
            self.processes.append(
                (
                    name,
                    subprocess.Popen([sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT, env=self.env),
                )
            )

    async def ready(self, url: str) -> None:
        await wait_ready(url)


@asynccontextmanager
async def running_stack(
    infra, fresh_database, tmp_path: Path, *, sla_seconds: int = 600, extra_env: dict[str, str] | None = None
) -> AsyncIterator[Stack]:
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    _, public = ensure_key_pair(tmp_path / "keys")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "JWT_PUBLIC_KEY_FILE": str(public),
        "LIANRONG_STATE": str(tmp_path),
        "LOG_FORMAT": "json",
        "MATCHER_SLA_SECONDS": str(sla_seconds),
        "MATCHER_SLA_WORKING_HOURS": "false",
        **(extra_env or {}),
    }
    stack = Stack(tmp_path, env)
    for name, spec in SPECS.items():
        group = f"{name}-{uuid.uuid4().hex[:8]}"
        await skip_history(infra.kafka_bootstrap_servers, group, spec.consumes)
        port = free_port()
        env |= {
            f"{name.upper()}_DATABASE_URL": await fresh_database(),
            f"{name.upper()}_HTTP_PORT": str(port),
            f"{name.upper()}_CONSUMER_GROUP": group,
        }
        stack.urls[name] = f"http://127.0.0.1:{port}"
    portal_port = free_port()
    env |= {f"PORTAL_{n.upper()}_URL": u for n, u in stack.urls.items()} | {
        "PORTAL_HTTP_PORT": str(portal_port),
        "PORTAL_DEMO_IDENTITIES": str(tmp_path / "demo-tokens.json"),
        "PORTAL_DEMO_MODE": "true",
        "DEMO_FIRMS_URL": stack.urls["firms"],
        "DEMO_BANKS_URL": stack.urls["banks"],
        "DEMO_NOTIFIER_URL": stack.urls["notifier"],
    }
    stack.urls["portal"] = f"http://127.0.0.1:{portal_port}"
    try:
        for name, spec in SPECS.items():
            roles = (
                "api",
                "consumer",
                *(("relay",) if spec.publishes else ()),
                *(("sender",) if name == "notifier" else ()),
            )
            for role in roles:
                stack.start(f"{name}-{role}", name, role)
        stack.start("portal", "portal")
        for name in SPECS:
            await stack.ready(f"{stack.urls[name]}/readyz")
        await stack.ready(f"{stack.urls['portal']}/healthz")
        yield stack
    finally:
        for _, proc in stack.processes:
            proc.send_signal(signal.SIGTERM)
        for _, proc in stack.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def seed_demo(stack: Stack) -> dict[str, dict[str, Any]]:
    """The demo market seeded through the APIs (`python -m demo`); its people and their tokens."""
    seeding = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "demo", env=stack.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(seeding.communicate(), 300)
    assert seeding.returncode == 0, output.decode()
    people: dict[str, dict[str, Any]] = json.loads((stack.state / "demo-tokens.json").read_text())
    return people
