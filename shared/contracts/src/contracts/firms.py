"""Events published by the firms service."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from contracts.envelope import Event
from contracts.values import AnnualRate, ChainCode, ConsentScope, ProductType, SizeClass, TownCode, Yuan

FIRM_EVENTS = "firms.firm-events"
NEED_EVENTS = "firms.need-events"


class FirmRegistered(Event):
    """An SME (中小微企业) or chain master registered with a validated USCC (统一社会信用代码)."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "firm_id"
    type: Literal["firms.FirmRegistered"] = "firms.FirmRegistered"
    version: Literal[1] = 1
    firm_id: UUID
    uscc: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    legal_name: str = Field(min_length=1, max_length=200)
    town: TownCode
    size_class: SizeClass
    honours: tuple[str, ...] = ()


class NeedSubmitted(Event):
    """An SME published a financing need (融资需求)."""

    topic: ClassVar[str] = NEED_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["firms.NeedSubmitted"] = "firms.NeedSubmitted"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
    chain: ChainCode
    amount: Yuan
    term_months: int = Field(ge=1, le=360)
    product_types: tuple[ProductType, ...] = Field(min_length=1)
    max_annual_rate: AnnualRate | None = None
    needed_by: date | None = None
    first_loan: bool = Field(description="Would this be the firm's first bank loan (首贷)?")
    consent_scope: ConsentScope
    consent_until: date


class NeedWithdrawn(Event):
    """The SME withdrew a need; nobody may act on it any more."""

    topic: ClassVar[str] = NEED_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["firms.NeedWithdrawn"] = "firms.NeedWithdrawn"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
