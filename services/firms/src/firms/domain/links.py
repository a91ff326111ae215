"""Supplier links (确权) and the receivables or orders a chain master confirms on them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from lianrong_platform.errors import Conflict, Invalid

MAX_CLAIM_TERM = timedelta(days=366)  # a confirmed receivable or order falls due within one year


class Decision(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    REVOKED = "revoked"  # the chain master withdrew a confirmation it had given


def check_revocable(current: Decision, what: str) -> None:
    if current is not Decision.CONFIRMED:
        raise Conflict(f"only a confirmed {what} can be revoked; this one is {current.value}")


def check_decidable(current: Decision, what: str) -> None:
    if current is not Decision.PENDING:
        raise Conflict(f"this {what} was {current.value} already")


def check_claim(amount: Decimal, due_date: date, today: date) -> None:
    if amount <= 0:
        raise Invalid("the amount must be positive", field="/amount", code="not_positive")
    if due_date < today:
        raise Invalid("the due date is already past", field="/due_date", code="date_past")
    if due_date > today + MAX_CLAIM_TERM:
        raise Invalid(
            "a receivable or order to confirm must fall due within one year",
            field="/due_date",
            code="due_beyond_one_year",
        )
