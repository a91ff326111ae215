"""What a confirmed receivable or order (确权的应收账款/订单) can back: no more than its value times the advance rate
of its kind, across all the live needs that rely on it — the guard against financing one claim twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from contracts.values import ClaimKind
from lianrong_platform.errors import Conflict, Invalid

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AdvanceRates:
    """Advance rate per claim kind, held as data (`advance_rates.json`) so a policy change is not a code change."""

    rates: dict[ClaimKind, Decimal]

    @classmethod
    def load(cls, path: Path | None = None) -> AdvanceRates:
        raw = json.loads((path or Path(__file__).with_name("advance_rates.json")).read_text())
        return cls({kind: Decimal(raw[kind.value]) for kind in ClaimKind})

    def backing(self, kind: ClaimKind, amount: Decimal) -> Decimal:
        """The most a claim of this kind and amount can back, rounded down to the fen."""
        return (amount * self.rates[kind]).quantize(CENT, rounding=ROUND_DOWN)


def check_backed(asked: Decimal, backing: Decimal, pledged_by_others: Decimal, rate: Decimal) -> None:
    """Refuse a need that asks more than its claim can back, or more than other live needs left of it."""
    if asked > backing:
        raise Invalid(
            f"the amount is above what the confirmed claim can back ({backing} yuan)",
            field="/amount",
            code="above_claim_backing",
            params={"backing": backing, "advance_rate": rate},
        )
    left = max(backing - pledged_by_others, Decimal(0))
    if asked > left:
        raise Conflict(
            f"other live needs rely on this claim already: {left} yuan of it is left",
            field="/amount",
            code="claim_backing_taken",
            params={"left": left, "backing": backing},
        )
