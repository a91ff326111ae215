"""Events published by the firms service."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Event
from contracts.values import (
    AnnualRate,
    ChainCode,
    ClaimKind,
    CollateralKind,
    ConsentScope,
    HonourCode,
    NumbersAreNotBooleans,
    ProductType,
    SizeClass,
    SupplierTier,
    TownCode,
    Yuan,
)

FIRM_EVENTS = "firms.firm-events"
NEED_EVENTS = "firms.need-events"
DISCLOSURES = "firms.disclosures"


class Honour(BaseModel):
    """An honour with the dates it is valid for (a lapsed 专精特新 no longer counts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: HonourCode
    valid_from: date
    valid_until: date | None = None


class FirmFacts(NumbersAreNotBooleans):
    """What matching needs to know of a firm, as it stands."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    town: TownCode
    employees: int = Field(ge=0)
    revenue_last_year: Yuan
    size_class: SizeClass
    honours: tuple[Honour, ...] = ()


class FirmRegistered(Event):
    """An SME (中小微企业) or chain master registered with a validated USCC (统一社会信用代码)."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "firm_id"
    type: Literal["firms.FirmRegistered"] = "firms.FirmRegistered"
    version: Literal[1] = 1
    firm_id: UUID
    uscc: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    legal_name: str = Field(min_length=1, max_length=200)
    facts: FirmFacts


class FirmChanged(Event):
    """A firm's facts changed (head-count, revenue, town, honours); carries the whole new state."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "firm_id"
    type: Literal["firms.FirmChanged"] = "firms.FirmChanged"
    version: Literal[1] = 1
    firm_id: UUID
    facts: FirmFacts


class ChainMasterDesignated(Event):
    """A registered firm was recorded as chain master (链主企业) of one or more key chains."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "firm_id"
    type: Literal["firms.ChainMasterDesignated"] = "firms.ChainMasterDesignated"
    version: Literal[1] = 1
    firm_id: UUID
    legal_name: str = Field(min_length=1, max_length=200)
    chains: tuple[ChainCode, ...] = Field(min_length=1)


class SupplierLinkDeclared(Event):
    """An SME declared that it supplies a chain master; the chain master has yet to confirm it (确权)."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.SupplierLinkDeclared"] = "firms.SupplierLinkDeclared"
    version: Literal[1] = 1
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    chain: ChainCode
    tier: SupplierTier
    annual_supply_value: Yuan


class SupplierLinkConfirmed(Event):
    """The chain master confirmed that the SME supplies it: what lets a lead bank lend on the chain's strength."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.SupplierLinkConfirmed"] = "firms.SupplierLinkConfirmed"
    version: Literal[1] = 1
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    chain: ChainCode
    tier: SupplierTier


class SupplierLinkRejected(Event):
    """The chain master said the SME does not supply it (as declared)."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.SupplierLinkRejected"] = "firms.SupplierLinkRejected"
    version: Literal[1] = 1
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    reason: str = Field(default="", max_length=500)


class ReceivableDeclared(Event):
    """An SME asked its chain master to confirm a receivable or order on a confirmed link."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.ReceivableDeclared"] = "firms.ReceivableDeclared"
    version: Literal[1] = 1
    receivable_id: UUID
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    kind: ClaimKind
    amount: Yuan
    due_date: date


class ReceivableConfirmed(Event):
    """The chain master confirmed a receivable or order: anchor-based products (订单贷, 保理) may lend against it."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.ReceivableConfirmed"] = "firms.ReceivableConfirmed"
    version: Literal[1] = 1
    receivable_id: UUID
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    kind: ClaimKind
    amount: Yuan
    due_date: date


class ReceivableRejected(Event):
    """The chain master did not confirm a receivable or order."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.ReceivableRejected"] = "firms.ReceivableRejected"
    version: Literal[1] = 1
    receivable_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    reason: str = Field(default="", max_length=500)


