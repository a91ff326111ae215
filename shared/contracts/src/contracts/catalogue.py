"""The topic catalogue: every topic, its partitions, and the events it carries.

Partitions are explicit: need- and match-streams get several so the matcher can scale out in one consumer group;
the key (the aggregate id) keeps each aggregate's events in order within its partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeAlias

from pydantic import Field, TypeAdapter

from contracts import banks, firms, matcher
from contracts.envelope import Event


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    description: str
    events: tuple[type[Event], ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        firms.FIRM_EVENTS,
        3,
        "Firms, their chain-master links and confirmed receivables (key: firm id).",
        (firms.FirmRegistered,),
    ),
    Topic(
        firms.NEED_EVENTS,
        6,
        "Financing needs as SMEs submit, amend and withdraw them (key: need id).",
        (firms.NeedSubmitted, firms.NeedWithdrawn),
    ),
    Topic(
        banks.BANK_EVENTS,
        3,
        "Banks, lead-bank designations, products and officers (key: bank id).",
        (banks.LeadBankDesignated,),
    ),
    Topic(
        matcher.MATCH_EVENTS,
        6,
        "Match proposals, re-routes and escalations (key: need id).",
        (matcher.MatchProposed, matcher.NeedEscalated),
    ),
)

EVENT_TYPES: tuple[type[Event], ...] = tuple(e for t in TOPICS for e in t.events)

AnyEvent: TypeAlias = Annotated[
    firms.FirmRegistered
    | firms.NeedSubmitted
    | firms.NeedWithdrawn
    | banks.LeadBankDesignated
    | matcher.MatchProposed
    | matcher.NeedEscalated,
    Field(discriminator="type"),
]
_any_event: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


def dead_letter_topic(consumer_group: str) -> str:
    """Where a consumer group parks messages it can never process, with the error in the headers."""
    return f"{consumer_group}.dead-letter"


def decode(raw: bytes | str) -> Event:
    """Parse one message value into its event class; raises pydantic.ValidationError for anything else."""
    event: Event = _any_event.validate_json(raw)
    return event


def encode(event: Event) -> bytes:
    return event.model_dump_json().encode()
