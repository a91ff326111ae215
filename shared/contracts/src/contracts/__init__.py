"""Lianrong's event contracts: one envelope, frozen models, one topic catalogue. Services import these; they never
copy each other's schemas."""

from contracts.catalogue import EVENT_TYPES, TOPICS, AnyEvent, Topic, dead_letter_topic, decode, encode
from contracts.envelope import Event

__all__ = ["EVENT_TYPES", "TOPICS", "AnyEvent", "Event", "Topic", "dead_letter_topic", "decode", "encode"]
