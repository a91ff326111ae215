"""HTTP routes of the coordination desk (融资需求调度): a coordinator's queue of the needs nobody answered in their
towns, and what they can do with each. Items outside a coordinator's towns answer 404, as if they did not exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.matcher import DeskOutcome
from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.db import Connection
from lianrong_platform.http.problems import NotFound, Problem
from lianrong_platform.http.transaction import transaction
from matcher import desk
from matcher.adapters import postgres_decisions as decisions
from matcher.domain.record import excluded_products
from matcher.settings import MatcherSettings

router = APIRouter(prefix="/v1/desk", tags=["coordination desk (融资需求调度)"])

Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
Reader = Annotated[Principal, Depends(require(Role.COORDINATOR, Role.REGULATOR, Role.ADMIN))]
Note = Annotated[str, Field(default="", max_length=2000)]


@cache
def settings() -> MatcherSettings:
    return MatcherSettings()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Recommend(Strict):
    bank_id: UUID = Field(description="The bank the need is pushed to; its officers get it with a deadline.")
    note: Note


class Retry(Strict):
    note: Note


class Contact(Strict):
    kind: Literal["visit", "call"]
    at: AwareDatetime | None = Field(default=None, description="When; now if not given. Not in the future.")
    note: Note


class Close(Strict):
    outcome: DeskOutcome
    reason_code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="A stable code for the why.")
    note: Note


class Tried(BaseModel):
    """A bank the matcher tried for the need, and why each of its products was passed over (reason codes)."""

    bank_id: UUID
    bank_name: str | None
    products: list[dict[str, Any]]


class DeskItem(BaseModel):
    need_id: UUID
    firm_id: UUID
    town: str
    chain: str
    source: str
    status: str = Field(description="open, recommended (pushed to a bank) or closed.")
    need_status: str = Field(
        description="The need's routing status: escalated, open, waiting (for a held line to free), proposed, closed, "
        "disbursed …"
    )
    amount: str
    term_months: int
    size_class: str
    listed_at: datetime
    decide_by: datetime
    seconds_left: int = Field(description="Until the credit decision is due (negative: overdue).")
    contacted_at: datetime | None
    decided_at: datetime | None
    approved: bool | None
    breached: bool
    outcome: str | None
    reason_code: str | None
    reasons: list[dict[str, Any]] = Field(
        description="Why the matcher found nobody, by code, at its last escalation (empty for a listed need it placed)."
    )


class DeskItemDetail(DeskItem):
    tried: list[Tried]
    actions: list[dict[str, Any]]


def _view(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    terms, firm = row["terms"], row["firm"]
    return {
        **{k: row[k] for k in DeskItem.model_fields if k in row},
        "amount": str(terms["amount"]),
        "term_months": int(terms["term_months"]),
        "size_class": firm["size_class"],
        "seconds_left": int((row["decide_by"] - now).total_seconds()),
        "reasons": _reasons(row.get("outcome_json")),
    }


def _reasons(outcome: dict[str, Any] | None) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for _, code, _ in (outcome or {}).get("excluded", []):
        counts[code] = counts.get(code, 0) + 1
    return [{"code": code, "products": n} for code, n in sorted(counts.items(), key=lambda kv: -kv[1])]


ITEMS = """SELECT d.*, n.status AS need_status, n.terms, n.firm,
                  (SELECT outcome FROM decisions x
                   WHERE x.need_id = d.need_id AND json_typeof(x.outcome->'choice') = 'null'
                   ORDER BY x.decided_at DESC LIMIT 1) AS outcome_json
             FROM desk_items d JOIN needs n USING (need_id)"""


async def _item(conn: Connection, actor: Principal, need_id: UUID) -> dict[str, Any]:
    row = await conn.fetchrow(f"{ITEMS} WHERE d.need_id = $1", need_id)
    if row is None or not actor.covers_town(row["town"]):
        raise NotFound("no desk item for this need")
    return dict(row)


@router.get("/items", summary="The desk's queue: needs of the caller's towns nobody answered, oldest clock first")
async def items(
    request: Request,
    actor: Reader,
    status: Literal["open", "recommended", "closed", "all"] = "open",
    town: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DeskItem]:
    towns = list(actor.towns) if actor.towns is not None else None
    if town is not None:
        towns = [town] if towns is None or town in towns else []
    async with transaction(request) as conn:
        rows = await conn.fetch(
            f"""{ITEMS} WHERE ($1::text[] IS NULL OR d.town = ANY($1)) AND ($2 = 'all' OR d.status = $2)
                ORDER BY d.decide_by, d.need_id LIMIT $3 OFFSET $4""",
            towns,
            status,
            limit,
            offset,
        )
    now = datetime.now(UTC)
    return [DeskItem.model_validate(_view(dict(r), now)) for r in rows]


@router.get("/items/{need_id}", summary="One item: the need, its clock, the banks tried and why, what was done")
async def item(request: Request, need_id: UUID, actor: Reader) -> DeskItemDetail:
    async with transaction(request) as conn:
        row = await _item(conn, actor, need_id)
        actions = await conn.fetch(
            "SELECT kind, actor, at, details FROM desk_actions WHERE need_id = $1 ORDER BY action_id", need_id
        )
        tried = await _tried(conn, need_id)
    view = _view(row, datetime.now(UTC))
    return DeskItemDetail.model_validate({**view, "tried": tried, "actions": [dict(a) for a in actions]})


async def _tried(conn: Connection, need_id: UUID) -> list[dict[str, Any]]:
    """Every bank whose products the matcher considered for the need, with each product's last reason code."""
    last: dict[str, tuple[str, dict[str, str]]] = {}
    for row in await decisions.of_need(conn, need_id):
        for product_id, code, params in excluded_products(row["inputs"], row["outcome"]):
            last[product_id] = (code, params)
    if not last:
        return []
    products = await conn.fetch(
        """SELECT p.product_id::text, p.bank_id, p.terms->>'name' AS name, b.name AS bank_name
             FROM products p LEFT JOIN banks b USING (bank_id) WHERE p.product_id = ANY($1::uuid[])""",
        list(last),
    )
    banks: dict[UUID, dict[str, Any]] = {}
    for p in products:
        bank = banks.setdefault(p["bank_id"], {"bank_id": p["bank_id"], "bank_name": p["bank_name"], "products": []})
        code, params = last[p["product_id"]]
        bank["products"].append({"product_id": p["product_id"], "name": p["name"], "code": code, "params": params})
    return sorted(banks.values(), key=lambda b: str(b["bank_name"]))


