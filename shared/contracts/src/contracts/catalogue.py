"""The topic catalogue: every topic, its partitions, and the events it carries.

Partitions are explicit: need- and match-streams get several so the matcher can scale out in one consumer group;
the key (the aggregate id) keeps each aggregate's events in order within its partition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Union

from pydantic import Field, TypeAdapter, ValidationError

from contracts import banks, firms, matcher
from contracts.envelope import Event
from contracts.evolution import UPCASTERS, upcast


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
        "Firms, chain masters, supplier links (确权) and confirmed receivables (key: the firm, or the supplier).",
        (
            firms.FirmRegistered,
            firms.FirmChanged,
            firms.ChainMasterDesignated,
            firms.SupplierLinkDeclared,
            firms.SupplierLinkConfirmed,
            firms.SupplierLinkRejected,
            firms.ReceivableDeclared,
            firms.ReceivableConfirmed,
            firms.ReceivableRejected,
            firms.SupplierLinkRevoked,
            firms.ReceivableRevoked,
        ),
    ),
    Topic(
        firms.NEED_EVENTS,
        6,
        "Financing needs as SMEs submit, amend and withdraw them (key: need id).",
        (firms.NeedSubmitted, firms.NeedAmended, firms.NeedWithdrawn),
    ),
    Topic(
        firms.DISCLOSURES,
        6,
        "Firm identity and contact, disclosed with the SME's consent to the bank a need was matched to (key: need).",
        (firms.FirmDataDisclosed,),
    ),
    Topic(
        banks.BANK_EVENTS,
        3,
        "Banks, lead-bank designations, products and officers (key: bank id).",
        (
            banks.BankRegistered,
            banks.LeadBankDesignated,
            banks.DesignationEnded,
            banks.ProductPublished,
            banks.ProductChanged,
            banks.ProductWithdrawn,
            banks.OfficerRegistered,
            banks.OfficerChanged,
        ),
    ),
    Topic(
        banks.MATCH_OUTCOMES,
        6,
        "What officers did with the matches they were given (key: need id).",
        (banks.MatchAccepted, banks.MatchDeclined, banks.LoanApproved, banks.LoanRejected, banks.LoanDisbursed),
    ),
    Topic(
        matcher.MATCH_EVENTS,
        6,
        "Match proposals, expiries and overdue decisions (re-routes) and escalations (key: need id).",
        (
            matcher.MatchProposed,
            matcher.MatchExpired,
            matcher.NeedEscalated,
            matcher.MatchDecisionOverdue,
            matcher.NeedListed,
            matcher.DeskContactRecorded,
            matcher.DeskItemClosed,
            matcher.DeskClockBreached,
        ),
    ),
)

EVENT_TYPES: tuple[type[Event], ...] = tuple(e for t in TOPICS for e in t.events)

# What a bank's own systems receive by webhook: the events that concern that bank alone.
WEBHOOK_EVENTS: tuple[type[Event], ...] = (
    matcher.MatchProposed,
    matcher.MatchExpired,
    matcher.MatchDecisionOverdue,
    firms.FirmDataDisclosed,
    firms.NeedWithdrawn,
    banks.MatchAccepted,
    banks.MatchDeclined,
    banks.LoanApproved,
    banks.LoanRejected,
    banks.LoanDisbursed,
)

# The discriminated union of every event type, built from the catalogue so the two cannot disagree.
AnyEvent = Annotated[Union[EVENT_TYPES], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
_any_event: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


def dead_letter_topic(consumer_group: str) -> str:
    """Where a consumer group parks messages it can never process, with the error in the headers."""
    return f"{consumer_group}.dead-letter"


def decode(raw: bytes | str) -> Event:
    """Parse one message value into the latest version of its event class, as a tolerant reader: fields this code
    does not know are ignored, and an older version is raised through its upcasters. Raises
    pydantic.ValidationError for anything else (a malformed message, an unknown type, a version from the future)."""
    try:
        event: Event = _any_event.validate_json(raw, extra="ignore")
        return event
    except ValidationError as invalid:
        # The slow path: an older version of an event, or nothing readable at all (then the original error).
        try:
            payload = json.loads(raw)
        except ValueError:
            raise invalid from None
        if not isinstance(payload, dict) or (payload.get("type"), payload.get("version")) not in UPCASTERS:
            raise
    raised: Event = _any_event.validate_python(upcast(payload), extra="ignore")
    return raised


def encode(event: Event) -> bytes:
    return event.model_dump_json().encode()
