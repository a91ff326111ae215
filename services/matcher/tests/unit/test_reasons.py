"""What an SME reads when nothing was left for its need: reasons counted over products, with the figure it can act
on, and nothing a bank keeps to itself."""

from __future__ import annotations

from matcher.domain.reasons import summarise


def test_reasons_are_counted_most_frequent_first_with_the_figure_an_sme_can_act_on() -> None:
    summary = summarise(
        [
            ("amount_above_max", {"max": "3000000.00"}),
            ("line_insufficient", {"free": "120000.00"}),
            ("amount_above_max", {"max": "5000000.00"}),
            ("term_below_min", {"min": "12"}),
            ("amount_above_max", {"max": "5000000"}),  # the same figure written otherwise: the first one stays
            ("term_below_min", {"min": "6"}),
            ("line_insufficient", {"free": "0.00"}),
        ]
    )
    assert summary == [
        ("amount_above_max", 3, {"max": "5000000.00"}),  # the highest maximum: ask for no more than that
        ("line_insufficient", 2, {}),  # a bank's free line is its own business
        ("term_below_min", 2, {"min": "6"}),  # the lowest minimum; ties in count go by code
    ]


def test_no_exclusion_no_reason() -> None:
    assert summarise([]) == []
