"""Events published by the banks service."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from contracts.envelope import Event
from contracts.values import (
    AnnualRate,
    BankRole,
    ChainCode,
    CollateralKind,
    DeclineReason,
    HonourCode,
    NumbersAreNotBooleans,
    ProductType,
    RejectReason,
    SizeClass,
    TownCode,
    Yuan,
)

BANK_EVENTS = "banks.bank-events"
MATCH_OUTCOMES = "banks.match-outcomes"


class LeadBankDesignated(Event):
    """The regulator designated a bank as lead bank (主办行) or cooperating bank (合作银行) of a key chain."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.LeadBankDesignated"] = "banks.LeadBankDesignated"
    version: Literal[1] = 1
    designation_id: UUID
    bank_id: UUID
    chain: ChainCode
    role: BankRole
    valid_from: date
    valid_until: date | None = None
    chain_credit_line: Yuan | None = None  # 整链授信, when the bank attaches one


class BankKind(StrEnum):
    STATE_OWNED = "state_owned"  # 国有大型商业银行
    JOINT_STOCK = "joint_stock"  # 股份制商业银行
    CITY_COMMERCIAL = "city_commercial"  # 城市商业银行
    RURAL = "rural"  # 农村商业银行
    POLICY = "policy"  # 政策性银行
    FOREIGN = "foreign"  # 外资银行


class BankRegistered(Event):
    """A bank joined the mechanism."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.BankRegistered"] = "banks.BankRegistered"
    version: Literal[1] = 1
    bank_id: UUID
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    kind: BankKind


class DesignationEnded(Event):
    """A lead or cooperating designation ended (replaced, or revoked by the regulator)."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.DesignationEnded"] = "banks.DesignationEnded"
    version: Literal[1] = 1
    designation_id: UUID
    bank_id: UUID
    chain: ChainCode
    role: BankRole
    ended_on: date


class ProductTerms(NumbersAreNotBooleans):
    """What a product offers and to whom: the matcher's hard rules come from here."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    product_type: ProductType
    amount_min: Yuan
    amount_max: Yuan
    term_min_months: int = Field(ge=1, le=360)
    term_max_months: int = Field(ge=1, le=360)
    rate_min: AnnualRate
    rate_max: AnnualRate
    chains: tuple[ChainCode, ...] = Field(min_length=1)
    towns: tuple[TownCode, ...] = Field(default=(), description="Empty: every town.")
    size_classes: tuple[SizeClass, ...] = Field(min_length=1)
    honours_required: tuple[HonourCode, ...] = Field(default=(), description="The firm must hold one of these.")
    honours_favoured: tuple[HonourCode, ...] = ()
    requires_link_confirmation: bool = False
    requires_receivable_confirmation: bool = False
    collateral_accepted: tuple[CollateralKind, ...] = Field(
        default=(CollateralKind.NONE,), description="The firm must offer one of these; `none` means unsecured."
    )
    capacity: Yuan = Field(description="The credit this product may commit in all (its line).")
    active_from: date
    active_until: date | None = None


class ProductPublished(Event):
    """A bank published a product (主办行 offer) with its terms and credit capacity."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.ProductPublished"] = "banks.ProductPublished"
    version: Literal[1] = 1
    product_id: UUID
    bank_id: UUID
    terms: ProductTerms


class ProductChanged(Event):
    """A product's terms or capacity changed; carries the whole new terms."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.ProductChanged"] = "banks.ProductChanged"
    version: Literal[1] = 1
    product_id: UUID
    bank_id: UUID
    terms: ProductTerms


class ProductWithdrawn(Event):
    """A product takes no new matches."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.ProductWithdrawn"] = "banks.ProductWithdrawn"
    version: Literal[1] = 1
    product_id: UUID
    bank_id: UUID


class OfficerProfile(NumbersAreNotBooleans):
    """A manufacturing finance officer's coverage and load limit."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    centre: str = Field(default="", max_length=200, description="The 制造业服务中心 the officer works in.")
    chains: tuple[ChainCode, ...] = Field(min_length=1)
    towns: tuple[TownCode, ...] = Field(default=(), description="Empty: every town.")
    max_open_matches: int = Field(ge=1, le=1000)
    available: bool = True


class OfficerRegistered(Event):
    """A bank named a manufacturing finance officer (制造业金融服务官)."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.OfficerRegistered"] = "banks.OfficerRegistered"
    version: Literal[1] = 1
    officer_id: UUID
    bank_id: UUID
    profile: OfficerProfile


class OfficerChanged(Event):
    """An officer's coverage, load limit or availability changed; carries the whole new profile."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.OfficerChanged"] = "banks.OfficerChanged"
    version: Literal[1] = 1
    officer_id: UUID
    bank_id: UUID
    profile: OfficerProfile


class _Outcome(Event):
    topic: ClassVar[str] = MATCH_OUTCOMES
    key_field: ClassVar[str] = "need_id"
    match_id: UUID
    need_id: UUID
    bank_id: UUID
    officer_id: UUID


class MatchAccepted(_Outcome):
    """The officer accepted the match and will contact the firm."""

    type: Literal["banks.MatchAccepted"] = "banks.MatchAccepted"
    version: Literal[1] = 1


class MatchDeclined(_Outcome):
    """The officer passed the match on without contacting the firm; the matcher re-routes the need."""

    type: Literal["banks.MatchDeclined"] = "banks.MatchDeclined"
    version: Literal[1] = 1
    reason: DeclineReason
    note: str = Field(default="", max_length=500)


class LoanApproved(_Outcome):
    """The bank approved credit for the need."""

    type: Literal["banks.LoanApproved"] = "banks.LoanApproved"
    version: Literal[1] = 1
    product_id: UUID
    amount: Yuan
    annual_rate: AnnualRate
    term_months: int = Field(ge=1, le=360)


class LoanRejected(_Outcome):
    """The bank refused the loan after assessing it."""

    type: Literal["banks.LoanRejected"] = "banks.LoanRejected"
    version: Literal[1] = 1
    reason: RejectReason
    note: str = Field(default="", max_length=500)


class LoanDisbursed(_Outcome):
    """Money reached the firm: the product's capacity is consumed by this amount."""

    type: Literal["banks.LoanDisbursed"] = "banks.LoanDisbursed"
    version: Literal[1] = 1
    product_id: UUID
    amount: Yuan
    disbursed_on: date
    unsecured: bool = Field(description="信用贷款: counted in the regulator's unsecured-credit share.")
