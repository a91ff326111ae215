"""Value types shared by several contracts."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, get_args

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator

CENT = Decimal("0.01")


def _canonical(places: Decimal) -> AfterValidator:
    """One form on the wire and in storage whatever was typed: 1E+5 and 100000 are both 100000.00."""
    return AfterValidator(lambda value: value.quantize(places))


# Money is always yuan as a Decimal with two places: never a float, never 万 (ten-thousands).
Yuan = Annotated[
    Decimal, Field(ge=0, max_digits=16, decimal_places=2, description="Amount in yuan (元)."), _canonical(CENT)
]
AnnualRate = Annotated[
    Decimal,
    Field(ge=0, le=1, max_digits=7, decimal_places=6, description="0.0385 = 3.85%/year."),
    # Positional, without trailing zeros: 3.85E-2 and 0.038500 are both 0.0385.
    AfterValidator(lambda value: Decimal(format(value.normalize(), "f"))),
]


class NumbersAreNotBooleans(BaseModel):
    """Refuses true/false where a number is expected (lax parsing would read true as 1 month or 1 employee)."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if annotation is not bool and bool not in get_args(annotation):
                raise ValueError("a number is expected, not true or false")
        return value


Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
ChainCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="A key industrial chain (重点产业链), e.g. `smart_terminal`.",
    ),
]
TownCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="One of Dongguan's 33 towns, streets and parks, e.g. `songshan_lake`.",
    ),
]


class SizeClass(StrEnum):
    """Size class for industry (工信部联企业〔2011〕300号)."""

    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"
    NOT_SME = "not_sme"


class ProductType(StrEnum):
    """Kinds of chain finance a bank offers."""

    CREDIT_LOAN = "credit_loan"  # 信用贷
    ORDER_LOAN = "order_loan"  # 订单贷
    RECEIVABLE_PLEDGE = "receivable_pledge"  # 应收账款质押/保理
    REVERSE_FACTORING = "reverse_factoring"  # 反向保理 / 数字债权凭证
    EQUIPMENT_LEASING = "equipment_leasing"  # 设备融资租赁
    INVENTORY_PLEDGE = "inventory_pledge"  # 仓单/存货质押


class ConsentScope(StrEnum):
    """Which banks may see the firm's data for one need."""

    LEAD_BANK_ONLY = "lead_bank_only"
    CHAIN_BANKS = "chain_banks"
    ANY_ELIGIBLE_BANK = "any_eligible_bank"


class BankRole(StrEnum):
    """A bank's role for one key chain."""

    LEAD = "lead"  # 主办行
    COOPERATING = "cooperating"  # 合作银行


class CollateralKind(StrEnum):
    """What the firm can offer as security."""

    NONE = "none"  # 信用: unsecured
    GUARANTEE = "guarantee"  # 担保 (a guarantee company or a person)
    REAL_ESTATE = "real_estate"  # 房产抵押
    EQUIPMENT = "equipment"  # 设备抵押
    RECEIVABLE = "receivable"  # 应收账款质押
    INVENTORY = "inventory"  # 仓单/存货质押
    ORDER = "order"  # 订单


class HonourCode(StrEnum):
    """Honours and tiers a firm can hold, several at once."""

    ABOVE_SCALE = "above_scale"  # 规上 (main-business revenue ≥ 2000万)
    HIGH_TECH = "high_tech"  # 高新技术企业
    INNOVATIVE_SME = "innovative_sme"  # 创新型中小企业
    SPECIALISED = "specialised"  # 专精特新 (provincial)
    LITTLE_GIANT = "little_giant"  # 专精特新"小巨人" (national)
    SINGLE_CHAMPION = "single_champion"  # 制造业单项冠军
    DOUBLING = "doubling"  # 东莞倍增企业


class SupplierTier(StrEnum):
    """A supplier's distance from the chain master (一级/二级/三级供应链)."""

    TIER_1 = "tier_1"
    TIER_2 = "tier_2"
    TIER_3 = "tier_3"


class ClaimKind(StrEnum):
    """What a chain master confirms for anchor-based products."""

    RECEIVABLE = "receivable"  # 应收账款
    ORDER = "order"  # 订单


class DeclineReason(StrEnum):
    """Why an officer passes a proposed match on before contacting the firm (a fixed list, so it can be counted)."""

    OUTSIDE_APPETITE = "outside_appetite"  # 不符合准入
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    OFFICER_UNAVAILABLE = "officer_unavailable"
    OTHER = "other"


class RejectReason(StrEnum):
    """Why a bank refused a loan after assessing it."""

    CREDIT_HISTORY = "credit_history"
    INSUFFICIENT_CASH_FLOW = "insufficient_cash_flow"
    INSUFFICIENT_COLLATERAL = "insufficient_collateral"
    CHAIN_RELATION_UNVERIFIED = "chain_relation_unverified"
    POLICY_RESTRICTION = "policy_restriction"
    FIRM_WITHDREW = "firm_withdrew"
    OTHER = "other"
