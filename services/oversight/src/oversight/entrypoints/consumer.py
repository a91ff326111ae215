"""The oversight service's consumer side: what it subscribes to follows from what its event handlers handle."""

from __future__ import annotations

from lianrong_platform.kafka.consumer import Handler
from oversight.event_handlers import subscriptions
from oversight.settings import OversightSettings

TOPICS: tuple[str, ...] = subscriptions.topics


def build_handlers(settings: OversightSettings) -> dict[str, Handler]:
    return subscriptions.bind(settings=settings)
