"""Every acknowledged need checked against every database and topic, as an examiner would, after the faults.

- lost: an acknowledged need missing from the firms database, its topic, the matcher (or left undecided), or the
  oversight counts; a proposal of the matcher that the banks service never received.
- duplicate effects: a request applied twice (two needs for one Idempotency-Key), two proposals of one attempt,
  a need counted twice by oversight.
- G1a (aborted read): anything downstream — an event on the log, a matcher need, a bank's match — about a need or
  proposal whose writing transaction never committed.
- over-commit: a product line, a whole-chain line or an officer's load beyond what its live proposals hold.
- dead letters: messages any consumer gave up on.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from chaos.load import Load
from contracts import TOPICS, dead_letter_topic, decode
from contracts.firms import NEED_EVENTS
from contracts.matcher import MATCH_EVENTS
from lianrong_platform.kafka.topics import SERVICE_GROUPS
from oversight.domain.cells import SUBMITTED

LIVE = "('open', 'accepted', 'approved')"


@dataclass
class Reconciliation:
    figures: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def put(self, name: str, items: set[str] | list[str] | int) -> None:
        if isinstance(items, int):
            self.figures[name] = items
            return
        self.figures[name] = len(items)
        if items:
            self.examples[name] = sorted(items)[:5]

    def total(self, prefix: str) -> int:
        return sum(v for k, v in self.figures.items() if k.startswith(prefix))


async def read_topic(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every event on `topic`, from its first offset to its end now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        count = next(t.partitions for t in TOPICS if t.name == topic)
        partitions = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        events: list[dict[str, Any]] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    if record.value is not None:
                        events.append(json.loads(decode(record.value).model_dump_json()))
        return events
    finally:
        await consumer.stop()


async def dead_letters(bootstrap: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(dead_letter_topic(group), 0) for group in SERVICE_GROUPS]
        first = await consumer.beginning_offsets(partitions)
        last = await consumer.end_offsets(partitions)
        return sum(last[tp] - first[tp] for tp in partitions)
    finally:
        await consumer.stop()


async def _fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def reconcile(load: Load) -> Reconciliation:
    r = Reconciliation()
    env = os.environ
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    acked = {s.need_id for s in load.sent if s.need_id}
    marker = f"故障演练 {load.run_id}-"

    # firms: the system of record of needs
    firm_rows = await _fetch(env["FIRMS_DATABASE_URL"], "SELECT need_id::text, terms->>'purpose' AS purpose FROM needs")
    firm_needs = {row["need_id"] for row in firm_rows}
    per_request = Counter(row["purpose"] for row in firm_rows if (row["purpose"] or "").startswith(marker))
    r.put("lost.firms_database", acked - firm_needs)
    r.put("duplicate.needs_per_idempotency_key", {p for p, n in per_request.items() if n > 1})
    applied = {f"{marker}{s.number}" for s in load.sent if s.outcome == "indeterminate"} & set(per_request)
    r.put("indeterminate_applied", applied)
    # An answer that said "not taken" (4xx) must be true: such a request has no row.
    refused = {f"{marker}{s.number}" for s in load.sent if s.outcome == "failed"} & set(per_request)
    r.put("untrue.refused_yet_applied", refused)

    # the log
    need_log = await read_topic(bootstrap, NEED_EVENTS)
    submitted = {e["need_id"] for e in need_log if e["type"] == "firms.NeedSubmitted"}
    deliveries = Counter(e["event_id"] for e in need_log)
    r.put("lost.need_topic", acked - submitted)
    r.put("g1a.need_topic", submitted - firm_needs)
    r.put("log_redeliveries", sum(n - 1 for n in deliveries.values()))
    match_log = await read_topic(bootstrap, MATCH_EVENTS)
    proposed_on_log = {e["match_id"] for e in match_log if e["type"] == "matcher.MatchProposed"}

    # matcher: every acknowledged need decided, each attempt proposed once, no line beyond its reservations
    matcher = env["MATCHER_DATABASE_URL"]
    decided = await _fetch(matcher, "SELECT need_id::text, status FROM needs")
    status = {row["need_id"]: row["status"] for row in decided}
    r.put("lost.matcher", {n for n in acked if n not in status})
    r.put("undecided.matcher", {n for n in acked if status.get(n) == "open"})
    r.put("g1a.matcher_needs", set(status) - firm_needs)
    proposals = await _fetch(matcher, "SELECT match_id::text, need_id::text, attempt FROM proposals")
    per_attempt = Counter((row["need_id"], row["attempt"]) for row in proposals)
    r.put("duplicate.proposals_per_attempt", {f"{n}#{a}" for (n, a), k in per_attempt.items() if k > 1})
    matcher_proposals = {row["match_id"] for row in proposals}
    r.put("g1a.match_topic", proposed_on_log - matcher_proposals)
    r.put("lost.match_topic", matcher_proposals - proposed_on_log)
    lines = await _fetch(
        matcher,
        f"""SELECT p.product_id::text, p.capacity, p.reserved, p.disbursed,
                   coalesce((SELECT sum(reserved_amount) FROM proposals x
                             WHERE x.product_id = p.product_id AND x.status IN {LIVE}), 0) AS held
              FROM products p""",
    )
    beyond = {row["product_id"] for row in lines if row["reserved"] + row["disbursed"] > row["capacity"]}
    r.put("overcommit.product_lines", beyond)
    r.put(
        "ledger.product_reserved_vs_live_proposals",
        {row["product_id"] for row in lines if row["reserved"] != row["held"]},
    )
    chains = await _fetch(
        matcher,
        """SELECT bank_id::text || '/' || chain AS k FROM chain_lines
            WHERE line IS NOT NULL AND reserved + disbursed > line""",
    )
    r.put("overcommit.chain_lines", {row["k"] for row in chains})
    officers = await _fetch(
        matcher,
        """SELECT o.officer_id::text FROM officers o
             WHERE o.open_matches <> (SELECT count(*) FROM proposals x WHERE x.officer_id = o.officer_id
                                      AND x.status IN ('open', 'accepted'))""",
    )
    r.put("ledger.officer_load_vs_live_proposals", {row["officer_id"] for row in officers})

    # banks: every proposal received once, none that was never made
    banks = await _fetch(env["BANKS_DATABASE_URL"], "SELECT match_id::text, need_id::text FROM matches")
    bank_matches = {row["match_id"] for row in banks}
    bank_needs = {row["need_id"] for row in banks}
    r.put("lost.banks_matches", matcher_proposals - bank_matches)
    r.put("g1a.banks_matches", bank_matches - matcher_proposals)
    r.put("g1a.banks_needs", bank_needs - firm_needs)

    # oversight: every need counted once
    oversight = env["OVERSIGHT_DATABASE_URL"]
    keys = (await _fetch(oversight, "SELECT count(*) AS n FROM need_keys"))[0]["n"]
    counted = (await _fetch(oversight, "SELECT coalesce(sum(count), 0) AS n FROM facts WHERE metric = $1", SUBMITTED))[
        0
    ]["n"]
    r.put("lost.oversight_needs", max(0, len(firm_needs) - keys))
    r.put("duplicate.oversight_needs", max(0, keys - len(firm_needs)))
    r.put("lost.oversight_submitted", max(0, len(firm_needs) - int(counted)))
    r.put("duplicate.oversight_submitted", max(0, int(counted) - len(firm_needs)))

    r.put("dead_letters", await dead_letters(bootstrap))
    return r
