"""HTTP routes for a bank's integration team: webhook endpoints with their delivery log and redelivery, and service
accounts whose client credential gets a token for the bank's own systems (role `bank_system`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from banks import webhooks
from banks.adapters import postgres_banks as bank_store
from banks.adapters import postgres_webhooks as store
from banks.settings import BanksSettings
from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.auth.issue import TokenIssuer
from lianrong_platform.auth.policy import Resource, check
from lianrong_platform.http.problems import NotFound, Problem
from lianrong_platform.http.transaction import transaction

router = APIRouter(prefix="/v1")
Integrator = Annotated[Principal, Depends(require(Role.BANK_ADMIN, Role.BANK_SYSTEM, Role.ADMIN))]
BankManager = Annotated[Principal, Depends(require(Role.BANK_ADMIN, Role.ADMIN))]
EventType = Literal[webhooks.EVENT_TYPES]  # type: ignore[valid-type]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewEndpoint(Body):
    url: AnyHttpUrl = Field(description="Where the bank's system receives POSTs (https in production).")
    event_types: list[EventType] = Field(min_length=1, description="The event types to deliver.")
    description: str = Field(default="", max_length=200)


class EndpointView(BaseModel):
    endpoint_id: UUID
    bank_id: UUID
    url: str
    event_types: list[str]
    description: str
    status: Literal["enabled", "disabled"]
    failing_since: datetime | None
    disabled_reason: str
    created_at: datetime
    updated_at: datetime


class NewEndpointView(EndpointView):
    secret: str = Field(description="The signing secret (whsec_…), shown this once: verify webhook-signature with it.")


class DeliveryView(BaseModel):
    message_id: UUID = Field(description="The event id, sent as webhook-id.")
    event_type: str
    occurred_at: datetime
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str
    last_attempt_at: datetime | None
    delivered_at: datetime | None


class Redeliver(Body):
    message_id: UUID | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


class Queued(BaseModel):
    queued: int


class NewServiceAccount(Body):
    name: str = Field(min_length=1, max_length=100, description="e.g. 核心系统 / core banking")


class ServiceAccountView(BaseModel):
    client_id: UUID
    bank_id: UUID
    name: str
    created_at: datetime
    revoked_at: datetime | None


class NewServiceAccountView(ServiceAccountView):
    client_secret: str = Field(description="Shown this once; exchange it at POST /v1/oauth/token.")


class ClientCredentials(Body):
    grant_type: Literal["client_credentials"]
    client_id: UUID
    client_secret: str = Field(min_length=1, max_length=200)


class TokenView(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


async def _endpoint(request: Request, actor: Principal, endpoint_id: UUID) -> dict[str, Any]:
    async with transaction(request) as conn:
        found = await store.endpoint(conn, endpoint_id)
    if found is None:
        raise NotFound("no such webhook endpoint")
    check(actor, Resource.WEBHOOKS, bank_id=found["bank_id"])
    return found


@router.post("/banks/{bank_id}/webhooks", tags=["webhooks"], status_code=201, summary="Register a webhook endpoint")
async def register_endpoint(request: Request, bank_id: UUID, body: NewEndpoint, actor: BankManager) -> NewEndpointView:
    check(actor, Resource.WEBHOOKS, bank_id=bank_id)
    endpoint_id, secret = uuid.uuid4(), webhooks.new_secret()
    async with transaction(request) as conn:
        if await bank_store.bank(conn, bank_id) is None:
            raise NotFound("no such bank")
        await store.insert_endpoint(
            conn, endpoint_id, bank_id, str(body.url), list(body.event_types), secret, body.description
        )
        created = await store.endpoint(conn, endpoint_id)
    return NewEndpointView(**(created or {}), secret=secret)


@router.get("/banks/{bank_id}/webhooks", tags=["webhooks"], summary="The bank's webhook endpoints (no secrets)")
async def list_endpoints(request: Request, bank_id: UUID, actor: Integrator) -> list[EndpointView]:
    check(actor, Resource.WEBHOOKS, bank_id=bank_id)
    async with transaction(request) as conn:
        return [EndpointView(**e) for e in await store.endpoints_of(conn, bank_id)]


@router.get("/webhooks/{endpoint_id}/deliveries", tags=["webhooks"], summary="The delivery log, newest first")
async def list_deliveries(
    request: Request,
    endpoint_id: UUID,
    actor: Integrator,
    status: Literal["pending", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DeliveryView]:
    await _endpoint(request, actor, endpoint_id)
    async with transaction(request) as conn:
        return [DeliveryView(**d) for d in await store.deliveries(conn, endpoint_id, status, limit, offset)]


@router.post(
    "/webhooks/{endpoint_id}/redeliver",
    tags=["webhooks"],
    summary="Deliver again one message (message_id) or every message of a time range (since, until)",
)
async def redeliver(request: Request, endpoint_id: UUID, body: Redeliver, actor: Integrator) -> Queued:
    await _endpoint(request, actor, endpoint_id)
    if body.message_id is None and body.since is None:
        raise Problem(
            "name a message_id, or a time range starting at since",
            status=422,
            code="validation",
            title="The request has invalid fields",
            errors=[{"pointer": "/since", "in": "body", "detail": "required without message_id", "code": "missing"}],
        )
    async with transaction(request) as conn:
        queued = await store.redeliver(
            conn, endpoint_id, message_id=body.message_id, since=body.since, until=body.until
        )
    return Queued(queued=queued)


@router.post("/webhooks/{endpoint_id}/enable", tags=["webhooks"], summary="Deliver again (what waited is sent)")
async def enable(request: Request, endpoint_id: UUID, actor: Integrator) -> EndpointView:
    await _endpoint(request, actor, endpoint_id)
    async with transaction(request) as conn:
        await store.set_status(conn, endpoint_id, "enabled")
        return EndpointView(**(await store.endpoint(conn, endpoint_id) or {}))


@router.post("/webhooks/{endpoint_id}/disable", tags=["webhooks"], summary="Pause deliveries (messages are kept)")
async def disable(request: Request, endpoint_id: UUID, actor: Integrator) -> EndpointView:
    await _endpoint(request, actor, endpoint_id)
    async with transaction(request) as conn:
        await store.set_status(conn, endpoint_id, "disabled", "disabled by the bank")
        return EndpointView(**(await store.endpoint(conn, endpoint_id) or {}))


@router.delete("/webhooks/{endpoint_id}", tags=["webhooks"], status_code=204, summary="Remove an endpoint")
async def delete_endpoint(request: Request, endpoint_id: UUID, actor: BankManager) -> None:
    await _endpoint(request, actor, endpoint_id)
    async with transaction(request) as conn:
        await store.delete_endpoint(conn, endpoint_id)


# --- service accounts -----------------------------------------------------------------------------------------------
def _hash(secret: str) -> str:
    # The secret is 32 random bytes: a plain digest cannot be reversed or guessed.
    return hashlib.sha256(secret.encode()).hexdigest()


@router.post(
    "/banks/{bank_id}/service-accounts",
    tags=["service accounts"],
    status_code=201,
    summary="A client credential for the bank's own system (role bank_system)",
)
async def create_service_account(
    request: Request, bank_id: UUID, body: NewServiceAccount, actor: BankManager
) -> NewServiceAccountView:
    check(actor, Resource.SERVICE_ACCOUNTS, bank_id=bank_id)
    client_id, client_secret = uuid.uuid4(), secrets.token_urlsafe(32)
    async with transaction(request) as conn:
        if await bank_store.bank(conn, bank_id) is None:
            raise NotFound("no such bank")
        await store.insert_service_account(conn, client_id, bank_id, body.name, _hash(client_secret))
        [created] = [a for a in await store.service_accounts_of(conn, bank_id) if a["client_id"] == client_id]
    return NewServiceAccountView(**created, client_secret=client_secret)


@router.get("/banks/{bank_id}/service-accounts", tags=["service accounts"])
async def list_service_accounts(request: Request, bank_id: UUID, actor: BankManager) -> list[ServiceAccountView]:
    check(actor, Resource.SERVICE_ACCOUNTS, bank_id=bank_id)
    async with transaction(request) as conn:
        return [ServiceAccountView(**a) for a in await store.service_accounts_of(conn, bank_id)]


@router.post("/service-accounts/{client_id}/revoke", tags=["service accounts"], status_code=204)
async def revoke_service_account(request: Request, client_id: UUID, actor: BankManager) -> None:
    async with transaction(request) as conn:
        account = await store.service_account(conn, client_id)
        if account is None:
            raise NotFound("no such service account")
        check(actor, Resource.SERVICE_ACCOUNTS, bank_id=account["bank_id"])
        await store.revoke_service_account(conn, client_id)


@router.post(
    "/oauth/token",
    tags=["service accounts"],
    summary="OAuth 2.0 client credentials → a short-lived bearer token for the bank's system",
    openapi_extra={"security": []},
)
async def token(request: Request) -> TokenView:
    raw = await request.body()
    try:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
            grant = ClientCredentials.model_validate(form)
        else:
            grant = ClientCredentials.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise Problem(
            "grant_type client_credentials with client_id and client_secret",
            status=400,
            code="invalid-request",
            title="invalid_request",
            errors=[
                {"pointer": "/" + "/".join(map(str, e["loc"])), "in": "body", "detail": e["msg"], "code": e["type"]}
                for e in exc.errors()
            ],
        ) from exc
    settings: BanksSettings = request.app.state.banks_settings
    if settings.jwt_private_key_file is None:
        raise Problem("this installation issues no service tokens", status=503, code="unavailable", title="Unavailable")
    async with transaction(request) as conn:
        account = await store.service_account(conn, grant.client_id)
    if account is None or not hmac.compare_digest(account["secret_hash"], _hash(grant.client_secret)):
        raise Problem("unknown client or wrong secret", status=401, code="invalid-client", title="invalid_client")
    ttl = timedelta(minutes=settings.service_token_minutes)
    issuer = TokenIssuer(settings.jwt_private_key_file.read_bytes())
    access = issuer.issue(Role.BANK_SYSTEM, f"client:{grant.client_id}", bank_id=account["bank_id"], ttl=ttl)
    return TokenView(access_token=access, expires_in=int(ttl.total_seconds()))
