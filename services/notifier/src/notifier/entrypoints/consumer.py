"""The notifier's consumer side: what it subscribes to follows from what its event handlers handle."""

from __future__ import annotations

from lianrong_platform.kafka.consumer import Handler
from notifier.event_handlers import subscriptions
from notifier.settings import NotifierSettings

TOPICS: tuple[str, ...] = subscriptions.topics


def build_handlers(settings: NotifierSettings) -> dict[str, Handler]:
    return subscriptions.bind(settings=settings)
