"""The events the matcher service consumes, and the handler applied to each (inside the inbox transaction)."""

from __future__ import annotations

from contracts.banks import BANK_EVENTS
from contracts.firms import FIRM_EVENTS, NEED_EVENTS
from lianrong_platform.kafka.consumer import Handler

TOPICS: tuple[str, ...] = (
    FIRM_EVENTS,
    NEED_EVENTS,
    BANK_EVENTS,
)

# Event type -> handler. Events of other types on these topics are acknowledged and ignored.
HANDLERS: dict[str, Handler] = {}
