"""The events the oversight service consumes: every service's, counted by cell."""

from __future__ import annotations

from contracts import banks, firms, matcher
from lianrong_platform.kafka.consumer import Handler
from oversight.recording import recorders
from oversight.settings import OversightSettings

TOPICS: tuple[str, ...] = (firms.NEED_EVENTS, matcher.MATCH_EVENTS, banks.MATCH_OUTCOMES, banks.BANK_EVENTS)


def build_handlers(settings: OversightSettings) -> dict[str, Handler]:
    return recorders(settings)
