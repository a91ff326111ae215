"""Size class (工信部联企业〔2011〕300号) at and around each threshold, from thresholds held as data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.values import SizeClass
from firms.domain.size import THRESHOLDS_FILE, SizeThresholds

T = SizeThresholds.load()
WAN = Decimal(10_000)


@pytest.mark.parametrize(
    ("employees", "revenue_wan", "expected"),
    [
        (300, 2000, SizeClass.MEDIUM),  # both floors exactly
        (299, 2000, SizeClass.SMALL),
        (300, Decimal("1999.99"), SizeClass.SMALL),
        (20, 300, SizeClass.SMALL),
        (19, 300, SizeClass.MICRO),  # fewer than 20 people
        (20, Decimal("299.99"), SizeClass.MICRO),  # less than 300万
        (999, 39999, SizeClass.MEDIUM),
        (1000, 40000, SizeClass.NOT_SME),  # at both ceilings
        (1000, Decimal("39999.99"), SizeClass.MEDIUM),  # "1000人以下或4亿以下": one under the ceiling is enough
        (999, 50000, SizeClass.MEDIUM),
        (5000, 100, SizeClass.MICRO),
        (0, 0, SizeClass.MICRO),
    ],
)
def test_size_class_at_and_around_each_threshold(employees: int, revenue_wan: Decimal, expected: SizeClass) -> None:
    assert T.classify(employees, Decimal(revenue_wan) * WAN) is expected


@given(st.integers(0, 5000), st.decimals(0, Decimal("1e9"), places=2), st.integers(0, 5000))
def test_more_people_never_makes_a_firm_smaller(employees: int, revenue: Decimal, extra: int) -> None:
    order = [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.NOT_SME]
    assert order.index(T.classify(employees + extra, revenue)) >= order.index(T.classify(employees, revenue))


def test_thresholds_are_data_so_a_revision_needs_no_code(tmp_path: Path) -> None:
    data = json.loads(THRESHOLDS_FILE.read_text())
    data["floors"][1]["min_employees"] = 10  # a revised small-firm floor
    revised = tmp_path / "t.json"
    revised.write_text(json.dumps(data))
    assert SizeThresholds.load(revised).classify(10, Decimal(3_000_000)) is SizeClass.SMALL
    assert T.classify(10, Decimal(3_000_000)) is SizeClass.MICRO
