"""The matcher's own settings (MATCHER_…): the answer deadline and how it is counted."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MatcherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    sla_seconds: int = Field(default=4 * 3600, ge=1, description="How long an officer has to answer a proposal.")
    sla_working_hours: bool = Field(default=True, description="Count the deadline in working hours only.")
    sla_check_seconds: float = Field(default=1.0, gt=0, description="How often overdue proposals are looked for.")
    retry_escalated_seconds: int = Field(
        default=900,
        ge=1,
        description="How long an escalated need waits before it is tried again (capacity frees up, officers return).",
    )
    retry_escalated_days: int = Field(
        default=30, ge=0, description="Escalated needs older than this (since submission) are no longer tried again."
    )
    decision_seconds: int = Field(
        default=30 * 86400,
        ge=1,
        description="After an officer accepts, how long the bank has for a credit decision (calendar time) before the "
        "match is released, counted as a breach and the need re-routed.",
    )
    decision_grace_seconds: int = Field(
        default=60, ge=0, description="How long after the decision deadline a late decision may still arrive."
    )
    desk_clock_seconds: int = Field(
        default=30 * 86400,
        ge=1,
        description="融资需求调度: from a need's listing on the coordination desk to the credit decision it is owed "
        "(30 days, as the recommendation-list mechanism asks); past it the breach is counted.",
    )
    record_retention_days: int = Field(
        default=3650, ge=1, description="How long routing decisions are kept in the decision record (全程留痕)."
    )
    capacity_prices: bool = Field(
        default=True,
        description="Score candidates with capacity prices (bid prices) learned from recent demand, so a line that "
        "some needs alone can use is kept for them; off: the lead bank's tier first, then the best score.",
    )
    price_refresh_seconds: int = Field(default=600, ge=1, description="How often capacity prices are learned again.")
    price_sample_needs: int = Field(
        default=2000, ge=1, description="At most this many of the window's latest needs are learned from."
    )
    price_window_days: int = Field(
        default=30, ge=1, description="The recent demand capacity prices are learned from, in days."
    )
    line_period_days: int = Field(
        default=365,
        ge=1,
        description="The period a product's line is granted for: the window's demand meets that share of each line.",
    )
    wait_for_capacity_seconds: int = Field(
        default=0,
        ge=0,
        description="A need no line can take now, but that fits a line or an officer held by open proposals, waits "
        "this long for them to free (tried again every `wait_retry_seconds`) before it is escalated; 0: at once.",
    )
    wait_retry_seconds: float = Field(default=30.0, gt=0, description="How often a waiting need is tried again.")
