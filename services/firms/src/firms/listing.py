"""The recommendation list (推荐清单): a town task force's list of firms and their needs from a visit campaign.

A coordinator uploads it as CSV or XLSX (the template's columns, Chinese headers). Every row is checked on its own —
USCC with its check character, town and chain, size class against the employees and revenue stated, amount and term,
the consent the firm signed (scope, date signed, valid until) — and answered: created, already present (the same firm
and need, listed before: nothing new), or refused with the field and the reason. A row is all or nothing: its firm
and its need are created together or not at all. A listed firm that is not registered gets a record keyed by its USCC
(`firm_id_of`), which the firm claims by logging in with that USCC and registering. Listed needs are routed like any
other (NeedSubmitted with source `recommendation_list`) and put on the coordination desk at once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError, field_validator

from contracts import firms as ev
from contracts.values import ConsentScope, SizeClass
from firms.adapters import postgres_listings as store
from firms.clock import today
from firms.domain.need import Milestone, check_terms
from firms.domain.size import SizeThresholds
from firms.domain.uscc import InvalidUscc, validate_uscc
from lianrong_platform import outbox
from lianrong_platform.auth import Principal
from lianrong_platform.db import Connection

PRODUCER = "firms"
THRESHOLDS = SizeThresholds.load()

# The firm record a listed USCC gets (and the id a login with that USCC names): the same USCC, the same firm.
LISTED_FIRMS = uuid.UUID("6f1c7d2e-3b52-4a57-9a0e-2f6d1e0b7c11")
MAX_ROWS = 50_000

# (key, header in the template, an example) — the order of the template's columns.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("uscc", "统一社会信用代码", "91441900MA4W1TPL8X"),
    ("legal_name", "企业名称", "东莞市华盛精密五金有限公司"),
    ("town", "镇街", "长安镇"),
    ("employees", "从业人数", "85"),
    ("revenue_last_year", "上年营业收入（元）", "32000000"),
    ("size_class", "企业规模", "小型"),
    ("contact_name", "联系人", "王芳"),
    ("contact_phone", "联系电话", "13800138000"),
    ("chain", "产业链", "智能移动终端"),
    ("amount", "融资需求金额（元）", "1200000"),
    ("term_months", "期限（月）", "12"),
    ("purpose", "用途", "采购原材料"),
    ("first_loan", "是否首贷", "是"),
    ("consent_scope", "授权范围", "产业链合作银行"),
    ("consent_signed_on", "授权签署日期", "2026-11-20"),
    ("consent_until", "授权有效期至", "2027-05-20"),
)
HEADERS = {header: key for key, header, _ in COLUMNS} | {key: key for key, _, _ in COLUMNS}
SIZE_NAMES = {
    "微型": "micro",
    "小型": "small",
    "中型": "medium",
    "micro": "micro",
    "small": "small",
    "medium": "medium",
}
SCOPE_NAMES = {
    "仅主办行": ConsentScope.LEAD_BANK_ONLY,
    "产业链合作银行": ConsentScope.CHAIN_BANKS,
    "所有符合条件的银行": ConsentScope.ANY_ELIGIBLE_BANK,
} | {s.value: s for s in ConsentScope}
YES = {"是", "y", "yes", "true", "1"}
NO = {"否", "n", "no", "false", "0", ""}


def firm_id_of(uscc: str) -> UUID:
    return uuid.uuid5(LISTED_FIRMS, uscc)


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header, _ in COLUMNS])
    writer.writerow([example for _, _, example in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()  # with a BOM, so a spreadsheet opens it as UTF-8


class RowProblem(Exception):
    def __init__(self, field: str, code: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.code, self.detail = field, code, detail


class ListedRow(BaseModel):
    """One row, checked; `row` is its line in the file (the header is line 1)."""

    row: int
    uscc: str
    legal_name: str = Field(min_length=2, max_length=200)
    town: str
    employees: int = Field(ge=0, le=10_000_000)
    revenue_last_year: Decimal = Field(ge=0, le=Decimal("1e13"), decimal_places=2)
    size_class: SizeClass
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: str = Field(pattern=r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
    chain: str
    amount: Decimal = Field(gt=0, le=Decimal("1e10"), decimal_places=2)
    term_months: int = Field(ge=1, le=360)
    purpose: str = Field(min_length=1, max_length=500)
    first_loan: bool
    consent_scope: ConsentScope
    consent_signed_on: date
    consent_until: date

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        return validate_uscc(value)

    @field_validator("size_class", mode="before")
    @classmethod
    def _size(cls, value: str) -> str:
        return SIZE_NAMES.get(str(value).strip(), str(value).strip())

    @field_validator("consent_scope", mode="before")
    @classmethod
    def _scope(cls, value: str) -> Any:
        return SCOPE_NAMES.get(str(value).strip(), str(value).strip())

    @field_validator("first_loan", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> Any:
        text = str(value).strip().lower()
        return True if text in YES else False if text in NO else value

    @property
    def list_key(self) -> str:
        """The same firm and need listed twice (another upload of the same list): one need."""
        parts = (self.uscc, self.chain, f"{self.amount:.2f}", str(self.term_months), self.consent_signed_on.isoformat())
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def rows_of(content: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows as {key: text}, with their line numbers; the header row may use keys or Chinese headers."""
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        yield from _xlsx_rows(content)
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030")  # what a Chinese spreadsheet saves as CSV by default
    reader = csv.reader(io.StringIO(text))
    yield from _keyed(enumerate(reader, start=1))


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    cells = ([_cell_text(v) for v in values] for values in sheet.iter_rows(values_only=True))
    yield from _keyed(enumerate(cells, start=1))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _keyed(lines: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    header: list[str | None] | None = None
    for number, values in lines:
        if header is None:
            header = [HEADERS.get(v.strip().lstrip("\ufeff")) for v in values]
            missing = [h for key, h, _ in COLUMNS if key not in header]
            if missing:
                raise RowProblem("header", "missing_columns", f"the header lacks: {', '.join(missing)}")
            continue
        if not any(v.strip() for v in values):
            continue
        yield number, {k: v.strip() for k, v in zip(header, values, strict=False) if k is not None}


def check_row(
    number: int,
    raw: dict[str, str],
    towns: dict[str, str],
    chains: dict[str, str],
    thresholds: SizeThresholds,
    today: date,
) -> ListedRow:
    """The row checked, or RowProblem naming the first field at fault (in the template's column order)."""
    values: dict[str, Any] = {"row": number, **raw}
    values["town"] = towns.get(raw.get("town", ""), "")
    values["chain"] = chains.get(raw.get("chain", ""), "")
    for key in ("amount", "revenue_last_year"):
        values[key] = _money(raw.get(key, ""), key)
    if not values["town"]:
        raise RowProblem("town", "unknown_town", f"{raw.get('town')!r} is not one of Dongguan's towns")
    if not values["chain"]:
        raise RowProblem("chain", "unknown_chain", f"{raw.get('chain')!r} is not a key chain")
    try:
        row = ListedRow.model_validate(values)
    except ValidationError as exc:
        error = min(exc.errors(), key=lambda e: _column(str(e["loc"][0])))
        field, cause = str(error["loc"][0]), error.get("ctx", {}).get("error")
        if isinstance(cause, InvalidUscc):
            raise RowProblem(field, cause.code, str(cause)) from exc
        raise RowProblem(field, error["type"], error["msg"].removeprefix("Value error, ")) from exc
    computed = thresholds.classify(row.employees, row.revenue_last_year)
    if computed is not row.size_class:
        raise RowProblem(
            "size_class",
            "size_class_mismatch",
            f"{row.employees} employees and this revenue make a {computed.value} firm",
        )
    if row.consent_signed_on > today or row.consent_signed_on < today - timedelta(days=366):
        raise RowProblem("consent_signed_on", "date_out_of_range", "the consent was signed in the last year, not later")
    if row.consent_until <= today or row.consent_until > row.consent_signed_on + timedelta(days=3 * 366):
        raise RowProblem("consent_until", "date_out_of_range", "the consent must still hold, for at most three years")
    return row


def _money(text: str, field: str) -> Decimal | str:
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return text  # refused by the model, with the field
    return value if value.is_finite() else text


def _column(key: str) -> int:
    return next((i for i, (k, _, _) in enumerate(COLUMNS) if k == key), len(COLUMNS))


# --- the upload ---------------------------------------------------------------------------------------------------
async def upload(conn: Connection, actor: Principal, content: bytes, filename: str) -> dict[str, Any]:
    """Check every row, then create what is new in the caller's transaction: a row's firm (when unregistered) and
    its need together, every event in the outbox. Returns the answer per row and the counts."""
    now_day = today()
    towns, chains = await store.names(conn)
    results: list[dict[str, Any]] = []
    valid: list[ListedRow] = []
    for number, raw in rows_of(content, filename):
        if len(results) >= MAX_ROWS:
            raise RowProblem("file", "too_many_rows", f"a list holds at most {MAX_ROWS} rows")
        try:
            row = check_row(number, raw, towns, chains, THRESHOLDS, now_day)
            if not actor.covers_town(row.town):
                raise RowProblem("town", "outside_scope", "this town is outside the coordinator's scope")
            terms = check_terms(
                ev.NeedTerms(
                    amount=row.amount,
                    term_months=row.term_months,
                    purpose=row.purpose,
                    product_types=("credit_loan", "order_loan"),
                    consent_scope=row.consent_scope,
                    consent_until=row.consent_until,
                ),
                now_day,
            )
        except RowProblem as problem:
            results.append(
                {
                    "row": number,
                    "result": "refused",
                    "field": problem.field,
                    "code": problem.code,
                    "detail": problem.detail,
                }
            )
            continue
        except Exception as exc:  # a rule of check_terms (DomainError) names its field as a pointer
            field = getattr(exc, "field", None) or "row"
            results.append(
                {
                    "row": number,
                    "result": "refused",
                    "field": field.lstrip("/"),
                    "code": getattr(exc, "code", "invalid"),
                    "detail": str(exc),
                }
            )
            continue
        valid.append(row)
        results.append({"row": number, "result": "pending", "uscc": row.uscc, "_terms": terms})
    seen: set[str] = set()
    already = await store.present(conn, [r.list_key for r in valid])
    firms = await store.firms_by_uscc(conn, sorted({r.uscc for r in valid}))
    list_id = uuid.uuid4()
    new_firms: list[tuple[Any, ...]] = []
    needs: list[tuple[Any, ...]] = []
    listed: list[tuple[Any, ...]] = []
    events: list[Any] = []
    timeline: list[tuple[Any, ...]] = []
    by_row = {r["row"]: r for r in results}
    for row in valid:
        answer = by_row[row.row]
        terms = answer.pop("_terms")
        if row.list_key in already or row.list_key in seen:
            answer["result"] = "present"
            continue
        seen.add(row.list_key)
        firm = firms.get(row.uscc)
        facts = ev.FirmFacts(
            town=row.town, employees=row.employees, revenue_last_year=row.revenue_last_year, size_class=row.size_class
        )
        if firm is None:
            firm_id = firm_id_of(row.uscc)
            firms[row.uscc] = {"firm_id": firm_id, "claimed": False}
            new_firms.append(
                (
                    firm_id,
                    row.uscc,
                    row.legal_name,
                    row.town,
                    row.employees,
                    row.revenue_last_year,
                    row.size_class.value,
                    row.contact_name,
                    row.contact_phone,
                )
            )
            events.append(
                ev.FirmRegistered(
                    producer=PRODUCER, firm_id=firm_id, uscc=row.uscc, legal_name=row.legal_name, facts=facts
                )
            )
        else:
            firm_id = firm["firm_id"]
            if firm.get("town"):  # a registered firm: its own facts, not the list's
                facts = ev.FirmFacts(
                    town=firm["town"],
                    employees=firm["employees"],
                    revenue_last_year=firm["revenue_last_year"],
                    size_class=firm["size_class"],
                )
        need_id = uuid.uuid4()
        position = ev.ChainPosition()
        needs.append(
            (
                need_id,
                firm_id,
                row.chain,
                terms.model_dump(mode="json"),
                row.first_loan,
                position.model_dump(mode="json"),
            )
        )
        listed.append(
            (
                row.list_key,
                need_id,
                firm_id,
                list_id,
                row.row,
                row.consent_scope.value,
                row.consent_signed_on,
                actor.subject,
            )
        )
        submitted = ev.NeedSubmitted(
            producer=PRODUCER,
            need_id=need_id,
            firm_id=firm_id,
            chain=row.chain,
            terms=terms,
            first_loan=row.first_loan,
            firm=facts,
            position=position,
            source="recommendation_list",
        )
        events.append(submitted)
        timeline.append(
            (
                need_id,
                submitted.event_id,
                submitted.occurred_at,
                Milestone.SUBMITTED.value,
                {"source": "recommendation_list"},
                submitted.correlation_id,
            )
        )
        answer.update(
            {
                "result": "created",
                "need_id": str(need_id),
                "firm_id": str(firm_id),
                "firm_registered": bool(firm and firm.get("claimed", True)),
            }
        )
    counts = {k: sum(1 for r in results if r["result"] == k) for k in ("created", "present", "refused")}
    await store.new_list(conn, list_id, actor.subject, filename, counts)
    if new_firms:
        await store.insert_unclaimed_firms(conn, new_firms)
    if needs:
        await store.insert_needs(conn, needs, listed)
        await store.timeline_entries(conn, timeline)
    if events:
        await outbox.record(conn, *events)
    return {"list_id": str(list_id), **counts, "rows": sorted(results, key=lambda r: r["row"])}
