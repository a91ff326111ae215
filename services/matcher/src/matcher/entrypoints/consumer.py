"""The events the matcher consumes, and the handler applied to each (inside the inbox transaction)."""

from __future__ import annotations

from contracts import banks, firms
from lianrong_platform.kafka.consumer import Handler
from matcher.handlers import handlers
from matcher.settings import MatcherSettings

TOPICS: tuple[str, ...] = (firms.FIRM_EVENTS, firms.NEED_EVENTS, banks.BANK_EVENTS, banks.MATCH_OUTCOMES)


def build_handlers(settings: MatcherSettings) -> dict[str, Handler]:
    return handlers(settings)
