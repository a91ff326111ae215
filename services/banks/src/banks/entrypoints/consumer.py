"""The banks service's consumer side: what it subscribes to follows from what its event handlers handle."""

from __future__ import annotations

from banks.event_handlers import subscriptions
from lianrong_platform.kafka.consumer import Handler

TOPICS: tuple[str, ...] = subscriptions.topics
HANDLERS: dict[str, Handler] = subscriptions.bind()
