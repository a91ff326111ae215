"""`python -m matcher plan --apply`: a re-plan of the needs left escalated, made with the same guarded writes and
events as streaming — within every line and officer's room, each placement recorded (kind `plan`) and replayable."""

from __future__ import annotations

import asyncio
import os
import sys

from contracts import banks as bank_ev

from .conftest import CHAIN, MatcherWorld, need_event
from .test_batches import every_line_holds
from .test_decision_record import explain_all


async def test_a_replan_places_escalated_needs_within_every_line_and_officer(matcher: MatcherWorld) -> None:
    bank = await matcher.add_bank("lead", "东莞农村商业银行", "lead", capacity="5000000", max_open=3)
    officer = bank.officers[0]
    away = bank_ev.OfficerProfile(name="东莞农村商业银行服务官1", chains=(CHAIN,), max_open_matches=3, available=False)
    await matcher.publish(
        bank_ev.OfficerChanged(producer="banks", officer_id=officer, bank_id=bank.bank_id, profile=away)
    )
    await matcher.wait_for("SELECT count(*) FROM officers WHERE profile->>'available' = 'false'", 1)
    needs = [need_event(amount=amount) for amount in ("2000000", "1500000", "1500000", "1000000", "900000")]
    await matcher.publish(*needs)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE status = 'escalated'", len(needs))  # nobody on duty

    back = away.model_copy(update={"available": True})
    await matcher.publish(
        bank_ev.OfficerChanged(producer="banks", officer_id=officer, bank_id=bank.bank_id, profile=back)
    )
    await matcher.wait_for("SELECT count(*) FROM officers WHERE profile->>'available' = 'true'", 1)
    # The escalated needs would wait for their next try (an hour here); the operator re-plans now.
    env = {**os.environ, "MATCHER_DATABASE_URL": matcher.dsn, "LOG_LEVEL": "WARNING"}
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "matcher", "plan", "5", "--apply", env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(command.communicate(), 120)
    assert command.returncode == 0
    report = out.decode()
    assert "5 open or escalated needs" in report
    assert "applied: 3 proposed, 0 left as they were" in report, report

    # The officer's room (3) binds before the line (5,000,000): the three placed are those worth most together.
    proposals = await matcher.pool.fetch("SELECT need_id, officer_id, reserved_amount FROM proposals")
    assert len(proposals) == 3
    assert {p["officer_id"] for p in proposals} == {officer}
    assert sum(p["reserved_amount"] for p in proposals) <= 5_000_000
    await every_line_holds(matcher.pool)
    statuses = dict(await matcher.pool.fetch("SELECT status, count(*) FROM needs GROUP BY status"))
    assert statuses == {"proposed": 3, "escalated": 2}
    for p in proposals:
        kinds = [e.type for e in await matcher.routed(p["need_id"])]
        assert kinds == ["matcher.NeedEscalated", "matcher.MatchProposed"]
    async with matcher.pool.acquire() as conn:
        explained = await explain_all(conn)
    assert sorted(d["kind"] for d in explained) == ["first"] * 5 + ["plan"] * 3
    assert all(d["reproduces"] for d in explained)
