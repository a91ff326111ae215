"""Webhooks for banks' own systems, end to end with real processes: the dispatcher (`python -m banks webhooks`)
delivers from the real PostgreSQL to receivers running as their own processes, which verify every signature with
the Standard Webhooks library. A bank gets exactly its own events; a receiver down for two minutes loses nothing and
gets nothing twice; another bank gets none of them; a tampered body fails verification; the bank's system, with a
service-account token, reads the delivery log and asks for a message again."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from banks.settings import BanksSettings
from banks.webhooks import deliver_due
from contracts import decode
from lianrong_platform.testing.ports import free_port

from .conftest import BanksWorld

RECEIVER = Path(__file__).with_name("webhook_receiver.py")
LOGS = Path(os.environ.get("LIANRONG_TEST_ARTIFACTS", "test-artifacts")) / "webhooks"
DOWN_SECONDS = 120


class Receiver:
    def __init__(self, name: str, secret: str, port: int) -> None:
        self.name, self.secret, self.port = name, secret, port
        self.out = LOGS / f"{name}.jsonl"
        self.out.unlink(missing_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(RECEIVER), str(self.port), self.secret, str(self.out)])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def received(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines()]

    async def until(self, ids: set[str], within_s: float = 60) -> None:
        for _ in range(int(within_s * 5)):
            if ids <= {r["id"] for r in self.received()}:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} never got {len(ids - {r['id'] for r in self.received()})} of {len(ids)}")


async def register(banks: BanksWorld, bank: str, port: int) -> dict[str, Any]:
    body = {
        "url": f"http://127.0.0.1:{port}/hooks",
        "event_types": [
            "matcher.MatchProposed",
            "banks.MatchAccepted",
            "banks.MatchDeclined",
            "firms.FirmDataDisclosed",
        ],
    }
    created = await banks.call(f"bank_admin_{bank[-1]}", "POST", f"/v1/banks/{banks.ids[bank]}/webhooks", json=body)
    assert created.status_code == 201, created.text
    endpoint: dict[str, Any] = created.json()
    assert endpoint["secret"].startswith("whsec_")
    listed = await banks.call(f"bank_admin_{bank[-1]}", "GET", f"/v1/banks/{banks.ids[bank]}/webhooks")
    assert "secret" not in listed.json()[0]  # shown once
    return endpoint


async def outcome_ids(banks: BanksWorld, bank: str) -> set[str]:
    rows = await banks.pool.fetch("SELECT payload FROM outbox WHERE event_type LIKE 'banks.Match%'")
    return {str(e.event_id) for e in map(lambda r: decode(bytes(r["payload"])), rows) if e.bank_id == banks.ids[bank]}


@pytest.fixture
def dispatcher(banks: BanksWorld) -> Iterator[subprocess.Popen[bytes]]:
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BANKS_DATABASE_URL": banks.dsn,
        "BANKS_WEBHOOK_RETRY_BASE_SECONDS": "1",
        "BANKS_WEBHOOK_RETRY_MAX_SECONDS": "8",
        "LOG_FORMAT": "json",
    }
    with (LOGS / "dispatcher.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "banks", "webhooks"], env=env, stdout=log, stderr=log)
    yield proc
    proc.terminate()
    assert proc.wait(timeout=30) == 0


async def test_each_bank_gets_exactly_its_own_events_and_a_receiver_down_for_two_minutes_loses_nothing(
    banks: BanksWorld, dispatcher, tokens, tmp_path: Path
) -> None:
    a_port, b_port = free_port(), free_port()
    endpoint_a, endpoint_b = await register(banks, "bank_a", a_port), await register(banks, "bank_b", b_port)
    receiver_a = Receiver("bank-a", endpoint_a["secret"], a_port)
    receiver_b = Receiver("bank-b", endpoint_b["secret"], b_port)
    receiver_a.start()
    receiver_b.start()
    try:
        sent_a: set[str] = set()
        for i in range(5):
            proposal = banks.proposal(officer="officer_a1" if i % 2 else "officer_a2")
            await banks.deliver(proposal)
            sent_a.add(str(proposal.event_id))
            if i < 3:
                officer = "officer_a1" if i % 2 else "officer_a2"
                path = f"/v1/matches/{proposal.match_id}"
                action = ("accept", {}) if i < 2 else ("decline", {"reason": "insufficient_information"})
                assert (await banks.call(officer, "POST", f"{path}/{action[0]}", json=action[1])).status_code == 200
        sent_b = set()
        for _ in range(2):
            proposal = banks.proposal(officer="officer_b1")
            await banks.deliver(proposal)
            sent_b.add(str(proposal.event_id))
        sent_a |= await outcome_ids(banks, "bank_a")
        assert len(sent_a) == 8
        await receiver_a.until(sent_a)
        await receiver_b.until(sent_b)

        # Bank A's receiver goes down for two minutes while its officers keep receiving proposals.
        receiver_a.stop()
        for _ in range(6):
            proposal = banks.proposal(officer="officer_a1")
            await banks.deliver(proposal)
            sent_a.add(str(proposal.event_id))
        await asyncio.sleep(DOWN_SECONDS)
        log = await banks.call(
            "bank_admin_a", "GET", f"/v1/webhooks/{endpoint_a['endpoint_id']}/deliveries?status=pending"
        )
        waiting = log.json()
        assert len(waiting) == 6
        assert all(d["attempts"] >= 3 and d["last_error"] for d in waiting)  # tried, and told why it failed
        receiver_a.start()
        await receiver_a.until(sent_a)
        await asyncio.sleep(2)  # anything sent twice would have arrived by now

        got_a, got_b = receiver_a.received(), receiver_b.received()
        ids_a = [r["id"] for r in got_a]
        assert sorted(ids_a) == sorted(sent_a)  # exactly its own events: none lost, none twice
        assert sorted(r["id"] for r in got_b) == sorted(sent_b)
        assert all(r["verified"] for r in got_a + got_b)  # every signature verifies
        for r in got_a:  # nothing of bank B in anything bank A received, in any field
            assert str(banks.ids["bank_b"]) not in r["body"]
            assert str(banks.ids["officer_b1"]) not in r["body"]
            assert json.loads(r["body"])["event_id"] == r["id"]

        # A tampered body fails verification with the endpoint's secret.
        sample = got_a[0]
        tampered = sample["body"].replace(str(banks.ids["bank_a"]), str(banks.ids["bank_b"]))
        Webhook(endpoint_a["secret"]).verify(sample["body"], sample["headers"])
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint_a["secret"]).verify(tampered, sample["headers"])
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint_b["secret"]).verify(sample["body"], sample["headers"])

        # The bank's own system: a service account's token reads the log and asks for one message again.
        key = tmp_path / "issuer.pem"
        key.write_bytes(tokens.private_pem)
        banks.app.state.banks_settings = BanksSettings(jwt_private_key_file=key)
        account = await banks.call(
            "bank_admin_a", "POST", f"/v1/banks/{banks.ids['bank_a']}/service-accounts", json={"name": "核心系统"}
        )
        assert account.status_code == 201, account.text
        grant = {"grant_type": "client_credentials", **{k: account.json()[k] for k in ("client_id", "client_secret")}}
        wrong = await banks.client.post("/v1/oauth/token", json={**grant, "client_secret": "guess"})
        assert wrong.status_code == 401
        issued = await banks.client.post("/v1/oauth/token", json=grant)
        assert issued.status_code == 200, issued.text
        system = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        log = await banks.client.get(f"/v1/webhooks/{endpoint_a['endpoint_id']}/deliveries", headers=system)
        assert sorted(str(d["message_id"]) for d in log.json()) == sorted(sent_a)
        assert {d["status"] for d in log.json()} == {"delivered"}
        other = await banks.client.get(f"/v1/webhooks/{endpoint_b['endpoint_id']}/deliveries", headers=system)
        assert other.status_code == 404  # another bank's endpoint does not exist for this system
        again = await banks.client.post(
            f"/v1/webhooks/{endpoint_a['endpoint_id']}/redeliver", json={"message_id": ids_a[0]}, headers=system
        )
        assert again.json() == {"queued": 1}
        for _ in range(50):
            if [r["id"] for r in receiver_a.received()].count(ids_a[0]) == 2:
                break
            await asyncio.sleep(0.2)
        assert [r["id"] for r in receiver_a.received()].count(ids_a[0]) == 2  # the same webhook-id: a receiver drops it
        assert all(UUID(i) for i in ids_a)
    finally:
        receiver_a.stop()
        receiver_b.stop()


async def test_an_endpoint_that_keeps_failing_is_disabled_and_its_messages_are_kept(banks: BanksWorld) -> None:
    endpoint = await register(banks, "bank_a", free_port())  # nobody listens there
    proposal = banks.proposal()
    await banks.deliver(proposal)
    settings = BanksSettings(
        webhook_retry_base_seconds=0.1, webhook_retry_max_seconds=0.2, webhook_disable_after_seconds=1
    )
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(40):
            await deliver_due(banks.pool, client, settings)
            found = await banks.call("bank_admin_a", "GET", f"/v1/banks/{banks.ids['bank_a']}/webhooks")
            if found.json()[0]["status"] == "disabled":
                break
            await asyncio.sleep(0.1)
    [disabled] = found.json()
    assert disabled["status"] == "disabled"
    assert disabled["disabled_reason"].startswith("failing since")
    log = await banks.call("bank_admin_a", "GET", f"/v1/webhooks/{endpoint['endpoint_id']}/deliveries")
    [kept] = log.json()
    assert (kept["message_id"], kept["status"]) == (str(proposal.event_id), "pending")
    assert kept["attempts"] >= 2
    assert kept["last_error"].startswith("ConnectError")
    # Nothing is attempted while it is disabled; enabling it and asking for the day's messages queues them again.
    async with httpx.AsyncClient(timeout=2) as client:
        assert await deliver_due(banks.pool, client, settings) == 0
    enabled = await banks.call("bank_admin_a", "POST", f"/v1/webhooks/{endpoint['endpoint_id']}/enable")
    assert enabled.json()["status"] == "enabled"
    since = (proposal.occurred_at - timedelta(minutes=1)).isoformat()
    again = await banks.call(
        "bank_admin_a", "POST", f"/v1/webhooks/{endpoint['endpoint_id']}/redeliver", json={"since": since}
    )
    assert again.json() == {"queued": 1}
    nothing = await banks.call("bank_admin_a", "POST", f"/v1/webhooks/{endpoint['endpoint_id']}/redeliver", json={})
    assert nothing.status_code == 422
    other = await banks.call("bank_admin_b", "GET", f"/v1/webhooks/{endpoint['endpoint_id']}/deliveries")
    assert other.status_code == 404
