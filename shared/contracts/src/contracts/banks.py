"""Events published by the banks service."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from contracts.envelope import Event
from contracts.values import AnnualRate, BankRole, ChainCode, DeclineReason, RejectReason, Yuan

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
