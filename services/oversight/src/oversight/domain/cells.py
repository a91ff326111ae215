"""Where an event is counted: a cell of chain × town × bank × size class × week, and the metric it adds to."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
DIMENSIONS = ("chain", "town", "bank", "size_class")
NO_BANK = "-"  # needs submitted or escalated belong to no bank yet

# Metric names; amounts are kept for those in AMOUNT_METRICS.
SUBMITTED, MATCHED, REROUTED, SLA_BREACH, ESCALATED = "submitted", "matched", "rerouted", "sla_breach", "escalated"
CONTACTED, APPROVED, DISBURSED, WITHDRAWN = "contacted", "approved", "disbursed", "withdrawn"
DISBURSED_FIRST_LOAN, DISBURSED_UNSECURED = "disbursed_first_loan", "disbursed_unsecured"
DECLINED, REJECTED = "declined", "rejected"  # stored as declined:<reason>, rejected:<reason>
DECISION_BREACH = "decision_breach"  # accepted, but no credit decision by the decision deadline
# 融资需求调度: needs on the coordination desk, per town and bank — listed, contacted (by the desk or a bank), decided
# within the desk's clock, approved, the clock breached, closed by outcome (desk_closed:<outcome>).
DESK_LISTED, DESK_CONTACTED, DESK_DECIDED_IN_TIME = "desk_listed", "desk_contacted", "desk_decided_in_time"
DESK_APPROVED, DESK_BREACH, DESK_CLOSED = "desk_approved", "desk_breach", "desk_closed"
SUBMITTED_LISTED = "submitted_listed"  # needs from a recommendation list (推荐清单), counted apart as well
AMOUNT_METRICS = frozenset({SUBMITTED, APPROVED, DISBURSED, DISBURSED_FIRST_LOAN, DISBURSED_UNSECURED})
TO_CONTACT, TO_DECISION = "to_contact", "to_decision"


def week_of(moment: datetime) -> date:
    """The Monday (in Dongguan) of the week the moment falls in."""
    day = moment.astimezone(CHINA).date()
    return day - timedelta(days=day.weekday())
