"""HTTP routes of the matcher service: the decision record for examiners, and whole-chain credit line use."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.auth.policy import Resource, check, sees_every_bank
from lianrong_platform.auth.routes import router as session_router
from lianrong_platform.http.problems import NotFound
from lianrong_platform.http.transaction import transaction
from matcher.adapters import postgres_decisions as decisions
from matcher.adapters import postgres_market as market
from matcher.domain.reasons import describe
from matcher.entrypoints import desk_api
from matcher.explain import explain_need

router = APIRouter(prefix="/v1")

Anyone = Annotated[Principal, Depends(require(*Role))]


class ChainLineView(BaseModel):
    """整链授信: a bank's whole-chain credit line for one chain and what its products have committed against it."""

    bank_id: UUID
    bank_name: str | None
    chain: str
    line: Decimal | None
    reserved: Decimal
    disbursed: Decimal
    free: Decimal | None


class DecisionView(BaseModel):
    """One routing decision as recorded, and whether the code in force decides the same from its inputs."""

    decision_id: UUID
    kind: str
    decided_at: str
    match_id: UUID | None
    weights_version: str
    weights: dict[str, float] | None
    weights_version_now: str
    candidates: int
    quiet_retries: int
    bytes: int
    choice: dict[str, Any] | None
    excluded: list[dict[str, Any]]
    reproduces: bool
    differences: list[str]
    choice_now: dict[str, Any] | None


@router.get(
    "/needs/{need_id}/decisions",
    tags=["decision record"],
    summary="Every routing decision of a need, replayed from its recorded inputs (regulator and admin)",
)
async def need_decisions(request: Request, need_id: UUID, actor: Anyone) -> list[DecisionView]:
    check(actor, Resource.DECISION_RECORD)
    async with transaction(request) as conn:
        explained = await explain_need(conn, need_id, decisions.Versions())
    if not explained:
        raise NotFound("no decision recorded for this need")
    return [DecisionView.model_validate(d) for d in explained]


@router.get(
    "/chain-lines",
    tags=["chain credit lines"],
    summary="Whole-chain credit lines (整链授信) and their use: the caller's bank, or every bank for the regulator",
)
async def chain_lines(request: Request, actor: Anyone, bank_id: UUID | None = None) -> list[ChainLineView]:
    if not sees_every_bank(actor, Resource.CHAIN_CREDIT_LINE):
        check(actor, Resource.CHAIN_CREDIT_LINE, bank_id=bank_id or actor.bank_id)
        bank_id = actor.bank_id
    async with transaction(request) as conn:
        return [ChainLineView.model_validate(r) for r in await market.chain_lines_of(conn, bank_id)]


class ExclusionCount(BaseModel):
    """How often the bank's own products were passed over for one reason, and the latest figures of it."""

    code: str
    times: int
    products: int
    latest_params: dict[str, str]
    detail: str


@router.get(
    "/banks/{bank_id}/exclusions",
    tags=["decision record"],
    summary="Why the bank's own products were not chosen, by reason code (its officers and admin, the regulator)",
)
async def bank_exclusions(
    request: Request, bank_id: UUID, actor: Anyone, days: Annotated[int, Query(ge=1, le=3660)] = 30
) -> list[ExclusionCount]:
    check(actor, Resource.BANK_DECISIONS, bank_id=bank_id)
    async with transaction(request) as conn:
        rows = await decisions.exclusions_of_bank(conn, bank_id, days)
    return [ExclusionCount(**r, detail=describe(r["code"], r["latest_params"])) for r in rows]


routers: list[APIRouter] = [session_router, router, desk_api.router]
