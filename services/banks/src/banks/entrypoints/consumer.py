"""The events the banks service consumes, and the handler applied to each (inside the inbox transaction)."""

from __future__ import annotations

from banks.inbox import expire_proposal, keep_need, receive_disclosure, receive_proposal
from contracts import firms, matcher
from lianrong_platform.kafka.consumer import Handler

TOPICS: tuple[str, ...] = (firms.NEED_EVENTS, matcher.MATCH_EVENTS, firms.DISCLOSURES)

# Event type -> handler. Events of other types on these topics are acknowledged and ignored.
HANDLERS: dict[str, Handler] = {
    "firms.NeedSubmitted": keep_need,
    "firms.NeedAmended": keep_need,
    "firms.NeedWithdrawn": keep_need,
    "matcher.MatchProposed": receive_proposal,
    "matcher.MatchExpired": expire_proposal,
    "matcher.MatchDecisionOverdue": expire_proposal,
    "firms.FirmDataDisclosed": receive_disclosure,
}
