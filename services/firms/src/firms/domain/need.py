"""A financing need (融资需求) and its life: what may be done to it, and its status as its timeline says.

The firms service owns the need's terms; what happens to it afterwards (matched, contacted, approved, …) is told by
the matcher's and the banks' events and kept as the need's timeline, from which its status is derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from contracts.firms import NeedTerms
from contracts.values import CollateralKind
from lianrong_platform.errors import Conflict, Invalid

MAX_AMOUNT = Decimal("500000000")  # 5亿: above any SME need; an amount beyond it is a typo
MIN_AMOUNT = Decimal("10000")  # 1万


class NeedStatus(StrEnum):
    SUBMITTED = "submitted"  # published, no proposal yet: the only status in which terms may change
    MATCHED = "matched"  # proposed to an officer, awaiting the answer
    CONTACTED = "contacted"  # an officer accepted and will contact the firm
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    ESCALATED = "escalated"  # no candidate left: with the regulator
    WITHDRAWN = "withdrawn"


class Milestone(StrEnum):
    """Kinds of timeline entries, one for each event about the need."""

    SUBMITTED = "submitted"
    AMENDED = "amended"
    MATCHED = "matched"
    REROUTED = "rerouted"  # a later proposal after a decline or an expiry
    EXPIRED = "expired"
    DECLINED = "declined"
    CONTACTED = "contacted"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    ESCALATED = "escalated"
    WITHDRAWN = "withdrawn"
    CONFIRMATION_REVOKED = "confirmation_revoked"  # the chain master withdrew the link or claim the need relied on
    DECISION_OVERDUE = "decision_overdue"  # the bank accepted but decided nothing in time; another bank is asked


# What each milestone makes the status; None leaves it as it was (a decline or an expiry is followed by a re-route).
_STATUS_AFTER: dict[Milestone, NeedStatus | None] = {
    Milestone.SUBMITTED: NeedStatus.SUBMITTED,
    Milestone.AMENDED: None,
    Milestone.MATCHED: NeedStatus.MATCHED,
    Milestone.REROUTED: NeedStatus.MATCHED,
    Milestone.EXPIRED: None,
    Milestone.DECLINED: None,
    Milestone.CONTACTED: NeedStatus.CONTACTED,
    Milestone.APPROVED: NeedStatus.APPROVED,
    Milestone.REJECTED: NeedStatus.REJECTED,
    Milestone.DISBURSED: NeedStatus.DISBURSED,
    Milestone.ESCALATED: NeedStatus.ESCALATED,
    Milestone.WITHDRAWN: NeedStatus.WITHDRAWN,
    Milestone.CONFIRMATION_REVOKED: None,
    Milestone.DECISION_OVERDUE: None,
}
FINAL = frozenset({NeedStatus.DISBURSED, NeedStatus.WITHDRAWN})


@dataclass(frozen=True)
class Entry:
    at: datetime
    milestone: Milestone


def status_of(entries: list[Entry]) -> NeedStatus:
    """The status after the timeline's entries in time order. Nothing moves a need out of a final status: a late
    event (a proposal crossing a withdrawal in flight) is recorded but does not revive it."""
    status = NeedStatus.SUBMITTED
    for entry in sorted(entries, key=lambda e: e.at):
        after = _STATUS_AFTER[entry.milestone]
        if after is not None and status not in FINAL:
            status = after
    return status


def check_terms(terms: NeedTerms, today: date) -> NeedTerms:
    if terms.amount < MIN_AMOUNT or terms.amount > MAX_AMOUNT:
        raise Invalid(
            f"the amount must be between {MIN_AMOUNT} and {MAX_AMOUNT} yuan",
            field="/amount",
            code="amount_out_of_range",
            params={"min": MIN_AMOUNT, "max": MAX_AMOUNT},
        )
    if terms.consent_until < today:
        raise Invalid("consent must last at least until today", field="/consent_until", code="date_past")
    if terms.needed_by is not None and terms.needed_by < today:
        raise Invalid("the date needed by is already past", field="/needed_by", code="date_past")
    if CollateralKind.NONE in terms.collateral and len(terms.collateral) > 1:
        raise Invalid(
            "'none' cannot be combined with other collateral", field="/collateral", code="unsecured_with_collateral"
        )
    if len(set(terms.product_types)) != len(terms.product_types):
        raise Invalid("each product type may be listed once", field="/product_types", code="listed_twice")
    return terms


AMENDABLE = frozenset({NeedStatus.SUBMITTED, NeedStatus.ESCALATED})


def check_amendable(status: NeedStatus) -> None:
    """Before it is matched, or when nobody could take it (escalated): then an amendment routes it again at once."""
    if status not in AMENDABLE:
        raise Conflict(
            f"a need can be amended only before it is matched or when it is escalated; this one is {status.value}"
        )


def check_withdrawable(status: NeedStatus) -> None:
    if status in FINAL:
        raise Conflict(f"this need is {status.value} and can no longer be withdrawn")
