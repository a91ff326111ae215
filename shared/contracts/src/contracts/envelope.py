"""The one envelope every Lianrong event travels in.

An event is a frozen pydantic model: the envelope fields below plus the fields of its kind. Its `type` is the
discriminator ("<producer>.<PastTenseName>"), its `version` changes only for a breaking change (which then needs an
upcaster); new fields are only ever added, with defaults, so old consumers keep reading new events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def utc_now() -> datetime:
    return datetime.now(UTC)


_CORRELATION: ContextVar[UUID | None] = ContextVar("lianrong_correlation_id", default=None)


def current_correlation() -> UUID:
    """The correlation id of the request or message being handled, so every event it records shares it; a new one
    outside any."""
    return _CORRELATION.get() or uuid4()


@contextmanager
def correlation(correlation_id: UUID) -> Iterator[None]:
    """Events created inside carry `correlation_id` (an HTTP request's, or the consumed event's)."""
    token = _CORRELATION.set(correlation_id)
    try:
        yield
    finally:
        _CORRELATION.reset(token)


class Event(BaseModel):
    """Envelope fields shared by all events; subclasses add `type`, `version` and their own fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_timedelta="iso8601")

    # Routing facts of the kind, not part of the payload: where the event goes and which field keys it.
    topic: ClassVar[str]
    key_field: ClassVar[str]

    event_id: UUID = Field(default_factory=uuid4, description="Unique per event; consumers deduplicate on it.")
    type: str
    version: int
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    correlation_id: UUID = Field(
        default_factory=current_correlation,
        description="Shared by every event caused by one user action or request: the HTTP request's id (or its "
        "X-Correlation-Id), carried on by every event that follows from it. Also a Kafka header.",
    )
    causation_id: UUID | None = Field(default=None, description="The event_id of the event that caused this one.")
    producer: str = Field(min_length=1, max_length=64, description="The service that published the event.")

    @property
    def key(self) -> bytes:
        """The Kafka key: the aggregate id, so one aggregate's events stay in order on one partition."""
        return str(getattr(self, self.key_field)).encode()

    def caused(self, **fields: Any) -> dict[str, Any]:
        """Envelope fields for an event caused by this one: same correlation, causation pointing here."""
        return {"correlation_id": self.correlation_id, "causation_id": self.event_id, **fields}
