"""Rules on a product's terms (主办行 offers)."""

from __future__ import annotations

from decimal import Decimal

from contracts.banks import ProductTerms
from contracts.values import CollateralKind
from lianrong_platform.errors import Conflict, Invalid


def check_terms(terms: ProductTerms, *, disbursed: Decimal = Decimal(0)) -> ProductTerms:
    if terms.amount_min > terms.amount_max:
        raise Invalid("the smallest amount exceeds the largest", field="/amount_min", code="amount_range_inverted")
    if terms.term_min_months > terms.term_max_months:
        raise Invalid("the shortest term exceeds the longest", field="/term_min_months", code="term_range_inverted")
    if terms.rate_min > terms.rate_max:
        raise Invalid("the lowest rate exceeds the highest", field="/rate_min", code="rate_range_inverted")
    if terms.active_until is not None and terms.active_until < terms.active_from:
        raise Invalid("the product cannot end before it starts", field="/active_until", code="ends_before_start")
    if terms.capacity < disbursed:
        raise Invalid(
            f"capacity cannot fall below the {disbursed} already disbursed",
            field="/capacity",
            code="capacity_below_disbursed",
            params={"disbursed": disbursed},
        )
    if terms.amount_max > terms.capacity:
        raise Invalid(
            "the largest amount exceeds the product's whole capacity",
            field="/amount_max",
            code="amount_max_above_capacity",
        )
    if CollateralKind.NONE in terms.collateral_accepted and len(terms.collateral_accepted) > 1:
        raise Invalid(
            "'none' (unsecured) cannot be combined with collateral kinds",
            field="/collateral_accepted",
            code="unsecured_with_collateral",
        )
    return terms


def is_unsecured(terms: ProductTerms) -> bool:
    """信用贷款: lent without collateral or guarantee."""
    return terms.collateral_accepted == (CollateralKind.NONE,)


def check_line(capacity: Decimal, disbursed: Decimal, reserved: Decimal) -> None:
    """A line is never cut below what is committed on it: disbursed plus reserved by open matches."""
    committed = disbursed + reserved
    if capacity < committed:
        raise Conflict(
            f"the line cannot be cut below the {committed} yuan committed ({disbursed} disbursed, {reserved} reserved)",
            field="/capacity",
            code="capacity_below_committed",
            params={"committed": committed, "disbursed": disbursed, "reserved": reserved},
        )
