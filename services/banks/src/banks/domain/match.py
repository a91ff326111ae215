"""The officer's side of a match: what may follow what.

proposed ──accept──▶ accepted ──approve──▶ approved ──disburse──▶ disbursed
    │                    └──reject──▶ rejected
    ├──decline──▶ declined
    ├──(deadline passed, matcher re-routed)──▶ expired
accepted ──(no credit decision by the decision deadline, matcher re-routed)──▶ expired
any open status ──(firm withdrew the need)──▶ withdrawn
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from contracts.banks import ProductTerms
from lianrong_platform.errors import Conflict, Invalid


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    APPROVE = "approve"
    REJECT = "reject"
    DISBURSE = "disburse"


ALLOWED: dict[Action, tuple[MatchStatus, MatchStatus]] = {
    Action.ACCEPT: (MatchStatus.PROPOSED, MatchStatus.ACCEPTED),
    Action.DECLINE: (MatchStatus.PROPOSED, MatchStatus.DECLINED),
    Action.APPROVE: (MatchStatus.ACCEPTED, MatchStatus.APPROVED),
    Action.REJECT: (MatchStatus.ACCEPTED, MatchStatus.REJECTED),
    Action.DISBURSE: (MatchStatus.APPROVED, MatchStatus.DISBURSED),
}
OPEN = frozenset({MatchStatus.PROPOSED, MatchStatus.ACCEPTED, MatchStatus.APPROVED})


def next_status(
    current: MatchStatus, action: Action, *, now: datetime, answer_by: datetime, decide_by: datetime | None = None
) -> MatchStatus:
    required, after = ALLOWED[action]
    if current is not required:
        raise Conflict(f"cannot {action.value} a match that is {current.value}; it must be {required.value}")
    if action in (Action.ACCEPT, Action.DECLINE) and now > answer_by:
        # The matcher re-routes at the deadline; an answer after it would race the next officer.
        raise Conflict("the answer deadline has passed; the need is being re-routed")
    if action in (Action.APPROVE, Action.REJECT) and decide_by is not None and now > decide_by:
        # The matcher releases an accepted match with no decision by then and offers the need to another bank.
        raise Conflict("the decision deadline has passed; the need is being re-routed")
    return after


def check_approval(
    amount: Decimal, annual_rate: Decimal, term_months: int, requested: Decimal, terms: ProductTerms
) -> None:
    """An approval stays within what the firm asked for and what the product lends (amount, rate, term)."""
    if amount > requested:
        raise Invalid("cannot approve more than the firm asked for", field="/amount", code="above_request")
    if not terms.amount_min <= amount <= terms.amount_max:
        raise Invalid(
            f"the product lends between {terms.amount_min} and {terms.amount_max}",
            field="/amount",
            code="outside_product_amounts",
            params={"min": terms.amount_min, "max": terms.amount_max},
        )
    if not terms.rate_min <= annual_rate <= terms.rate_max:
        raise Invalid(
            f"the product's rate is between {terms.rate_min} and {terms.rate_max}",
            field="/annual_rate",
            code="outside_product_rates",
            params={"min": terms.rate_min, "max": terms.rate_max},
        )
    if not terms.term_min_months <= term_months <= terms.term_max_months:
        raise Invalid(
            "the term is outside the product's range",
            field="/term_months",
            code="outside_product_terms",
            params={"min": terms.term_min_months, "max": terms.term_max_months},
        )


def check_disbursement(
    amount: Decimal,
    approved: Decimal,
    *,
    on: date | None = None,
    earliest: date | None = None,
    today: date | None = None,
) -> None:
    """No more than approved, on a day between the match's arrival and today (a 2020 date for a 2026 loan is a typo)."""
    if on is not None and earliest is not None and today is not None and not earliest <= on <= today:
        raise Invalid(
            f"the disbursement date must lie between {earliest} and {today}",
            field="/disbursed_on",
            code="date_out_of_range",
            params={"min": earliest.isoformat(), "max": today.isoformat()},
        )
    if amount > approved:
        raise Invalid(
            f"cannot disburse more than the {approved} approved",
            field="/amount",
            code="above_approval",
            params={"approved": approved},
        )
