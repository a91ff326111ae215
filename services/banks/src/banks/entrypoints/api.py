"""HTTP routes of the banks service: thin — parse, call a handler in one transaction, map domain errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from banks import handlers
from banks.access import check_manages_bank, check_sees_match, check_sees_products, designation_for
from banks.adapters import postgres_banks as bank_store
from banks.adapters import postgres_matches as match_store
from banks.adapters import postgres_officers as officer_store
from banks.adapters import postgres_products as product_store
from banks.adapters.postgres_inbox_feed import InboxFeed
from banks.commands import Approve, Decline, Designate, Disburse, EndDesignation, RegisterBank, RegisterOfficer, Reject
from banks.domain.match import MatchStatus
from banks.views import BankView, DesignationView, MatchView, OfficerView, ProductView
from contracts.banks import ProductTerms
from contracts.values import (
    AnnualRate,
    ChainCode,
    CollateralKind,
    HonourCode,
    SizeClass,
    TownCode,
    Yuan,
)
from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.auth.routes import router as session_router
from lianrong_platform.http.bodies import Patch
from lianrong_platform.http.problems import NotFound
from lianrong_platform.http.transaction import transaction

router = APIRouter(prefix="/v1")


Anyone = Annotated[Principal, Depends(require(*Role))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Regulator = Annotated[Principal, Depends(require(Role.REGULATOR, Role.ADMIN))]
BankManager = Annotated[Principal, Depends(require(Role.BANK_ADMIN, Role.ADMIN))]
Officer = Annotated[Principal, Depends(require(Role.OFFICER))]
Inbox = Annotated[Principal, Depends(require(Role.OFFICER, Role.BANK_ADMIN, Role.BANK_SYSTEM))]


class ChangeProduct(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    amount_min: Yuan | None = None
    amount_max: Yuan | None = None
    term_min_months: int | None = Field(default=None, ge=1, le=360)
    term_max_months: int | None = Field(default=None, ge=1, le=360)
    rate_min: AnnualRate | None = None
    rate_max: AnnualRate | None = None
    chains: tuple[ChainCode, ...] | None = Field(default=None, min_length=1)
    towns: tuple[TownCode, ...] | None = None
    size_classes: tuple[SizeClass, ...] | None = Field(default=None, min_length=1)
    honours_required: tuple[HonourCode, ...] | None = None
    honours_favoured: tuple[HonourCode, ...] | None = None
    requires_link_confirmation: bool | None = None
    requires_receivable_confirmation: bool | None = None
    collateral_accepted: tuple[CollateralKind, ...] | None = Field(default=None, min_length=1)
    capacity: Yuan | None = None
    active_until: date | None = None


class ChangeOfficer(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    centre: str | None = Field(default=None, max_length=200)
    chains: tuple[ChainCode, ...] | None = Field(default=None, min_length=1)
    towns: tuple[TownCode, ...] | None = None
    max_open_matches: int | None = Field(default=None, ge=1, le=1000)
    available: bool | None = None


# --- banks and designations -----------------------------------------------------------------------------------------
@router.post("/banks", tags=["banks"], status_code=201)
async def register_bank(request: Request, body: RegisterBank, _: Admin) -> BankView:
    async with transaction(request) as conn:
        return await handlers.register_bank(conn, body)


@router.get("/banks", tags=["banks"])
async def list_banks(request: Request, _: Anyone) -> list[BankView]:
    async with transaction(request) as conn:
        return await bank_store.banks(conn)


@router.post(
    "/designations",
    tags=["designations"],
    status_code=201,
    summary="Designate a chain's lead bank (主办行) or a cooperating bank (合作银行)",
)
async def designate(request: Request, body: Designate, actor: Regulator) -> DesignationView:
    async with transaction(request) as conn:
        return await handlers.designate(conn, actor, body)


@router.post("/designations/{designation_id}/end", tags=["designations"])
async def end_designation(
    request: Request, designation_id: UUID, body: EndDesignation, _: Regulator
) -> DesignationView:
    async with transaction(request) as conn:
        return await handlers.end_designation(conn, designation_id, body)


@router.get("/designations", tags=["designations"], summary="Current designations (with history on request)")
async def list_designations(
    request: Request, actor: Anyone, chain: str | None = None, history: bool = False
) -> list[DesignationView]:
    async with transaction(request) as conn:
        return [designation_for(actor, d) for d in await bank_store.designations(conn, chain, history)]


# --- products -----------------------------------------------------------------------------------------------------
@router.post("/banks/{bank_id}/products", tags=["products"], status_code=201)
async def publish_product(request: Request, bank_id: UUID, body: ProductTerms, actor: BankManager) -> ProductView:
    async with transaction(request) as conn:
        return await handlers.publish_product(conn, actor, bank_id, body)


@router.get(
    "/banks/{bank_id}/products",
    tags=["products"],
    summary="A bank's products with capacity left (its own people, the regulator and the admin only)",
)
async def list_products(request: Request, bank_id: UUID, actor: Anyone) -> list[ProductView]:
    check_sees_products(actor, bank_id)
    async with transaction(request) as conn:
        return await product_store.of_bank(conn, bank_id)


@router.get("/products/{product_id}", tags=["products"])
async def get_product(request: Request, product_id: UUID, actor: Anyone) -> ProductView:
    async with transaction(request) as conn:
        view = await product_store.product(conn, product_id)
    if view is None:
        raise NotFound("no such product")
    check_sees_products(actor, view.bank_id)
    return view


@router.patch("/products/{product_id}", tags=["products"])
async def change_product(request: Request, product_id: UUID, body: ChangeProduct, actor: BankManager) -> ProductView:
    async with transaction(request) as conn:
        return await handlers.change_product(conn, actor, product_id, body.model_dump(exclude_unset=True))


@router.post("/products/{product_id}/withdraw", tags=["products"])
async def withdraw_product(request: Request, product_id: UUID, actor: BankManager) -> ProductView:
    async with transaction(request) as conn:
        return await handlers.withdraw_product(conn, actor, product_id)


# --- officers -----------------------------------------------------------------------------------------------------
@router.post("/banks/{bank_id}/officers", tags=["officers"], status_code=201)
async def register_officer(request: Request, bank_id: UUID, body: RegisterOfficer, actor: BankManager) -> OfficerView:
    async with transaction(request) as conn:
        return await handlers.register_officer(conn, actor, bank_id, body)


@router.get("/banks/{bank_id}/officers", tags=["officers"])
async def list_officers(request: Request, bank_id: UUID, actor: BankManager) -> list[OfficerView]:
    async with transaction(request) as conn:
        check_manages_bank(actor, bank_id)
        return await officer_store.of_bank(conn, bank_id)


@router.patch("/officers/{officer_id}", tags=["officers"])
async def change_officer(request: Request, officer_id: UUID, body: ChangeOfficer, actor: BankManager) -> OfficerView:
    async with transaction(request) as conn:
        return await handlers.change_officer(conn, actor, officer_id, body.model_dump(exclude_unset=True))


# --- the officer's inbox --------------------------------------------------------------------------------------------
@router.get("/matches", tags=["inbox"], summary="The officer's matches (a bank admin: the bank's), soonest due first")
async def list_matches(
    request: Request,
    actor: Inbox,
    status: MatchStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[MatchView]:
    async with transaction(request) as conn:
        return await match_store.listing(
            conn,
            officer_id=actor.officer_id if actor.role is Role.OFFICER else None,
            bank_id=actor.bank_id,
            status=status.value if status else None,
            limit=limit,
            offset=offset,
        )


@router.get(
    "/matches/stream",
    tags=["inbox"],
    summary="Server-Sent Events: each change to the caller's matches",
    response_class=StreamingResponse,
)
async def stream_matches(request: Request, actor: Inbox) -> StreamingResponse:
    feed: InboxFeed = request.app.state.inbox_feed
    pool = request.app.state.pool

    async def events() -> AsyncIterator[str]:
        officer_id = actor.officer_id if actor.role is Role.OFFICER else None
        with feed.subscribe(officer_id=officer_id, bank_id=None if officer_id else actor.bank_id) as queue:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    change = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"  # proxies close idle streams
                    continue
                async with pool.acquire() as conn:
                    view = await match_store.match(conn, change.match_id)
                if view is not None:
                    yield (
                        f"id: {view.match_id}:{view.updated_at.isoformat()}\nevent: match\ndata: "
                        f"{json.dumps(view.model_dump(mode='json'), ensure_ascii=False)}\n\n"
                    )

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


@router.get("/matches/{match_id}", tags=["inbox"])
async def get_match(request: Request, match_id: UUID, actor: Inbox) -> MatchView:
    async with transaction(request) as conn:
        return check_sees_match(actor, await match_store.match(conn, match_id))


@router.post("/matches/{match_id}/accept", tags=["inbox"], summary="Accept: the officer will contact the firm")
async def accept(request: Request, match_id: UUID, actor: Officer) -> MatchView:
    async with transaction(request) as conn:
        return await handlers.accept(conn, actor, match_id)


@router.post("/matches/{match_id}/decline", tags=["inbox"], summary="Pass the match on (it is re-routed)")
async def decline(request: Request, match_id: UUID, body: Decline, actor: Officer) -> MatchView:
    async with transaction(request) as conn:
        return await handlers.decline(conn, actor, match_id, body)


@router.post("/matches/{match_id}/approve", tags=["inbox"])
async def approve(request: Request, match_id: UUID, body: Approve, actor: Officer) -> MatchView:
    async with transaction(request) as conn:
        return await handlers.approve(conn, actor, match_id, body)


@router.post("/matches/{match_id}/reject", tags=["inbox"])
async def reject(request: Request, match_id: UUID, body: Reject, actor: Officer) -> MatchView:
    async with transaction(request) as conn:
        return await handlers.reject(conn, actor, match_id, body)


@router.post("/matches/{match_id}/disburse", tags=["inbox"])
async def disburse(request: Request, match_id: UUID, body: Disburse, actor: Officer) -> MatchView:
    async with transaction(request) as conn:
        return await handlers.disburse(conn, actor, match_id, body)


routers: list[APIRouter] = [session_router, router]
