"""The contract as a bank gets it: the lianrong-events wheel, built from this repository and installed alone in a
fresh virtual environment with a Kafka client and a JSON Schema validator, reads every event a demo run put on the
topics, decodes each, and validates each against the schema shipped inside the wheel: no failure."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts import TOPICS

from .stack import running_stack, seed_demo

REPO = Path(__file__).resolve().parents[1]

BANK_CONSUMER = """
import asyncio, json, sys
import jsonschema
from aiokafka import AIOKafkaConsumer, TopicPartition
import contracts
from contracts import decode
from contracts.published import schema_path

async def main(bootstrap, ranges):
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    read, failures, types = 0, [], {}
    try:
        parts = {TopicPartition(t, int(p)): (lo, hi) for t, ps in ranges.items() for p, (lo, hi) in ps.items()}
        consumer.assign([tp for tp, (lo, hi) in parts.items() if hi > lo])
        for tp, (lo, hi) in parts.items():
            if hi > lo:
                consumer.seek(tp, lo)
        left = {tp: hi for tp, (lo, hi) in parts.items() if hi > lo}
        while left:
            for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                for r in records:
                    if r.offset >= left.get(tp, -1):
                        continue
                    read += 1
                    raw = json.loads(r.value)
                    try:
                        event = decode(r.value)
                        schema = json.loads(schema_path(raw["type"], raw["version"]).read_text())
                        jsonschema.validate(raw, schema)
                        types[event.type] = types.get(event.type, 0) + 1
                    except Exception as exc:
                        failures.append(f"{raw.get('type')}: {exc}"[:300])
                    if r.offset + 1 >= left[tp]:
                        del left[tp]
    finally:
        await consumer.stop()
    print(json.dumps({"read": read, "failures": failures, "types": types, "module": contracts.__file__}))

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
"""


async def end_offsets(bootstrap: str) -> dict[str, dict[int, int]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        parts = [TopicPartition(t.name, p) for t in TOPICS for p in range(t.partitions)]
        ends = await consumer.end_offsets(parts)
        return {t.name: {tp.partition: ends[tp] for tp in parts if tp.topic == t.name} for t in TOPICS}
    finally:
        await consumer.stop()


async def run(*args: str, cwd: Path) -> str:
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    assert proc.returncode == 0, out.decode()
    return out.decode()


@pytest.fixture(scope="module")
async def bank_venv(tmp_path_factory) -> Path:
    """A fresh environment with nothing of this repository but the built wheel."""
    uv = shutil.which("uv")
    assert uv, "uv builds the wheel"
    root: Path = tmp_path_factory.mktemp("bank")
    await run(uv, "build", "--package", "lianrong-events", "--wheel", "-o", str(root / "dist"), cwd=REPO)
    [wheel] = (root / "dist").glob("lianrong_events-*.whl")
    await run(uv, "venv", "--python", sys.executable, str(root / "venv"), cwd=root)
    python = root / "venv" / "bin" / "python"
    await run(uv, "pip", "install", "--python", str(python), str(wheel), "aiokafka", "jsonschema", cwd=root)
    return python


async def test_a_bank_consumer_with_only_the_wheel_reads_and_validates_every_event_of_a_demo_run(
    infra, module_databases, tmp_path_factory, bank_venv: Path
) -> None:
    before = await end_offsets(infra.kafka_bootstrap_servers)
    state: Path = tmp_path_factory.mktemp("demo")
    async with running_stack(infra, module_databases, state) as stack:
        await seed_demo(stack)
        await asyncio.sleep(8)  # the demo's needs are matched, disclosed and counted
    after = await end_offsets(infra.kafka_bootstrap_servers)
    ranges = {t: {p: (before[t][p], after[t][p]) for p in after[t]} for t in after}
    script = bank_venv.parent.parent / "consumer.py"
    script.write_text(BANK_CONSUMER)
    out = await run(str(bank_venv), str(script), infra.kafka_bootstrap_servers, json.dumps(ranges), cwd=script.parent)
    report = json.loads(out.strip().splitlines()[-1])
    assert report["failures"] == []
    assert report["read"] == sum(hi - lo for ps in ranges.values() for lo, hi in ps.values()) > 100
    assert str(bank_venv.parent.parent) in report["module"]  # the wheel's copy, not this repository's
    assert {"firms.NeedSubmitted", "matcher.MatchProposed", "banks.ProductPublished"} <= set(report["types"])
