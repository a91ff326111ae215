"""Value types shared by several contracts."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

# Money is always yuan as a Decimal with two places: never a float, never 万 (ten-thousands).
Yuan = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2, description="Amount in yuan (元).")]
AnnualRate = Annotated[Decimal, Field(ge=0, le=1, max_digits=7, decimal_places=6, description="0.0385 = 3.85%/year.")]
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
