"""What the firms API returns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.firms import ChainPosition, Honour, NeedTerms
from contracts.values import ClaimKind, SizeClass, SupplierTier
from firms.domain.links import Decision
from firms.domain.need import Milestone, NeedStatus


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class TownView(View):
    code: str
    name_zh: str
    kind: str


class ChainView(View):
    code: str
    name_zh: str
    name_en: str


class ChainMasterView(View):
    firm_id: UUID
    legal_name: str
    chains: list[str]


class ContactView(View):
    name: str
    phone: str


class FirmView(View):
    firm_id: UUID
    uscc: str
    legal_name: str
    town: str
    employees: int
    revenue_last_year: Decimal
    size_class: SizeClass
    honours: list[Honour]
    chain_master_of: list[str]
    contact: ContactView | None
    registered_at: datetime
    updated_at: datetime


class LinkView(View):
    link_id: UUID
    supplier_firm_id: UUID
    supplier_name: str
    chain_master_firm_id: UUID
    chain_master_name: str
    chain: str
    tier: SupplierTier
    annual_supply_value: Decimal
    status: Decision
    reason: str
    declared_at: datetime
    decided_at: datetime | None
    revoked_at: datetime | None = None


class ReceivableView(View):
    receivable_id: UUID
    link_id: UUID
    supplier_firm_id: UUID
    chain_master_firm_id: UUID
    kind: ClaimKind
    amount: Decimal
    due_date: date
    status: Decision
    reason: str
    declared_at: datetime
    decided_at: datetime | None
    revoked_at: datetime | None = None


class TimelineEntryView(View):
    at: datetime
    milestone: Milestone
    detail: dict[str, Any]
    correlation_id: UUID | None = None  # the request this entry follows from (X-Correlation-Id), in every service


class NeedView(View):
    need_id: UUID
    firm_id: UUID
    chain: str
    terms: NeedTerms
    first_loan: bool
    position: ChainPosition
    status: NeedStatus
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntryView] = []
