"""Needs sent through the firms API as the demo's SMEs send them, each with its own Idempotency-Key, and what the API
answered: acknowledged (201), failed (a 4xx: an answer that says it was not taken), or indeterminate (no answer,
or a 5xx: the request may or may not have been applied — a client retries it with the same key, and so does
`retry`)."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from firms.clock import today


@dataclass
class Sent:
    number: int
    key: str
    body: dict[str, Any]
    headers: dict[str, str]
    outcome: str = "indeterminate"  # acked | failed | indeterminate
    need_id: str | None = None
    acked_at: float | None = None
    status: int | None = None
    retried: bool = False


@dataclass
class Load:
    firms_url: str
    smes: list[tuple[dict[str, str], str]]  # (headers, chain)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    sent: list[Sent] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    async def of_demo(cls, state: Path, firms_url: str) -> Load:
        people = json.loads((state / "demo-tokens.json").read_text())
        smes: list[tuple[dict[str, str], str]] = []
        async with httpx.AsyncClient(timeout=10) as client:
            for name, person in people.items():
                if person["role"] != "sme" or name.startswith("新注册企业"):
                    continue
                headers = {"Authorization": f"Bearer {person['token']}"}
                links = (await client.get(f"{firms_url}/v1/firms/{person['firm_id']}/links", headers=headers)).json()
                if links:
                    smes.append((headers, links[0]["chain"]))
        return cls(firms_url, smes)

    def _new(self, rng: random.Random) -> Sent:
        headers, chain = rng.choice(self.smes)
        number = len(self.sent)
        body = {
            "chain": chain,
            "amount": f"{rng.randint(30, 300)}0000.00",
            "term_months": rng.choice((6, 12, 24)),
            "purpose": f"故障演练 {self.run_id}-{number}",  # the reconciliation finds each request's rows by it
            "product_types": ["order_loan", "credit_loan"],
            "collateral": ["none"],
            "max_annual_rate": "0.06",
            "first_loan": rng.random() < 0.2,
            "consent_scope": "chain_banks",
            "consent_until": (today() + timedelta(days=180)).isoformat(),
        }
        key = f"chaos-{self.run_id}-{number}"
        sent = Sent(number, key, body, {**headers, "Idempotency-Key": key})
        self.sent.append(sent)
        return sent

    async def _send(self, client: httpx.AsyncClient, sent: Sent) -> None:
        try:
            reply = await client.post(f"{self.firms_url}/v1/needs", json=sent.body, headers=sent.headers, timeout=5)
        except httpx.HTTPError:
            return  # no answer: indeterminate
        sent.status = reply.status_code
        if reply.status_code == 201:
            sent.outcome, sent.need_id, sent.acked_at = "acked", reply.json()["need_id"], time.monotonic()
        elif reply.status_code < 500:
            sent.outcome = "failed"  # refused: the API said it did not take it
        # 5xx (503 included: the database went away, perhaps during the commit): the API cannot say whether it
        # committed, so the request is indeterminate and sent again with its key, as a careful client does

    async def run(self, per_second: float, stop: asyncio.Event, rng: random.Random) -> None:
        """Send at a steady rate until `stop`, without waiting for slow answers (a stalled API must not slow the
        offered load, or the faults would hide themselves)."""
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as client:
            while not stop.is_set():
                task = asyncio.create_task(self._send(client, self._new(rng)))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                await asyncio.sleep(1 / per_second)
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def retry_indeterminate(self) -> int:
        """What a careful client does after an outage: send the unanswered requests again with the same key."""
        again = [s for s in self.sent if s.outcome == "indeterminate"]
        async with httpx.AsyncClient() as client:
            for sent in again:
                sent.retried = True
                await self._send(client, sent)
        return len(again)

    def acked_since(self, moment: float) -> list[str]:
        return [s.need_id for s in self.sent if s.need_id and s.acked_at and s.acked_at >= moment]

    def count(self, outcome: str) -> int:
        return sum(1 for s in self.sent if s.outcome == outcome)
