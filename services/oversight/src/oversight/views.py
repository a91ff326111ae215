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
    """A chain's lead bank (主办行) and what it did with the chain's needs over the period."""

    chain: str
    bank_id: UUID
    bank_name: str | None
    weeks_published: int
    weeks_withheld: int
    needs_routed: int
    answered: int
    sla_breaches: int
    decision_breaches: int
    approved: int
    rejected: int
    approval_rate: float | None
    amount_disbursed: Decimal | None
    chain_credit_line: Decimal | None
    credit_line_used: float | None