@router.post(
    "/items/{need_id}/recommendations",
    status_code=201,
    summary="Push the need to a named bank (推荐): its officers get it with a deadline, as a recommendation",
)
async def recommend(request: Request, need_id: UUID, body: Recommend, actor: Coordinator) -> dict[str, Any]:
    async with transaction(request) as conn:
        item = await _locked(conn, actor, need_id)
        proposed = await desk.recommend(conn, item, body.bank_id, actor.subject, body.note, settings())
    return {
        "match_id": proposed.match_id,
        "bank_id": proposed.bank_id,
        "product_name": proposed.product_name,
        "officer_name": proposed.officer_name,
        "answer_by": proposed.answer_by,
    }


@router.post("/items/{need_id}/retries", summary="Ask the matcher to try the usual routing again now")
async def retry(request: Request, need_id: UUID, body: Retry, actor: Coordinator) -> dict[str, str]:
    async with transaction(request) as conn:
        item = await _locked(conn, actor, need_id)
        status = await desk.retry(conn, item, actor.subject, body.note, settings())
    return {"need_status": status}


@router.post("/items/{need_id}/contacts", status_code=201, summary="Record a visit to or a call with the firm")
async def contact(request: Request, need_id: UUID, body: Contact, actor: Coordinator) -> dict[str, str]:
    now = datetime.now(UTC)
    at = body.at or now
    if at > now + timedelta(minutes=5) or at < now - timedelta(days=366):
        raise Problem(
            "A contact is recorded when it happened: not in the future, not more than a year ago.",
            status=422,
            code="validation",
            errors=[{"pointer": "/at", "detail": "not in the future or over a year ago", "code": "date_out_of_range"}],
        )
    async with transaction(request) as conn:
        item = await _locked(conn, actor, need_id)
        await desk.record_contact(conn, item, body.kind, at, actor.subject, body.note)
    return {"recorded": body.kind}


@router.post("/items/{need_id}/closure", summary="Close the item with its outcome and a reason code")
async def close(request: Request, need_id: UUID, body: Close, actor: Coordinator) -> dict[str, str]:
    async with transaction(request) as conn:
        item = await _locked(conn, actor, need_id)
        await desk.close(conn, item, body.outcome, body.reason_code, actor.subject, body.note)
    return {"status": "closed", "outcome": body.outcome}


async def _locked(conn: Connection, actor: Principal, need_id: UUID) -> dict[str, Any]:
    item = await desk.item_for_update(conn, need_id)
    if item is None or not actor.covers_town(item["town"]):
        raise NotFound("no desk item for this need")
    return item
