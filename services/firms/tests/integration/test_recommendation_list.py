"""推荐清单: a coordinator uploads a visit campaign's list (CSV or XLSX). 1,000 rows with 50 bad ones of ten kinds:
950 created, 50 refused with the field and the reason, nothing half-created; the same file again creates nothing;
the listed needs are published as listed, and a listed firm claims its record by logging in with its USCC."""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook

from contracts import decode
from firms.clock import today
from firms.domain.size import SizeThresholds
from firms.listing import COLUMNS, firm_id_of
from lianrong_platform.auth import Role

from .conftest import FirmsWorld, firm_body
from .uscc import new_uscc

THRESHOLDS = SizeThresholds.load()
SIZE_ZH = {"micro": "微型", "small": "小型", "medium": "中型"}

# Ten kinds of bad row: the column at fault and the code the answer must carry.
BAD = (
    ("uscc", lambda r: r | {"uscc": r["uscc"][:-1] + ("0" if r["uscc"][-1] != "0" else "1")}, "uscc_check_character"),
    ("town", lambda r: r | {"town": "火星镇"}, "unknown_town"),
    (
        "size_class",
        lambda r: r | {"size_class": "中型" if r["size_class"] != "中型" else "微型"},
        "size_class_mismatch",
    ),
    ("amount", lambda r: r | {"amount": "一百万"}, "decimal_parsing"),
    ("term_months", lambda r: r | {"term_months": "0"}, "greater_than_equal"),
    ("contact_phone", lambda r: r | {"contact_phone": "1391234"}, "string_pattern_mismatch"),
    ("chain", lambda r: r | {"chain": "造船"}, "unknown_chain"),
    (
        "consent_signed_on",
        lambda r: r | {"consent_signed_on": (today() + timedelta(days=3)).isoformat()},
        "date_out_of_range",
    ),
    ("consent_until", lambda r: r | {"consent_until": (today() - timedelta(days=1)).isoformat()}, "date_out_of_range"),
    ("purpose", lambda r: r | {"purpose": ""}, "string_too_short"),
)


def good_row(rng: random.Random) -> dict[str, str]:
    employees, revenue = rng.randint(5, 250), rng.randint(1, 300) * 100_000
    size = THRESHOLDS.classify(employees, Decimal(revenue)).value
    return {
        "uscc": new_uscc(),
        "legal_name": f"东莞市{rng.choice('华盛联创恒达')}{rng.randint(1, 999)}科技有限公司",
        "town": rng.choice(("长安镇", "changan")),
        "employees": str(employees),
        "revenue_last_year": f"{revenue:,}",
        "size_class": SIZE_ZH.get(size, size),
        "contact_name": "王芳",
        "contact_phone": f"13{rng.randint(100000000, 999999999)}",
        "chain": rng.choice(("智能移动终端", "smart_terminal")),
        "amount": str(rng.randint(10, 300) * 10_000),
        "term_months": str(rng.choice((6, 12, 24))),
        "purpose": "采购原材料",
        "first_loan": rng.choice(("是", "否")),
        "consent_scope": rng.choice(("产业链合作银行", "any_eligible_bank")),
        "consent_signed_on": (today() - timedelta(days=rng.randint(0, 60))).isoformat(),
        "consent_until": (today() + timedelta(days=180)).isoformat(),
    }


