"""The officer's side of a match: what may follow what.

proposed ──accept──▶ accepted ──approve──▶ approved ──disburse──▶ disbursed
    │                    └──reject──▶ rejected
    ├──decline──▶ declined
    ├──(deadline passed, matcher re-routed)──▶ expired
any open status ──(firm withdrew the need)──▶ withdrawn
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

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


def next_status(current: MatchStatus, action: Action, *, now: datetime, answer_by: datetime) -> MatchStatus:
    required, after = ALLOWED[action]
    if current is not required:
        raise Conflict(f"cannot {action.value} a match that is {current.value}; it must be {required.value}")
    if action in (Action.ACCEPT, Action.DECLINE) and now > answer_by:
        # The matcher re-routes at the deadline; an answer after it would race the next officer.
        raise Conflict("the answer deadline has passed; the need is being re-routed")
    return after


def check_approval(amount: Decimal, requested: Decimal, amount_min: Decimal, amount_max: Decimal) -> None:
    if amount > requested:
        raise Invalid("cannot approve more than the firm asked for", field="/amount", code="above_request")
    if not amount_min <= amount <= amount_max:
        raise Invalid(
            f"the product lends between {amount_min} and {amount_max}",
            field="/amount",
            code="outside_product_amounts",
            params={"min": amount_min, "max": amount_max},
        )


def check_disbursement(amount: Decimal, approved: Decimal) -> None:
    if amount > approved:
        raise Invalid(
            f"cannot disburse more than the {approved} approved",
            field="/amount",
            code="above_approval",
            params={"approved": approved},
        )
