"""Commands the firms service accepts: what the portal and the API send. Strict: unknown fields are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from contracts.firms import Honour
from contracts.values import (
    CENT,
    AnnualRate,
    ChainCode,
    ClaimKind,
    CollateralKind,
    ConsentScope,
    NumbersAreNotBooleans,
    ProductType,
    SupplierTier,
    TownCode,
)
from lianrong_platform.http.bodies import Patch

Money = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("10000000000"), max_digits=16, decimal_places=2),
    AfterValidator(lambda value: value.quantize(CENT)),  # one form whatever was typed: 1E+5 is 100000.00
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# A mainland mobile (optionally +86) or a landline with its area code (0769-22000000).
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(?:(?:\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
]


class Command(NumbersAreNotBooleans):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Command):
    """The firm's contact person: stored minimally, shown to the firm and, with its consent, to a matched bank."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    phone: Phone


class RegisterFirm(Command):
    uscc: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    legal_name: Text
    town: TownCode
    employees: int = Field(ge=0, le=10_000_000)
    revenue_last_year: Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), max_digits=16, decimal_places=2)]
    honours: tuple[Honour, ...] = Field(default=(), max_length=20)
    contact: Contact
    firm_id: UUID | None = Field(default=None, description="Only an admin names it; otherwise the token's firm.")


class ChangeFirm(Patch):
    town: TownCode | None = None
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue_last_year: Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), max_digits=16, decimal_places=2)] | None = (
        None
    )
    honours: tuple[Honour, ...] | None = Field(default=None, max_length=20)
    contact: Contact | None = None


class DesignateChainMaster(Command):
    firm_id: UUID
    chains: tuple[ChainCode, ...] = Field(min_length=1, max_length=20)


class DeclareSupplierLink(Command):
    chain_master_firm_id: UUID
    chain: ChainCode
    tier: SupplierTier
    annual_supply_value: Money


class Decide(Command):
    reason: str = Field(default="", max_length=500)


class Revoke(Command):
    reason: str = Field(
        min_length=1, max_length=500, description="Why the confirmation is withdrawn; the SME reads it."
    )


class DeclareReceivable(Command):
    kind: ClaimKind
    amount: Money
    due_date: date


class SubmitNeed(Command):
    chain: ChainCode
    amount: Money
    term_months: int = Field(ge=1, le=360)
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    product_types: tuple[ProductType, ...] = Field(min_length=1, max_length=10)
    collateral: tuple[CollateralKind, ...] = Field(default=(CollateralKind.NONE,), min_length=1, max_length=10)
    max_annual_rate: AnnualRate | None = None
    needed_by: date | None = None
    receivable_id: UUID | None = None
    first_loan: bool
    consent_scope: ConsentScope
    consent_until: date


class AmendNeed(Patch):
    amount: Money | None = None
    term_months: int | None = Field(default=None, ge=1, le=360)
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None
    product_types: tuple[ProductType, ...] | None = Field(default=None, min_length=1, max_length=10)
    collateral: tuple[CollateralKind, ...] | None = Field(default=None, min_length=1, max_length=10)
    max_annual_rate: AnnualRate | None = None
    needed_by: date | None = None
    consent_scope: ConsentScope | None = None
    consent_until: date | None = None


class WithdrawNeed(Command):
    reason: str = Field(default="", max_length=500)


class AddChain(Command):
    code: ChainCode
    name_zh: Text
    name_en: Text
