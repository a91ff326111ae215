"""`python -m bench.recommendation_list [--rows 24000]`: a town task force's list of 24,000 firms and needs (about the
size of Dongguan's financing white list) uploaded in one request to a running installation (`make run`), then
followed until the matcher has decided every listed need. Prints the upload's seconds (checked, created, committed)
and the seconds from the upload's start to the last decision — measured, not asserted.

Uses the installation's key (.state/keys) to act as a city-wide coordinator, and the portal-facing APIs on 8101/8103.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

from firms.clock import today
from firms.domain.size import SizeThresholds
from firms.domain.uscc import ALPHABET, check_character
from firms.listing import COLUMNS
from lianrong_platform.auth import Role
from lianrong_platform.auth.issue import TokenIssuer

FIRMS = os.environ.get("DEMO_FIRMS_URL", "http://127.0.0.1:8101")
TOWNS = ("changan", "humen", "houjie", "tangxia", "dalang", "songshan_lake")
SIZE_ZH = {"micro": "微型", "small": "小型", "medium": "中型"}


def campaign(rows: int, rng: random.Random) -> bytes:
    thresholds = SizeThresholds.load()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header, _ in COLUMNS])
    for _ in range(rows):
        first17 = "91441900" + "".join(rng.choices(ALPHABET, k=9))
        employees, revenue = rng.randint(5, 250), rng.randint(5, 300) * 100_000
        size = thresholds.classify(employees, Decimal(revenue)).value
        values = {
            "uscc": first17 + check_character(first17),
            "legal_name": f"东莞市清单企业{rng.randint(1, 10**9)}有限公司",
            "town": rng.choice(TOWNS),
            "employees": str(employees),
            "revenue_last_year": str(revenue),
            "size_class": SIZE_ZH.get(size, size),
            "contact_name": "联系人",
            "contact_phone": f"13{rng.randint(100000000, 999999999)}",
            "chain": "smart_terminal",
            "amount": str(rng.randint(10, 300) * 10_000),
            "term_months": str(rng.choice((6, 12, 24))),
            "purpose": "采购原材料",
            "first_loan": rng.choice(("是", "否")),
            "consent_scope": "any_eligible_bank",
            "consent_signed_on": today().isoformat(),
            "consent_until": (today() + timedelta(days=180)).isoformat(),
        }
        writer.writerow([values[key] for key, _, _ in COLUMNS])
    return out.getvalue().encode()


async def main(rows: int) -> None:
    state = Path(os.environ.get("LIANRONG_STATE", ".state"))
    token = TokenIssuer((state / "keys" / "jwt-private.pem").read_bytes()).issue(Role.COORDINATOR, "bench-desk")
    content = campaign(rows, random.Random(24_000))
    print(f"list: {rows} rows, {len(content) / 1e6:.1f} MB")
    matcher = await asyncpg.connect(os.environ["MATCHER_DATABASE_URL"])
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=600) as client:
        reply = await client.post(
            f"{FIRMS}/v1/recommendation-lists",
            files={"file": ("white-list.csv", content)},
            headers={"Authorization": f"Bearer {token}"},
        )
    uploaded = time.monotonic() - start
    answer = reply.json()
    print(
        f"upload answered {reply.status_code} in {uploaded:.1f} s: created {answer.get('created')}, "
        f"present {answer.get('present')}, refused {answer.get('refused')}"
    )
    need_ids = [r["need_id"] for r in answer.get("rows", []) if r.get("need_id")]
    decided = 0
    while decided < len(need_ids) and time.monotonic() - start < 1800:
        decided = await matcher.fetchval(
            "SELECT count(*) FROM needs WHERE need_id = ANY($1::uuid[]) AND status <> 'open'", need_ids
        )
        await asyncio.sleep(1)
    routed = time.monotonic() - start
    listed = await matcher.fetchval("SELECT count(*) FROM desk_items WHERE need_id = ANY($1::uuid[])", need_ids)
    print(
        f"every listed need decided by the matcher {routed:.1f} s after the upload began "
        f"({decided} of {len(need_ids)} decided, {listed} on the desk)"
    )
    await matcher.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.recommendation_list")
    parser.add_argument("--rows", type=int, default=24_000)
    asyncio.run(main(parser.parse_args().rows))
