"""Events published by the matcher service."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.envelope import Event
from contracts.values import BankRole, ChainCode, TownCode, Yuan

MATCH_EVENTS = "matcher.match-events"


class ScoreComponent(BaseModel):
    """One readable part of a match score, e.g. `lead_bank` 0.30 × 1.0 "主办行 of the chain"."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    weight: float
    value: float
    explanation: str = Field(max_length=500)
    params: dict[str, str] = Field(
        default_factory=dict,
        description="What the explanation says, as data, so a reader words it in its own language: `case` (e.g. "
        "lead, cooperating, none for lead_bank) and the figures (bank, rate_min, ceiling, committed, open, max, "
        "honours).",
    )


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
    route: Literal["automatic", "recommended"] = Field(
        default="automatic",
        description="`recommended`: a coordinator of the 融资需求调度 desk pushed the need to this bank, outside the "
        "automatic tiers (the bank's products still had to be eligible, the SME's consent included).",
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


# --- 融资需求调度: the coordination desk ---------------------------------------------------------------------------
DeskOutcome = Literal["financed_elsewhere", "not_a_real_need", "firm_declined", "no_bank_could_serve"]


class NeedListed(Event):
    """A need landed on the coordination desk of its town (融资需求调度): after an escalation, or from a
    recommendation list (推荐清单). From now it has an owner until it is answered, and the clock to a credit decision
    runs (30 days by default)."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.NeedListed"] = "matcher.NeedListed"
    version: Literal[1] = 1
    need_id: UUID
    firm_id: UUID
    chain: ChainCode
    town: TownCode
    listed_at: AwareDatetime
    decide_by: AwareDatetime = Field(description="The credit decision is due by then (the desk's clock).")
    source: Literal["escalation", "recommendation_list"]


class DeskContactRecorded(Event):
    """A coordinator visited or called the firm about a need on the desk."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.DeskContactRecorded"] = "matcher.DeskContactRecorded"
    version: Literal[1] = 1
    need_id: UUID
    town: TownCode
    kind: Literal["visit", "call"]
    contacted_at: AwareDatetime


class DeskItemClosed(Event):
    """A coordinator closed a need's desk item with its outcome and a reason code."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.DeskItemClosed"] = "matcher.DeskItemClosed"
    version: Literal[1] = 1
    need_id: UUID
    town: TownCode
    outcome: DeskOutcome
    reason_code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")


class DeskClockBreached(Event):
    """A listed need reached its decision deadline with no credit decision: the breach the PBOC counts."""

    topic: ClassVar[str] = MATCH_EVENTS
    key_field: ClassVar[str] = "need_id"
    type: Literal["matcher.DeskClockBreached"] = "matcher.DeskClockBreached"
    version: Literal[1] = 1
    need_id: UUID
    town: TownCode
    listed_at: AwareDatetime
    decide_by: AwareDatetime
