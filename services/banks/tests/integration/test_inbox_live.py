"""A match proposal published to Kafka appears in the right officer's inbox and on their live stream."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import uvicorn

from banks.bootstrap import SPEC
from lianrong_platform.testing.kafka import running_consumer
from lianrong_platform.testing.ports import free_port

from .conftest import BanksWorld


async def first_match_event(response: httpx.Response, match_id: str) -> float:
    async for line in response.aiter_lines():
        if line.startswith("data: ") and json.loads(line[6:])["match_id"] == match_id:
            return time.perf_counter()
    raise AssertionError("the stream ended")


def banks_consumer(infra, banks: BanksWorld):
    return running_consumer(
        infra.kafka_bootstrap_servers, banks.pool, SPEC.handlers, SPEC.consumes, group_prefix="banks"
    )


async def test_a_proposal_reaches_the_officers_inbox_and_live_stream_within_a_second(infra, banks: BanksWorld) -> None:
    # A real HTTP server: the live stream is a long-lived streaming response.
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(banks.app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    try:
        async with banks_consumer(infra, banks) as matcher:
            for _ in range(200):  # uvicorn offers no event to await
                if server.started:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1)  # the consumer has joined its group and is polling
            proposal = banks.proposal()
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
                client.stream("GET", "/v1/matches/stream", headers=banks.headers["officer_a1"]) as stream,
            ):
                assert stream.headers["content-type"].startswith("text/event-stream")
                waiting = asyncio.create_task(first_match_event(stream, str(proposal.match_id)))
                await asyncio.sleep(0.2)
                sent = time.perf_counter()
                await matcher.publish(proposal)
                latency = await asyncio.wait_for(waiting, 10) - sent
        print(f"\nproposal → officer's live stream: {latency * 1000:.0f} ms")
        assert latency < 1.0

        mine = (await banks.call("officer_a1", "GET", "/v1/matches")).json()
        assert [m["match_id"] for m in mine] == [str(proposal.match_id)]
        assert mine[0]["proposal"]["officer_name"] == "李伟"
        assert (await banks.call("officer_a2", "GET", "/v1/matches")).json() == []
        assert (await banks.call("officer_b1", "GET", "/v1/matches")).json() == []
        assert len((await banks.call("bank_admin_a", "GET", "/v1/matches")).json()) == 1
        assert (await banks.call("bank_admin_b", "GET", "/v1/matches")).json() == []
    finally:
        server.should_exit = True
        await serving


async def test_a_replayed_proposal_creates_no_second_inbox_entry(infra, banks: BanksWorld) -> None:
    proposal = banks.proposal()
    republished = proposal.model_copy(update={"event_id": uuid.uuid4()})  # the same match, a new event id
    async with banks_consumer(infra, banks) as matcher:
        await matcher.publish(proposal, proposal, republished)
        for _ in range(100):
            seen = await banks.pool.fetchval(
                "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", [proposal.event_id, republished.event_id]
            )
            if seen == 2:
                break
            await asyncio.sleep(0.1)
    assert await banks.pool.fetchval("SELECT count(*) FROM matches WHERE match_id = $1", proposal.match_id) == 1
    assert len((await banks.call("officer_a1", "GET", "/v1/matches")).json()) == 1
