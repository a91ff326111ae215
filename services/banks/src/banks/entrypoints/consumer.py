"""The events the banks service consumes, and the handler applied to each (inside the inbox transaction)."""

from __future__ import annotations

from contracts.matcher import MATCH_EVENTS
from lianrong_platform.kafka.consumer import Handler

TOPICS: tuple[str, ...] = (MATCH_EVENTS,)

# Event type -> handler. Events of other types on these topics are acknowledged and ignored.
HANDLERS: dict[str, Handler] = {}
