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
    """A candidate product the matcher did not choose, and the rule that excluded it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    bank_id: UUID
    product_id: UUID
    rule: str = Field(min_length=1, max_length=64)
    detail: str = Field(default="", max_length=500)


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
    """No eligible candidate is left for a need: it goes to the regulator's attention, never silently dropped."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.NeedEscalated"] = "matcher.NeedEscalated"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
    chain: ChainCode
    attempts: int = Field(ge=0)
    reason: str = Field(min_length=1, max_length=500)
