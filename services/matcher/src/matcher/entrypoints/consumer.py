"""The matcher's consumer side: what it subscribes to follows from what its event handlers handle."""

from __future__ import annotations

from lianrong_platform.kafka.consumer import Handler
from matcher.event_handlers import subscriptions
from matcher.settings import MatcherSettings

TOPICS: tuple[str, ...] = subscriptions.topics


def build_handlers(settings: MatcherSettings) -> dict[str, Handler]:
    return subscriptions.bind(settings=settings)
