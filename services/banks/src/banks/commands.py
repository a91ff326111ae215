"""Commands the banks service accepts. Strict: unknown fields are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field, StringConstraints

from contracts.banks import BankKind, OfficerProfile, ProductTerms
from contracts.values import AnnualRate, BankRole, ChainCode, DeclineReason, NumbersAreNotBooleans, RejectReason

Money = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"), max_digits=16, decimal_places=2)]


class Command(NumbersAreNotBooleans):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegisterBank(Command):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9_-]{2,32}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: BankKind
    bank_id: UUID | None = None


class Designate(Command):
    chain: ChainCode
    bank_id: UUID
    role: BankRole
    valid_from: date
    valid_until: date | None = None
    chain_credit_line: Money | None = None


class EndDesignation(Command):
    ended_on: date


PublishProduct = ProductTerms  # a product is published with its whole terms


class RegisterOfficer(OfficerProfile):
    officer_id: UUID | None = Field(default=None, description="Normally made here; named for a known identity.")


class Decline(Command):
    reason: DeclineReason
    note: str = Field(default="", max_length=500)


class Approve(Command):
    amount: Money
    annual_rate: AnnualRate
    term_months: int = Field(ge=1, le=360)


class Reject(Command):
    reason: RejectReason
    note: str = Field(default="", max_length=500)


class Disburse(Command):
    amount: Money
    disbursed_on: date
