"""What the banks API returns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from banks.domain.match import MatchStatus
from contracts.banks import BankKind, OfficerProfile, ProductTerms


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class BankView(View):
    bank_id: UUID
    code: str
    name: str
    kind: BankKind


class DesignationView(View):
    designation_id: UUID
    chain: str
    bank_id: UUID
    bank_name: str
    role: str
    valid_from: date
    valid_until: date | None
    chain_credit_line: Decimal | None
    ended_on: date | None


class ProductView(View):
    product_id: UUID
    bank_id: UUID
    terms: ProductTerms
    disbursed: Decimal
    remaining: Decimal
    withdrawn: bool


class OfficerView(View):
    officer_id: UUID
    bank_id: UUID
    profile: OfficerProfile
    open_matches: int


class DisclosureView(View):
    uscc: str
    legal_name: str
    contact_name: str
    contact_phone: str


class MatchView(View):
    """What an officer sees of a match: the proposal with its explanation and deadline, the need's terms, and the
    firm's identity only if the SME's consent disclosed it to this bank."""

    match_id: UUID
    need_id: UUID
    bank_id: UUID
    officer_id: UUID
    product_id: UUID
    status: MatchStatus
    answer_by: datetime
    proposal: dict[str, Any]
    need: dict[str, Any] | None
    firm: DisclosureView | None
    approved: dict[str, Any] | None
    disbursed_amount: Decimal | None
    outcome: dict[str, Any]
    received_at: datetime
    updated_at: datetime
    correlation_id: UUID | None = None  # the request the match follows from (the SME's POST), in every service