def campaign(seed: int) -> tuple[list[dict[str, str]], dict[int, tuple[str, str]]]:
    """1,000 rows; every 20th is bad (five of each kind). Returns the rows and, by line, the expected refusal."""
    rng = random.Random(seed)
    rows, bad = [], {}
    for i in range(1000):
        row = good_row(rng)
        if i % 20 == 7:
            field, spoil, code = BAD[(i // 20) % len(BAD)]
            row = spoil(row)
            bad[i + 2] = (field, code)  # the header is line 1
        rows.append(row)
    return rows, bad


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in rows:
        writer.writerow([row[key] for key, _, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([header for _, header, _ in COLUMNS])
    for row in rows:
        sheet.append(
            [int(row[k]) if k in ("employees", "term_months") and row[k].isdigit() else row[k] for k, _, _ in COLUMNS]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def coordinator(firms: FirmsWorld, tokens) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {tokens.issuer.issue(Role.COORDINATOR, 'changan-task-force', towns=('changan',))}"
    }


@pytest.mark.parametrize(("kind", "encode", "filename"), [("csv", as_csv, "清单.csv"), ("xlsx", as_xlsx, "清单.xlsx")])
async def test_a_list_of_1000_with_50_bad_rows_creates_950_refuses_50_and_again_creates_nothing(
    firms: FirmsWorld, coordinator: dict[str, str], kind: str, encode, filename: str
) -> None:
    rows, bad = campaign(seed=len(kind))
    content = encode(rows)
    first = await firms.client.post(
        "/v1/recommendation-lists", files={"file": (filename, content)}, headers=coordinator
    )
    assert first.status_code == 201, first.text
    answer = first.json()
    assert (answer["created"], answer["present"], answer["refused"]) == (950, 0, 50)
    refused = {r["row"]: (r["field"], r["code"]) for r in answer["rows"] if r["result"] == "refused"}
    assert refused == bad
    assert all(r["detail"] for r in answer["rows"] if r["result"] == "refused")

    listed = await firms.pool.fetchval("SELECT count(*) FROM listed_needs")
    needs = await firms.pool.fetchval("SELECT count(*) FROM needs n JOIN listed_needs l USING (need_id)")
    unclaimed = await firms.pool.fetchval("SELECT count(*) FROM firms WHERE NOT claimed")
    assert (listed, needs, unclaimed) == (950, 950, 950)
    published = [decode(bytes(p["payload"])) for p in await firms.pool.fetch("SELECT payload FROM outbox ORDER BY id")]
    submitted = [e for e in published if e.type == "firms.NeedSubmitted"]
    assert len(submitted) == 950
    assert {e.source for e in submitted} == {"recommendation_list"}  # type: ignore[attr-defined]
    assert sum(1 for e in published if e.type == "firms.FirmRegistered") == 950 + 3  # the fixture's 3 firms

    again = (
        await firms.client.post("/v1/recommendation-lists", files={"file": (filename, content)}, headers=coordinator)
    ).json()
    assert (again["created"], again["present"], again["refused"]) == (0, 950, 50)
    assert await firms.pool.fetchval("SELECT count(*) FROM needs n JOIN listed_needs l USING (need_id)") == 950
    assert await firms.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'firms.NeedSubmitted'") == 950


async def test_rows_outside_the_coordinators_towns_are_refused_and_only_coordinators_upload(
    firms: FirmsWorld, tokens
) -> None:
    rows, _ = campaign(seed=9)
    humen = {"Authorization": f"Bearer {tokens.issuer.issue(Role.COORDINATOR, 'humen', towns=('humen',))}"}
    answer = (
        await firms.client.post("/v1/recommendation-lists", files={"file": ("a.csv", as_csv(rows[:5]))}, headers=humen)
    ).json()
    assert {(r["result"], r.get("code")) for r in answer["rows"]} == {("refused", "outside_scope")}
    for who in ("sme_a", "regulator", "officer"):
        response = await firms.call(
            who, "POST", "/v1/recommendation-lists", files={"file": ("a.csv", as_csv(rows[:1]))}
        )
        assert response.status_code == 403, who
    assert await firms.pool.fetchval("SELECT count(*) FROM listed_needs") == 0


async def test_a_file_that_is_not_a_list_is_one_clear_error(firms: FirmsWorld, coordinator) -> None:
    no_header = await firms.client.post(
        "/v1/recommendation-lists", files={"file": ("x.csv", b"a,b\n1,2\n")}, headers=coordinator
    )
    assert no_header.status_code == 422
    assert no_header.json()["errors"][0]["code"] == "missing_columns"
    garbage = await firms.client.post(
        "/v1/recommendation-lists", files={"file": ("x.xlsx", b"PK\x03\x04garbage")}, headers=coordinator
    )
    assert garbage.status_code == 422
    assert garbage.json()["errors"][0]["code"] == "unreadable_file"
    template = await firms.client.get("/v1/recommendation-lists/template.csv")
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0].startswith("统一社会信用代码,企业名称,镇街")


async def test_a_listed_firm_claims_its_record_by_logging_in_with_its_uscc(
    firms: FirmsWorld, coordinator, tokens
) -> None:
    rows, _ = campaign(seed=5)
    row = rows[0]
    await firms.client.post("/v1/recommendation-lists", files={"file": ("a.csv", as_csv([row]))}, headers=coordinator)
    firm_id = firm_id_of(row["uscc"])
    owner = {"Authorization": f"Bearer {tokens.issuer.issue(Role.SME, 'owner', firm_id=firm_id)}"}
    claimed = await firms.client.post(
        "/v1/firms", json=firm_body(uscc=row["uscc"], legal_name="东莞市华盛科技有限公司"), headers=owner
    )
    assert claimed.status_code == 201, claimed.text
    assert claimed.json()["legal_name"] == "东莞市华盛科技有限公司"
    assert await firms.pool.fetchval("SELECT claimed FROM firms WHERE firm_id = $1", firm_id) is True
    [need] = (await firms.client.get("/v1/needs", headers=owner)).json()  # the listed need is the owner's now
    assert need["terms"]["amount"] == f"{Decimal(row['amount']):.2f}"
    stranger = {"Authorization": f"Bearer {tokens.issuer.issue(Role.SME, 'x', firm_id=uuid.uuid4())}"}
    taken = await firms.client.post("/v1/firms", json=firm_body(uscc=row["uscc"]), headers=stranger)
    assert taken.status_code == 409


async def test_a_town_task_force_reads_whom_to_call_for_its_listed_firms_and_no_other(
    firms: FirmsWorld, coordinator, tokens
) -> None:
    """A coordinator sees the name, USCC and contact of a firm the mechanism put before them (listed in their town);
    another town's coordinator, and any firm not on the desk, answer 404."""
    rows, _ = campaign(seed=11)
    row = rows[0]
    await firms.client.post("/v1/recommendation-lists", files={"file": ("a.csv", as_csv([row]))}, headers=coordinator)
    firm_id = firm_id_of(row["uscc"])
    seen = await firms.client.get(f"/v1/desk-firms/{firm_id}", headers=coordinator)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert (body["legal_name"], body["uscc"], body["town"]) == (row["legal_name"], row["uscc"], "changan")
    assert body["contact"] == {"name": row["contact_name"], "phone": row["contact_phone"]}
    assert body["on_desk_because"] == ["listed"]
    humen = {"Authorization": f"Bearer {tokens.issuer.issue(Role.COORDINATOR, 'humen', towns=('humen',))}"}
    assert (await firms.client.get(f"/v1/desk-firms/{firm_id}", headers=humen)).status_code == 404
    city = {"Authorization": f"Bearer {tokens.issuer.issue(Role.COORDINATOR, 'city')}"}
    assert (await firms.client.get(f"/v1/desk-firms/{firm_id}", headers=city)).status_code == 200
    registered = await firms.pool.fetchval("SELECT firm_id FROM firms WHERE claimed LIMIT 1")  # never on the desk
    assert (await firms.client.get(f"/v1/desk-firms/{registered}", headers=city)).status_code == 404
    for who in ("sme_a", "regulator", "officer"):
        assert (await firms.call(who, "GET", f"/v1/desk-firms/{firm_id}")).status_code == 403, who