class SupplierLinkRevoked(Event):
    """The chain master withdrew its confirmation of a supplier link: needs that relied on it lose it in matching."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.SupplierLinkRevoked"] = "firms.SupplierLinkRevoked"
    version: Literal[1] = 1
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    chain: ChainCode
    reason: str = Field(min_length=1, max_length=500)
    need_ids: tuple[UUID, ...] = Field(default=(), description="The supplier's open needs that relied on the link.")


class ReceivableRevoked(Event):
    """The chain master withdrew its confirmation of a receivable or order: it backs no need any more."""

    topic: ClassVar[str] = FIRM_EVENTS
    key_field: ClassVar[str] = "supplier_firm_id"
    type: Literal["firms.ReceivableRevoked"] = "firms.ReceivableRevoked"
    version: Literal[1] = 1
    receivable_id: UUID
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    reason: str = Field(min_length=1, max_length=500)
    need_ids: tuple[UUID, ...] = Field(default=(), description="The supplier's open needs that relied on it.")


class NeedTerms(NumbersAreNotBooleans):
    """What the SME asks for; amendable until the need is matched."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    amount: Yuan
    term_months: int = Field(ge=1, le=360)
    purpose: str = Field(min_length=1, max_length=500)
    product_types: tuple[ProductType, ...] = Field(min_length=1)
    collateral: tuple[CollateralKind, ...] = (CollateralKind.NONE,)
    max_annual_rate: AnnualRate | None = None
    needed_by: date | None = None
    consent_scope: ConsentScope
    consent_until: date


class ChainPosition(BaseModel):
    """The firm's place in the chain the need is for, as the firms service knows it at submission."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    chain_master_firm_id: UUID | None = None
    tier: SupplierTier | None = None
    link_confirmed: bool = False
    receivable_id: UUID | None = None
    receivable_kind: ClaimKind | None = None
    receivable_amount: Yuan | None = None
    receivable_due: date | None = None


class NeedSubmitted(Event):
    """An SME published a financing need (融资需求), with the firm's facts and chain position at that moment."""

    topic: ClassVar[str] = NEED_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["firms.NeedSubmitted"] = "firms.NeedSubmitted"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
    chain: ChainCode
    terms: NeedTerms
    first_loan: bool = Field(description="Would this be the firm's first bank loan (首贷)?")
    firm: FirmFacts
    position: ChainPosition
    source: Literal["sme", "recommendation_list"] = Field(
        default="sme",
        description="`recommendation_list`: listed by a town task force (推荐清单) from a visit, with the consent the "
        "firm signed recorded by the coordinator; routed like any need, and counted apart by the PBOC.",
    )


class NeedAmended(Event):
    """The SME changed the terms of a need that was not matched yet; carries the whole new terms."""

    topic: ClassVar[str] = NEED_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["firms.NeedAmended"] = "firms.NeedAmended"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
    terms: NeedTerms


class NeedWithdrawn(Event):
    """The SME withdrew a need; nobody may act on it any more."""

    topic: ClassVar[str] = NEED_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["firms.NeedWithdrawn"] = "firms.NeedWithdrawn"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
    reason: str = Field(default="", max_length=500)


class FirmDataDisclosed(Event):
    """With the SME's consent, the firm's identity and contact for the officer a need was matched to.

    Published only when the need's consent scope covers the matched bank and has not expired; the bank may use it
    for this need only.
    """

    topic: ClassVar[str] = DISCLOSURES
    key_field: ClassVar[str] = "need_id"
    type: Literal["firms.FirmDataDisclosed"] = "firms.FirmDataDisclosed"
    version: Literal[1] = 1
    need_id: UUID
    match_id: UUID
    bank_id: UUID
    firm_id: UUID
    uscc: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    legal_name: str = Field(min_length=1, max_length=200)
    contact_name: str = Field(min_length=1, max_length=50)
    contact_phone: str = Field(min_length=1, max_length=20)
    facts: FirmFacts
