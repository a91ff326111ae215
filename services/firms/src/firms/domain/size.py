"""Size class for industry (工信部联企业〔2011〕300号), with the thresholds held as data.

A revision of the standard is pending, so the numbers live in `size_thresholds.json`, not here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from contracts.values import SizeClass

THRESHOLDS_FILE = Path(__file__).with_name("size_thresholds.json")


@dataclass(frozen=True)
class ClassFloor:
    size_class: SizeClass
    min_employees: int
    min_revenue: Decimal


@dataclass(frozen=True)
class SizeThresholds:
    """SME ceiling (a firm at or above BOTH is not an SME) and class floors from the largest class down."""

    ceiling_employees: int
    ceiling_revenue: Decimal
    floors: tuple[ClassFloor, ...]
    smallest: SizeClass

    def classify(self, employees: int, revenue: Decimal) -> SizeClass:
        if employees >= self.ceiling_employees and revenue >= self.ceiling_revenue:
            return SizeClass.NOT_SME
        for floor in self.floors:
            if employees >= floor.min_employees and revenue >= floor.min_revenue:
                return floor.size_class
        return self.smallest

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> SizeThresholds:
        data = json.loads(path.read_text())
        return cls(
            ceiling_employees=data["sme_ceiling"]["employees"],
            ceiling_revenue=Decimal(data["sme_ceiling"]["revenue_yuan"]),
            floors=tuple(
                ClassFloor(SizeClass(f["class"]), f["min_employees"], Decimal(f["min_revenue_yuan"]))
                for f in data["floors"]
            ),
            smallest=SizeClass(data["otherwise"]),
        )
