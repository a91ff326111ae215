"""HTTP routes of the oversight service: the regulator's reads. Only the regulator and the platform admin may call
them; everything they return has passed disclosure control (see GET /v1/oversight/rule)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.auth.routes import router as session_router
from lianrong_platform.http.problems import Problem
from oversight import exports, reports
from oversight.domain import disclosure
from oversight.domain.cells import CHINA, NO_BANK, week_of
from oversight.views import Flows, LeadBankRecord

router = APIRouter(prefix="/v1/oversight", tags=["oversight"])
Regulator = Annotated[Principal, Depends(require(Role.REGULATOR, Role.ADMIN))]
RULE = (disclosure.__doc__ or "").strip()
EARLIEST = date(2020, 1, 1)  # before the mechanism: no figure to report, and far dates overflow week arithmetic


def _query(
    by: str,
    start: date | None,
    end: date | None,
    chain: str | None,
    town: str | None,
    bank: str | None,
    size_class: str | None,
) -> tuple[list[str], date, date, dict[str, str]]:
    dims = [d.strip() for d in by.split(",") if d.strip()]
    unknown = [d for d in dims if d not in reports.GROUPABLE]
    if unknown:
        raise Problem(
            f"cannot group by {', '.join(unknown)}",
            status=422,
            code="validation",
            title="The request has invalid fields",
            errors=[{"pointer": "/by", "in": "query", "detail": f"one of {', '.join(reports.GROUPABLE)}"}],
        )
    today = datetime.now(CHINA).date()
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST <= day <= today + timedelta(days=366):
            raise Problem(
                f"{name} must lie between {EARLIEST} and a year from today",
                status=422,
                code="validation",
                title="The request has invalid fields",
                errors=[
                    {
                        "pointer": f"/{name}",
                        "in": "query",
                        "detail": "a date of the mechanism's life",
                        "code": "date_out_of_range",
                        "params": {"min": EARLIEST.isoformat()},
                    }
                ],
            )
    end = end or today
    start = start or end - timedelta(weeks=12)
    if start > end or (end - start).days > 800:
        raise Problem(
            "the range must run forwards and span at most two years",
            status=422,
            code="validation",
            title="The request has invalid fields",
            errors=[{"pointer": "/from", "in": "query", "detail": "from ≤ to, at most two years"}],
        )
    filters = {k: v for k, v in {"chain": chain, "town": town, "bank": bank, "size_class": size_class}.items() if v}
    return dims, week_of_date(start), end, filters


def week_of_date(day: date) -> date:
    return day - timedelta(days=day.weekday())


@router.get("/rule", response_class=PlainTextResponse, summary="The disclosure rule every figure here follows")
async def rule(_: Regulator) -> str:
    return RULE


@router.get("/flows", summary="Flows by chain, town, bank, size class and week, after disclosure control")
async def flows(
    request: Request,
    _: Regulator,
    by: str = "chain",
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    chain: str | None = None,
    town: str | None = None,
    bank: str | None = None,
    size_class: str | None = None,
) -> Flows:
    dims, start_, end_, filters = _query(by, start, end, chain, town, bank, size_class)
    async with request.app.state.pool.acquire() as conn:
        report = await reports.flows(conn, dims, start_, end_, filters)
    return Flows.model_validate(report | {"rule": RULE})


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


@router.get("/flows.csv", response_class=CsvResponse, summary="The same flows as CSV")
async def flows_csv(
    request: Request,
    _: Regulator,
    by: str = "chain",
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    chain: str | None = None,
    town: str | None = None,
    bank: str | None = None,
    size_class: str | None = None,
    lang: Literal["zh", "en"] = "zh",
) -> CsvResponse:
    dims, start_, end_, filters = _query(by, start, end, chain, town, bank, size_class)
    async with request.app.state.pool.acquire() as conn:
        report = await reports.flows(conn, dims, start_, end_, filters)
        banks = {r["bank_id"]: r["name"] for r in await conn.fetch("SELECT bank_id, name FROM banks")}
    names = {"bank": {**banks, NO_BANK: "尚未派单" if lang == "zh" else "no bank yet"}}
    return CsvResponse(
        exports.flows_csv(report, dims, names, lang),
        headers={"Content-Disposition": 'attachment; filename="lianrong-flows.csv"'},
    )


@router.get("/lead-banks", summary="Each chain's lead bank (主办行): routed, answered, approved, disbursed")
async def lead_banks(
    request: Request,
    _: Regulator,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> list[LeadBankRecord]:
    _dims, start_, end_, _filters = _query("chain", start, end, None, None, None, None)
    async with request.app.state.pool.acquire() as conn:
        return [LeadBankRecord.model_validate(r) for r in await reports.lead_banks(conn, start_, end_)]


@router.get(
    "/live",
    response_class=StreamingResponse,
    summary="Server-Sent Events: this week's flows by chain whenever they change (checked every 5 s)",
)
async def live(request: Request, _: Regulator) -> StreamingResponse:
    pool = request.app.state.pool

    async def events() -> AsyncIterator[str]:
        last = None
        yield ": connected\n\n"
        while not await request.is_disconnected():
            today = datetime.now(CHINA).date()
            async with pool.acquire() as conn:
                report = await reports.flows(conn, ["chain"], week_of(datetime.now(CHINA)), today, {})
            payload = json.dumps(
                {"cells": report["cells"], "totals": report["totals"]}, ensure_ascii=False, default=str
            )
            if payload != last:
                last = payload
                yield f"event: flows\ndata: {payload}\n\n"
            else:
                yield ": unchanged\n\n"
            await asyncio.sleep(5)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


routers: list[APIRouter] = [session_router, router]
