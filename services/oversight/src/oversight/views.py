"""What the oversight API returns: aggregates only, after disclosure control."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Figure(BaseModel):
    """A count, and its sum in yuan where the metric has one and it is published (null when withheld)."""

    count: int
    amount: Decimal | None = None


class FlowCell(BaseModel):
    key: dict[str, str] = Field(
        description="The grouping's values for this cell (chain, town, bank, size_class, week)."
    )
    metrics: dict[str, Figure | float | None] = Field(
        description="Counts and sums by metric; `<metric>_median_s` and `<metric>_p90_s` are durations in seconds."
    )
    amounts_withheld: list[str] = Field(description="Metrics whose sums are withheld by disclosure control.")
    counts_withheld: list[str] = Field(
        default_factory=list,
        description="Metrics whose counts are withheld: fewer than the threshold of distinct firms make them up here, "
        "or they would reveal such a figure. Absent from `metrics`, never shown as 0.",
    )


class Flows(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    by: list[str]
    filters: dict[str, str]
    cells: list[FlowCell]
    totals: dict[str, Figure]
    week_cells_withheld: int = Field(description="Week cells not published (fewer than the threshold of firms, …).")
    rule: str


class LeadBankRecord(BaseModel):
    """A chain's lead bank (主办行) and what it did with the chain's needs over the period. A figure is null when
    fewer than the threshold of distinct firms make it up (withheld, not zero)."""

    chain: str
    bank_id: UUID
    bank_name: str | None
    weeks_published: int
    weeks_withheld: int
    needs_routed: int | None
    answered: int | None
    sla_breaches: int | None
    decision_breaches: int | None
    approved: int | None
    rejected: int | None
    approval_rate: float | None
    amount_disbursed: Decimal | None
    chain_credit_line: Decimal | None
    credit_line_used: float | None
