"""整链授信: a bank's whole-chain credit line caps what all its products commit for the chain's needs — with two
more matcher instances in the group and one of them SIGKILLed mid-stream, exactly as product lines are kept."""

from __future__ import annotations

import asyncio
import signal
from decimal import Decimal

from contracts import decode
from contracts import matcher as ev

from .conftest import MatcherWorld, need_event
from .test_scale_out import instance

SLA_SECONDS = 86400  # nobody's deadline passes during this test: every proposal stays live
NEEDS = 60  # 100万 each: 6,000万 of demand
CHAIN_LINE = Decimal("10000000")  # the lead bank's 1,000万 for the chain, over three products of 800万 each


async def test_a_whole_chain_line_is_never_overcommitted_by_two_instances_one_killed(
    infra, matcher: MatcherWorld
) -> None:
    lead = await matcher.add_bank(
        "lead", "东莞农村商业银行", "lead", capacity="8000000", products=3, officers=2, chain_line=str(CHAIN_LINE)
    )
    coop = await matcher.add_bank("coop", "工商银行东莞分行", "cooperating", capacity="5000000", officers=2)
    await matcher.wait_for("SELECT count(*) FROM chain_lines WHERE line IS NOT NULL", 1)
    a, b = instance("chain-a", matcher, infra), instance("chain-b", matcher, infra)
    try:
        await asyncio.sleep(3)  # both have joined the group and share the partitions
        needs = [need_event() for _ in range(NEEDS)]
        for i, need in enumerate(needs):
            await matcher.publish(need)
            if i == NEEDS // 3:
                a.send_signal(signal.SIGKILL)
                a.wait(timeout=10)
            await asyncio.sleep(0.01)
        await matcher.wait_for(
            "SELECT count(*) FROM needs WHERE status IN ('proposed', 'escalated')", NEEDS, within_s=90
        )

        per_need = await matcher.pool.fetch("SELECT need_id, count(*) AS n FROM proposals GROUP BY need_id")
        assert max(r["n"] for r in per_need) == 1, "a need was matched twice"
        by_bank = dict(await matcher.pool.fetch("SELECT bank_id, sum(reserved_amount) FROM proposals GROUP BY bank_id"))
        # The lead bank's three products could hold 2,400万; its chain line lets them hold 1,000万, no more.
        assert by_bank[lead.bank_id] == CHAIN_LINE
        assert by_bank[coop.bank_id] == Decimal("5000000")
        line = await matcher.pool.fetchrow("SELECT * FROM chain_lines WHERE bank_id = $1", lead.bank_id)
        assert line["line"] == CHAIN_LINE
        assert line["reserved"] + line["disbursed"] == CHAIN_LINE
        products = await matcher.pool.fetchval("SELECT sum(reserved) FROM products WHERE bank_id = $1", lead.bank_id)
        assert products == CHAIN_LINE
        assert len(per_need) == 15

        events = [decode(bytes(r["payload"])) for r in await matcher.pool.fetch("SELECT payload FROM outbox")]
        escalations = [e for e in events if isinstance(e, ev.NeedEscalated)]
        assert len(escalations) == NEEDS - 15
        # The lead bank's products are stopped by its chain line (their own lines still have room), the
        # cooperating bank's by its product line; no figure of either line is told to the SME.
        last = escalations[-1]
        assert {(r.code, r.products, tuple(r.params)) for r in last.reasons} == {
            ("chain_line_insufficient", 3, ()),
            ("line_insufficient", 1, ()),
        }
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
