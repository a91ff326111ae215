"""The events the firms service consumes, and the handler applied to each (inside the inbox transaction)."""

from __future__ import annotations

from contracts import banks, matcher
from firms.timeline import record_on_timeline
from lianrong_platform.kafka.consumer import Handler

TOPICS: tuple[str, ...] = (matcher.MATCH_EVENTS, banks.MATCH_OUTCOMES)

# Event type -> handler. Events of other types on these topics are acknowledged and ignored.
HANDLERS: dict[str, Handler] = {
    event.model_fields["type"].default: record_on_timeline
    for event in (
        matcher.MatchProposed,
        matcher.MatchExpired,
        matcher.NeedEscalated,
        matcher.MatchDecisionOverdue,
        banks.MatchAccepted,
        banks.MatchDeclined,
        banks.LoanApproved,
        banks.LoanRejected,
        banks.LoanDisbursed,
    )
}
