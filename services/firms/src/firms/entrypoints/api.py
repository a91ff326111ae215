"""HTTP routes of the firms service: thin — parse, call a handler in one transaction, map domain errors."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from firms import handlers
from firms.access import acting_firm, check_own_firm
from firms.adapters import postgres_idempotency as idempotency
from firms.adapters import postgres_links as link_store
from firms.adapters import postgres_needs as need_store
from firms.adapters import postgres_reference as reference
from firms.commands import (
    AddChain,
    AmendNeed,
    ChangeFirm,
    Decide,
    DeclareReceivable,
    DeclareSupplierLink,
    DesignateChainMaster,
    RegisterFirm,
    Revoke,
    SubmitNeed,
    WithdrawNeed,
)
from firms.entrypoints import desk_api, listing_api
from firms.views import ChainMasterView, ChainView, FirmView, LinkView, NeedView, ReceivableView, TownView
from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.auth.routes import router as session_router
from lianrong_platform.http.problems import Problem
from lianrong_platform.http.transaction import transaction

router = APIRouter(prefix="/v1")

Firm = Annotated[Principal, Depends(require(Role.SME, Role.CHAIN_MASTER, Role.ADMIN))]
Sme = Annotated[Principal, Depends(require(Role.SME))]
SmeOrAdmin = Annotated[Principal, Depends(require(Role.SME, Role.ADMIN))]
ChainMaster = Annotated[Principal, Depends(require(Role.CHAIN_MASTER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Anyone = Annotated[Principal, Depends(require(*Role))]
Decision = Literal["pending", "confirmed", "rejected"]


# --- reference data ---------------------------------------------------------------------------------------------
@router.get("/reference/towns", tags=["reference"], summary="Dongguan's 33 towns, streets and parks")
async def list_towns(request: Request) -> list[TownView]:
    async with transaction(request) as conn:
        return await reference.towns(conn)


@router.get("/reference/chains", tags=["reference"], summary="The key industrial chains (重点产业链)")
async def list_chains(request: Request) -> list[ChainView]:
    async with transaction(request) as conn:
        return await reference.chains(conn)


@router.post("/reference/chains", tags=["reference"], status_code=201)
async def add_chain(request: Request, body: AddChain, _: Admin) -> ChainView:
    async with transaction(request) as conn:
        return await handlers.add_chain(conn, body)


@router.get("/chain-masters", tags=["reference"], summary="Chain masters (链主企业) and the chains they lead")
async def list_chain_masters(request: Request, _: Anyone) -> list[ChainMasterView]:
    async with transaction(request) as conn:
        return await reference.chain_masters(conn)


@router.post("/chain-masters", tags=["reference"], status_code=204)
async def designate_chain_master(request: Request, body: DesignateChainMaster, _: Admin) -> None:
    async with transaction(request) as conn:
        await handlers.designate_chain_master(conn, body)


# --- firms ----------------------------------------------------------------------------------------------------------
@router.post("/firms", tags=["firms"], status_code=201, summary="Register the caller's firm with its USCC")
async def register_firm(request: Request, body: RegisterFirm, actor: Firm) -> FirmView:
    async with transaction(request) as conn:
        return await handlers.register_firm(conn, actor, body)


@router.get("/firms/{firm_id}", tags=["firms"])
async def get_firm(request: Request, firm_id: UUID, actor: Firm) -> FirmView:
    async with transaction(request) as conn:
        return await handlers.get_firm(conn, actor, firm_id)


@router.patch("/firms/{firm_id}", tags=["firms"])
async def change_firm(request: Request, firm_id: UUID, body: ChangeFirm, actor: Firm) -> FirmView:
    async with transaction(request) as conn:
        return await handlers.change_firm(conn, actor, firm_id, body)


# --- supplier links (确权) ------------------------------------------------------------------------------------------
@router.post("/firms/{firm_id}/links", tags=["links"], status_code=201, summary="Declare supplying a chain master")
async def declare_link(request: Request, firm_id: UUID, body: DeclareSupplierLink, actor: Sme) -> LinkView:
    async with transaction(request) as conn:
        return await handlers.declare_link(conn, actor, firm_id, body)


@router.get("/firms/{firm_id}/links", tags=["links"])
async def links_of_firm(request: Request, firm_id: UUID, actor: SmeOrAdmin) -> list[LinkView]:
    async with transaction(request) as conn:
        check_own_firm(actor, firm_id)
        return await link_store.links_of_supplier(conn, firm_id)


@router.get("/links", tags=["links"], summary="Links that name the calling chain master")
async def links_naming_me(request: Request, actor: ChainMaster, status: Decision | None = None) -> list[LinkView]:
    async with transaction(request) as conn:
        return await link_store.links_naming(conn, acting_firm(actor), status)


@router.post("/links/{link_id}/confirm", tags=["links"])
async def confirm_link(request: Request, link_id: UUID, actor: ChainMaster, body: Decide | None = None) -> LinkView:
    async with transaction(request) as conn:
        return await handlers.decide_link(conn, actor, link_id, True, body or Decide())


@router.post(
    "/links/{link_id}/revoke",
    tags=["links"],
    summary="Withdraw a confirmation given (with a reason): open needs relying on it lose it, and are told",
)
async def revoke_link(request: Request, link_id: UUID, actor: ChainMaster, body: Revoke) -> LinkView:
    async with transaction(request) as conn:
        return await handlers.revoke_link(conn, actor, link_id, body.reason)


@router.post("/links/{link_id}/reject", tags=["links"])
async def reject_link(request: Request, link_id: UUID, actor: ChainMaster, body: Decide | None = None) -> LinkView:
    async with transaction(request) as conn:
        return await handlers.decide_link(conn, actor, link_id, False, body or Decide())


@router.post(
    "/links/{link_id}/receivables",
    tags=["links"],
    status_code=201,
    summary="Ask the chain master to confirm a receivable or order",
)
async def declare_receivable(request: Request, link_id: UUID, body: DeclareReceivable, actor: Sme) -> ReceivableView:
    async with transaction(request) as conn:
        return await handlers.declare_receivable(conn, actor, link_id, body)


@router.get("/receivables", tags=["links"], summary="The caller's receivables: as supplier or as chain master")
async def list_receivables(
    request: Request,
    actor: Annotated[Principal, Depends(require(Role.SME, Role.CHAIN_MASTER))],
    status: Decision | None = None,
) -> list[ReceivableView]:
    firm_id = acting_firm(actor)
    async with transaction(request) as conn:
        if actor.role is Role.SME:
            return await link_store.receivables_for(conn, supplier=firm_id, status=status)
        return await link_store.receivables_for(conn, master=firm_id, status=status)


@router.post("/receivables/{receivable_id}/confirm", tags=["links"])
async def confirm_receivable(
    request: Request, receivable_id: UUID, actor: ChainMaster, body: Decide | None = None
) -> ReceivableView:
    async with transaction(request) as conn:
        return await handlers.decide_receivable(conn, actor, receivable_id, True, body or Decide())


@router.post(
    "/receivables/{receivable_id}/revoke",
    tags=["links"],
    summary="Withdraw a receivable's or order's confirmation (with a reason): it backs no need any more",
)
async def revoke_receivable(request: Request, receivable_id: UUID, actor: ChainMaster, body: Revoke) -> ReceivableView:
    async with transaction(request) as conn:
        return await handlers.revoke_receivable(conn, actor, receivable_id, body.reason)


@router.post("/receivables/{receivable_id}/reject", tags=["links"])
async def reject_receivable(
    request: Request, receivable_id: UUID, actor: ChainMaster, body: Decide | None = None
) -> ReceivableView:
    async with transaction(request) as conn:
        return await handlers.decide_receivable(conn, actor, receivable_id, False, body or Decide())


# --- needs (融资需求) -----------------------------------------------------------------------------------------------
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


@router.post(
    "/needs", tags=["needs"], status_code=201, summary="Publish a financing need", responses={201: {"model": NeedView}}
)
async def submit_need(request: Request, body: SubmitNeed, actor: Sme, key: IdempotencyKey = None) -> JSONResponse:
    scope, digest = f"needs:{acting_firm(actor)}", idempotency.request_hash(body.model_dump(mode="json"))
    async with transaction(request) as conn:
        if key is not None:
            stored = await idempotency.claim(conn, scope, key, digest)
            if stored is not None:
                if stored.request_hash != digest:
                    raise Problem(
                        "this Idempotency-Key was used for a different request",
                        status=422,
                        code="idempotency-key-reused",
                        title="Idempotency-Key reused",
                        errors=[
                            {"pointer": "Idempotency-Key", "in": "header", "detail": "send a new key for a new request"}
                        ],
                    )
                return JSONResponse(
                    stored.response, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"}
                )
        view = await handlers.submit_need(conn, actor, body)
        payload = view.model_dump(mode="json")
        if key is not None:
            await idempotency.remember(conn, scope, key, 201, payload)
    return JSONResponse(payload, status_code=201, headers={"Location": f"/v1/needs/{view.need_id}"})


@router.get("/needs", tags=["needs"], summary="The caller's needs, newest first")
async def list_needs(
    request: Request,
    actor: Sme,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[NeedView]:
    async with transaction(request) as conn:
        return await need_store.of_firm(conn, acting_firm(actor), status, limit, offset)


@router.get("/needs/{need_id}", tags=["needs"], summary="A need with its timeline")
async def get_need(request: Request, need_id: UUID, actor: SmeOrAdmin) -> NeedView:
    async with transaction(request) as conn:
        return await handlers.get_need(conn, actor, need_id)


@router.patch("/needs/{need_id}", tags=["needs"], summary="Amend a need before it is matched")
async def amend_need(request: Request, need_id: UUID, body: AmendNeed, actor: Sme) -> NeedView:
    async with transaction(request) as conn:
        return await handlers.amend_need(conn, actor, need_id, body)


@router.post("/needs/{need_id}/withdraw", tags=["needs"], summary="Withdraw a need")
async def withdraw_need(request: Request, need_id: UUID, actor: Sme, body: WithdrawNeed | None = None) -> NeedView:
    async with transaction(request) as conn:
        return await handlers.withdraw_need(conn, actor, need_id, body or WithdrawNeed())


routers: list[APIRouter] = [session_router, router, listing_api.router, desk_api.router]
