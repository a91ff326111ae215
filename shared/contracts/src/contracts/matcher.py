"""Events published by the matcher service."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.envelope import Event
from contracts.values import BankRole, ChainCode, Yuan

MATCH_EVENTS = "matcher.match-events"


class ScoreComponent(BaseModel):
    """One readable part of a match score, e.g. `lead_bank` 0.30 × 1.0 "主办行 of the chain"."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    weight: float
    value: float
    explanation: str = Field(max_length=500)


class Exclusion(BaseModel):
    """A candidate product of the addressed bank that the matcher did not choose, and why.

    `code` is stable (`amount_above_max`, `line_insufficient`, `outranked` …) and `params` its figures as strings
    (`{"max": "3000000.00"}`), so a reader can word it in its own language. An event carries only the exclusions of
    the bank it is addressed to; every candidate of every bank stays in the matcher's decision record."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    bank_id: UUID
    product_id: UUID
    rule: str = Field(min_length=1, max_length=64)
    detail: str = Field(default="", max_length=500)
    code: str = Field(default="", max_length=64)
    params: dict[str, str] = Field(default_factory=dict)


class Reason(BaseModel):
    """Why no candidate was left for a need, counted over the products considered, with no bank named: what an SME
    can read and act on (`amount_above_max {"max": "3000000.00"}` on 4 products: ask for less)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    products: int = Field(ge=0, description="How many of the products considered this reason excluded.")
    params: dict[str, str] = Field(
        default_factory=dict, description="The figure nearest to the need's terms (the highest maximum, …)."
    )


class MatchProposed(Event):
    """The matcher proposed a need to one bank's product and officer (制造业金融服务官).

    The officer must answer by `answer_by`, or the need is re-routed to the next candidate.
    """

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.MatchProposed"] = "matcher.MatchProposed"
    version: Literal[1] = 1
    match_id: UUID
    need_id: UUID
    firm_id: UUID
    chain: ChainCode
    bank_id: UUID
    bank_name: str = Field(max_length=200)
    bank_role: BankRole | None = Field(description="The bank's role for the need's chain; None when it has none.")
    product_id: UUID
    product_name: str = Field(max_length=200)
    officer_id: UUID
    officer_name: str = Field(max_length=100)
    reserved_amount: Yuan
    attempt: int = Field(ge=1, description="1 for the first proposal of the need, then one more per re-route.")
    score: float
    components: tuple[ScoreComponent, ...]
    excluded: tuple[Exclusion, ...] = ()
    answer_by: AwareDatetime
    decide_within_seconds: int | None = Field(
        default=None,
        ge=1,
        description="Once the officer accepts, the bank has this long for a credit decision; then the match is "
        "released and the need re-routed (MatchDecisionOverdue).",
    )


class MatchExpired(Event):
    """The officer did not answer by the deadline: the reservation is released and the need re-routed."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.MatchExpired"] = "matcher.MatchExpired"
    version: Literal[1] = 1
    match_id: UUID
    need_id: UUID
    bank_id: UUID
    officer_id: UUID
    attempt: int = Field(ge=1)


class NeedEscalated(Event):
    """No eligible candidate is left for a need: it goes to the regulator's attention, never silently dropped.

    Version 2: why is told as reason codes only (`reasons`), no longer as an English sentence; a version-1 event
    is read as version 2 (see contracts.evolution)."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.NeedEscalated"] = "matcher.NeedEscalated"
    version: Literal[2] = 2
    need_id: UUID
    firm_id: UUID
    chain: ChainCode
    attempts: int = Field(ge=0)
    reasons: tuple[Reason, ...] = Field(min_length=1)


class MatchDecisionOverdue(Event):
    """An officer accepted a match but the bank made no credit decision by the decision deadline (30 calendar days by
    default, as the recommendation-list mechanism asks): the reservation is released, the breach counted, and the need
    re-routed to another bank."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.MatchDecisionOverdue"] = "matcher.MatchDecisionOverdue"
    version: Literal[1] = 1
    match_id: UUID
    need_id: UUID
    bank_id: UUID
    officer_id: UUID
    attempt: int = Field(ge=1)
    accepted_at: AwareDatetime
    decide_by: AwareDatetime
