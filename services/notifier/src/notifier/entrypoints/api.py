"""HTTP routes of the notifier: a person's notification list (the portal's bell), their channels and quiet hours,
and for the platform admin the deliveries that are waiting or failed.

A person's list holds what was addressed to them by their token: an SME or chain master its firm's, an officer their
own, a bank admin their bank's, a coordinator their towns' (the whole city's when their scope is the city)."""

from __future__ import annotations

import re
from datetime import datetime, time
from functools import cache
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.auth.routes import router as session_router
from lianrong_platform.http.problems import Problem
from lianrong_platform.http.transaction import transaction
from notifier.adapters import postgres_notifications as store
from notifier.settings import NotifierSettings

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])
Person = Annotated[
    Principal,
    Depends(require(Role.SME, Role.CHAIN_MASTER, Role.OFFICER, Role.BANK_ADMIN, Role.COORDINATOR)),
]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]

MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@cache
def settings() -> NotifierSettings:
    return NotifierSettings()


def audiences(actor: Principal) -> list[str]:
    """What a person is addressed as, from their token."""
    if actor.role in (Role.SME, Role.CHAIN_MASTER):
        return [f"firm:{actor.firm_id}"]
    if actor.role is Role.OFFICER:
        return [f"officer:{actor.officer_id}"]
    if actor.role is Role.BANK_ADMIN:
        return [f"bank:{actor.bank_id}"]
    if actor.role is Role.COORDINATOR:
        return ["town:*"] if actor.towns is None else [f"town:{t}" for t in actor.towns]
    return []


class Notification(BaseModel):
    notification_id: UUID
    kind: str = Field(description="What it tells, e.g. sme_matched, officer_reminder, coordinator_listed.")
    title: str
    body: str
    link: str = Field(description="The portal page it concerns (#/sme, #/officer, #/desk, #/bank).")
    need_id: UUID | None
    occurred_at: datetime
    read: bool


class NotificationList(BaseModel):
    unread: int
    items: list[Notification]


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: time = Field(description="Beijing time, e.g. 22:00")
    end: time = Field(description="Beijing time, e.g. 08:00 (may be the next morning)")


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20, description="A mainland mobile number, e.g. 13912345678.")
    channels: list[Literal["email", "sms"]] = Field(
        default_factory=list, max_length=2, description="Beside the portal's list, which is always kept."
    )
    quiet_hours: QuietHours | None = Field(default=None, description="No e-mail or SMS then; they wait until its end.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not EMAIL.match(value):
            raise PydanticCustomError("email_invalid", "not an e-mail address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        digits = re.sub(r"[\s-]", "", value)
        found = MOBILE.match(digits)
        if not found:
            raise PydanticCustomError("mobile_invalid", "a mainland mobile number has 11 digits and starts with 13–19")
        return found.group(1)

    @model_validator(mode="after")
    def _addresses(self) -> Preferences:
        errors = [
            {"pointer": f"/{field}", "detail": f"{channel} needs {field}", "code": "channel_without_address"}
            for channel, field in (("email", "email"), ("sms", "phone"))
            if channel in self.channels and getattr(self, field) is None
        ]
        if errors:
            raise Problem(
                "a chosen channel has no address",
                status=422,
                code="validation",
                title="The request has invalid fields",
                errors=errors,
            )
        return self


class PreferencesView(Preferences):
    available_channels: list[str] = Field(description="The channels this installation can send by.")


@router.get("", summary="My notifications, newest first, with how many are unread")
async def mine(request: Request, actor: Person, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> NotificationList:
    who = audiences(actor)
    async with transaction(request) as conn:
        rows = await store.listing(conn, actor.subject, who, limit)
        unread = await store.unread(conn, actor.subject, who)
    return NotificationList(
        unread=unread,
        items=[Notification(**{**r, "read": r["read_at"] is not None}) for r in rows],
    )


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[UUID] | None = Field(default=None, max_length=500, description="These; all of mine when left out.")


@router.post("/read", summary="Mark my notifications read (these, or all)")
async def read(request: Request, body: MarkRead, actor: Person) -> dict[str, int]:
    async with transaction(request) as conn:
        marked = await store.mark_read(conn, actor.subject, audiences(actor), body.ids)
        unread = await store.unread(conn, actor.subject, audiences(actor))
    return {"marked": marked, "unread": unread}


@router.get("/preferences", summary="My channels, addresses and quiet hours")
async def preferences(request: Request, actor: Person) -> PreferencesView:
    async with transaction(request) as conn:
        row = await store.person(conn, actor.subject)
    return _view(row)


@router.put("/preferences", summary="Choose my channels, addresses and quiet hours")
async def choose(request: Request, body: Preferences, actor: Person) -> PreferencesView:
    offered = settings().channels()
    refused = [c for c in body.channels if c not in offered]
    if refused:
        raise Problem(
            f"this installation cannot send by {', '.join(refused)}",
            status=422,
            code="validation",
            title="The request has invalid fields",
            errors=[{"pointer": "/channels", "detail": f"one of {list(offered)}", "code": "channel_unavailable"}],
        )
    quiet = (body.quiet_hours.start, body.quiet_hours.end) if body.quiet_hours else None
    async with transaction(request) as conn:
        await store.save_person(
            conn, actor.subject, actor.role.value, audiences(actor), body.email, body.phone, list(body.channels), quiet
        )
        row = await store.person(conn, actor.subject)
    return _view(row)


def _view(row: dict[str, Any] | None) -> PreferencesView:
    offered = list(settings().channels())
    if row is None:
        return PreferencesView(available_channels=offered)
    quiet = QuietHours(start=row["quiet_start"], end=row["quiet_end"]) if row["quiet_start"] is not None else None
    return PreferencesView(
        email=row["email"],
        phone=row["phone"],
        channels=[c for c in row["channels"] if c in ("email", "sms")],
        quiet_hours=quiet,
        available_channels=offered,
    )


class Delivery(BaseModel):
    delivery_id: UUID
    notification_id: UUID
    kind: str
    subject: str
    channel: str
    status: str
    attempts: int
    due_at: datetime = Field(description="Pending: when it is tried next.")
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class Deliveries(BaseModel):
    counts: dict[str, int]
    items: list[Delivery]


@router.get("/deliveries", summary="Admin: e-mail and SMS deliveries, their attempts, next try and last error")
async def deliveries(
    request: Request,
    _: Admin,
    status: Literal["pending", "sent", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Deliveries:
    async with transaction(request) as conn:
        rows = await store.deliveries(conn, status, limit)
        counts = await store.delivery_counts(conn)
    return Deliveries(counts=counts, items=[Delivery(**r) for r in rows])


class Retry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[UUID] | None = Field(default=None, max_length=500, description="These; every failed one when left out.")


@router.post("/deliveries/retry", summary="Admin: send failed deliveries again (after the server or address is fixed)")
async def retry(request: Request, body: Retry, _: Admin) -> dict[str, int]:
    async with transaction(request) as conn:
        requeued = await store.requeue(conn, body.ids)
    return {"requeued": requeued}


routers: list[APIRouter] = [session_router, router]
