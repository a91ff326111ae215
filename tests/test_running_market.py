"""The running system with the demo market, as its users meet it.

Boundaries between competing banks: an officer's proposals carry nothing of another bank (every field of every
payload is inspected), another bank's products and lines answer 404 to SMEs, chain masters and other banks' people,
and every candidate of every bank stays in the decision record, which only the regulator and the admin read.
One correlation id: an SME's POST is followed by its id through Kafka to the officer's inbox and the timeline."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from lianrong_platform.testing.kafka import read_topic

from .stack import Stack, running_stack, seed_demo


@dataclass
class Market:
    stack: Stack
    people: dict[str, dict[str, Any]]

    async def get(self, service: str, person: str, path: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.people[person]['token']}"}
        async with httpx.AsyncClient(base_url=self.stack.urls[service], headers=headers, timeout=30) as client:
            return await client.get(path)

    async def ok(self, service: str, person: str, path: str) -> Any:
        response = await self.get(service, person, path)
        assert response.status_code == 200, response.text
        return response.json()

    def first(self, role: str, **subject: str) -> str:
        return next(
            name
            for name, p in self.people.items()
            if p["role"] == role and all(p.get(k) == v for k, v in subject.items())
        )


@pytest.fixture(scope="module")
async def market(infra, module_databases, tmp_path_factory) -> AsyncIterator[Market]:
    state: Path = tmp_path_factory.mktemp("boundaries")
    async with running_stack(infra, module_databases, state) as stack:
        m = Market(stack, await seed_demo(stack))
        for _ in range(100):  # the demo's needs are being matched
            if await _proposals(m) >= 10:
                break
            await asyncio.sleep(0.3)
        yield m


async def _proposals(m: Market) -> int:
    total = 0
    for name, p in m.people.items():
        if p["role"] == "bank_admin":
            total += len(await m.ok("banks", name, "/v1/matches?limit=200"))
    return total


def strings_in(payload: Any) -> list[str]:
    """Every key and every value of a JSON document, as text."""
    if isinstance(payload, dict):
        return [s for k, v in payload.items() for s in (str(k), *strings_in(v))]
    if isinstance(payload, list):
        return [s for v in payload for s in strings_in(v)]
    return [str(payload)]


async def markers_by_bank(m: Market) -> dict[str, set[str]]:
    """What identifies each bank's things: its id and name, its products' ids and names, its officers' ids and
    names, read as the regulator and the admin may."""
    regulator, admin = m.first("regulator"), m.first("admin")
    found: dict[str, set[str]] = {}
    for bank in await m.ok("banks", admin, "/v1/banks"):
        bank_id = bank["bank_id"]
        marks = {bank_id, bank["name"]}
        for product in await m.ok("banks", regulator, f"/v1/banks/{bank_id}/products"):
            marks |= {product["product_id"], product["terms"]["name"]}
        for officer in await m.ok("banks", admin, f"/v1/banks/{bank_id}/officers"):
            marks |= {officer["officer_id"], officer["profile"]["name"]}
        found[bank_id] = marks
    return found


async def test_an_officers_proposals_carry_nothing_of_another_bank(market: Market) -> None:
    markers = await markers_by_bank(market)
    regulator = market.first("regulator")
    inspected = foreign_candidates = 0
    for name, person in market.people.items():
        if person["role"] != "officer":
            continue
        own = markers[person["bank_id"]]
        # Product names a bank shares with ours (several banks sell a "链融订单贷") identify nobody.
        foreign = {mark for bank, marks in markers.items() if bank != person["bank_id"] for mark in marks} - own
        for listed in await market.ok("banks", name, "/v1/matches?limit=200"):
            match = await market.ok("banks", name, f"/v1/matches/{listed['match_id']}")
            texts = strings_in(match) + strings_in(listed)
            leaks = sorted({mark for mark in foreign for text in texts if mark in text})
            assert leaks == [], f"{name} sees another bank's {leaks} in match {listed['match_id']}"
            assert all(e["bank_id"] == person["bank_id"] for e in match["proposal"].get("excluded", []))
            inspected += 1
            # The decision behind it did weigh other banks' products: the regulator's record keeps them.
            record = await market.ok("matcher", regulator, f"/v1/needs/{match['need_id']}/decisions")
            product_banks = {p: bank for bank, marks in markers.items() for p in marks if bank != person["bank_id"]}
            foreign_candidates += sum(1 for d in record for e in d["excluded"] if e["product_id"] in product_banks)
    assert inspected >= 10
    assert foreign_candidates > 0  # otherwise there was nothing to leak and the test proves nothing


async def test_another_banks_products_and_lines_are_not_found(market: Market) -> None:
    admin = market.first("admin")
    banks = [b["bank_id"] for b in await market.ok("banks", admin, "/v1/banks")]
    officer = market.first("officer")
    own_bank = market.people[officer]["bank_id"]
    other_bank = next(b for b in banks if b != own_bank)
    [product, *_] = await market.ok("banks", market.first("regulator"), f"/v1/banks/{other_bank}/products")
    callers = (market.first("sme"), market.first("chain_master"), officer, market.first("bank_admin"))
    for caller in callers:
        if market.people[caller].get("bank_id") == other_bank:
            continue
        for path in (f"/v1/banks/{other_bank}/products", f"/v1/products/{product['product_id']}"):
            response = await market.get("banks", caller, path)
            assert response.status_code == 404, (caller, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        for path in (f"/v1/chain-lines?bank_id={other_bank}", f"/v1/banks/{other_bank}/exclusions"):
            assert (await market.get("matcher", caller, path)).status_code == 404, (caller, path)
        assert (await market.get("matcher", caller, f"/v1/needs/{product['product_id']}/decisions")).status_code == 404
        # Who leads which chain is public; the whole-chain credit line is the bank's own business.
        for designation in await market.ok("banks", caller, "/v1/designations"):
            if designation["bank_id"] != market.people[caller].get("bank_id"):
                assert designation["chain_credit_line"] is None
    # The officer reads their own bank's products, lines and chain line use; the regulator every bank's.
    assert await market.ok("banks", officer, f"/v1/banks/{own_bank}/products")
    own_lines = await market.ok("matcher", officer, "/v1/chain-lines")
    assert {line["bank_id"] for line in own_lines} <= {own_bank}
    every = await market.ok("matcher", market.first("regulator"), "/v1/chain-lines")
    assert len({line["bank_id"] for line in every}) > 1
    lines = [d["chain_credit_line"] for d in await market.ok("banks", market.first("regulator"), "/v1/designations")]
    assert any(line is not None for line in lines)


async def test_one_correlation_id_follows_a_need_from_the_post_to_the_officer_and_the_timeline(
    market: Market, infra
) -> None:
    sme = market.first("sme")
    firm_id = market.people[sme]["firm_id"]
    [link, *_] = [x for x in await market.ok("firms", sme, f"/v1/firms/{firm_id}/links") if x["status"] == "confirmed"]
    correlation_id = str(uuid.uuid4())
    body = {
        "chain": link["chain"],
        "amount": "600000",
        "term_months": 12,
        "purpose": "采购原材料",
        "product_types": ["order_loan", "credit_loan"],
        "collateral": ["none"],
        "consent_scope": "any_eligible_bank",
        "consent_until": "2030-12-31",
        "first_loan": False,
    }
    headers = {
        "Authorization": f"Bearer {market.people[sme]['token']}",
        "Idempotency-Key": str(uuid.uuid4()),
        "X-Correlation-Id": correlation_id,
    }
    async with httpx.AsyncClient(base_url=market.stack.urls["firms"], headers=headers) as client:
        created = await client.post("/v1/needs", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["x-correlation-id"] == correlation_id
    need_id = created.json()["need_id"]

    # The SME's timeline: the submission and the match, each under the POST's id.
    for _ in range(100):
        need = await market.ok("firms", sme, f"/v1/needs/{need_id}")
        if any(e["milestone"] == "matched" for e in need["timeline"]):
            break
        await asyncio.sleep(0.2)
    entries = {e["milestone"]: e for e in need["timeline"]}
    assert {entries[m]["correlation_id"] for m in ("submitted", "matched")} == {correlation_id}

    # The officer's inbox: the match the matcher proposed, with the firm's identity disclosed under the same id.
    match_id = entries["matched"]["detail"]["match_id"]
    chosen = await _match_as_regulator(market, need_id)
    officer = next(n for n, p in market.people.items() if p.get("officer_id") == chosen["officer_id"])
    match = await market.ok("banks", officer, f"/v1/matches/{match_id}")
    assert match["correlation_id"] == correlation_id

    # On the wire: every event about the need carries it in its envelope and as a Kafka header.
    seen: dict[str, str] = {}
    for topic in ("firms.need-events", "matcher.match-events", "firms.disclosures"):
        for record in await read_topic(infra.kafka_bootstrap_servers, topic, expect=10**9, within_s=3, settle_s=0):
            if record.key == need_id.encode():
                header = dict(record.headers)["correlation_id"].decode()
                payload = json.loads(record.value)
                assert header == payload["correlation_id"] == correlation_id, (topic, payload["type"])
                seen[payload["type"]] = header
    assert {"firms.NeedSubmitted", "matcher.MatchProposed"} <= set(seen)


async def _match_as_regulator(market: Market, need_id: str) -> dict[str, Any]:
    """The officer the need was proposed to, from the decision record the regulator reads."""
    for _ in range(50):
        response = await market.get("matcher", market.first("regulator"), f"/v1/needs/{need_id}/decisions")
        if response.status_code == 200 and response.json()[0]["choice"]:
            return dict(response.json()[0]["choice"])
        await asyncio.sleep(0.2)
    raise AssertionError("the need was never proposed")
