"""Disclosure control: no published figure, alone or differenced with another table's, reveals fewer than five
firms or one firm's amount."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.domain.disclosure import MIN_FIRMS, Cell, publishable

WEEK = date(2026, 11, 16)
Fact = tuple[str, str, int, str, int]  # chain, town, week offset, firm, amount


facts_strategy = st.lists(
    st.tuples(
        st.sampled_from("ABC"),
        st.sampled_from("wxyz"),
        st.integers(0, 1),
        st.sampled_from([f"f{i}" for i in range(25)]),
        st.integers(1, 1000),
    ),
    min_size=1,
    max_size=120,
)


def table(facts: list[Fact], dims: tuple[int, ...]) -> list[Cell]:
    rows = [
        ((chain, town), WEEK + timedelta(weeks=w), "submitted", firm, 1, Decimal(amount))
        for chain, town, w, firm, amount in facts
    ]
    return publishable(rows, dims, 2)


@settings(max_examples=300, deadline=None)
@given(facts_strategy)
def test_every_published_cell_has_enough_firms(facts: list[Fact]) -> None:
    for dims in ((0,), (1,), (0, 1)):
        assert all(len(c.firms) >= MIN_FIRMS for c in table(facts, dims) if not c.suppressed)


@settings(max_examples=300, deadline=None)
@given(facts_strategy)
def test_a_coarser_table_minus_a_finer_one_reveals_no_small_group(facts: list[Fact]) -> None:
    fine = table(facts, (0, 1))
    for coarse_dim in (0, 1):
        coarse = {(c.key[0], c.week): c for c in table(facts, (coarse_dim,)) if not c.suppressed}
        under: dict[tuple[str, date], list[Cell]] = defaultdict(list)
        for c in fine:
            under[(c.key[coarse_dim], c.week)].append(c)
        for parent_key in coarse:
            hidden = [c for c in under[parent_key] if c.suppressed]
            if hidden:
                # parent − published children = the hidden children together: never one cell, never few firms
                assert len(hidden) >= 2
                assert len(set().union(*(c.firms for c in hidden))) >= MIN_FIRMS
            amounts_hidden = [c for c in under[parent_key] if "submitted" in c.hidden_amounts]
            assert len(amounts_hidden) != 1


@settings(max_examples=200, deadline=None)
@given(facts_strategy)
def test_no_published_amount_is_dominated_by_one_firm(facts: list[Fact]) -> None:
    for c in table(facts, (0, 1)):
        if "submitted" not in c.hidden_amounts:
            assert not c.dominated("submitted")
            assert not c.suppressed


def test_a_lone_small_cell_takes_a_neighbour_with_it() -> None:
    facts = [("A", "w", 0, f"f{i}", 10) for i in range(6)] + [("A", "x", 0, f"g{i}", 10) for i in range(7)]
    facts += [("A", "y", 0, "h1", 10)]  # one firm alone in town y
    cells = {c.key: c for c in table(facts, (0, 1))}
    assert cells[("A", "y")].suppressed
    assert cells[("A", "w")].suppressed  # the smallest other town goes too, or y = A − w − x
    assert not cells[("A", "x")].suppressed


def test_one_firm_holding_most_of_a_sum_hides_the_amount_not_the_count() -> None:
    facts = [("A", "w", 0, f"f{i}", 10) for i in range(5)] + [("A", "w", 0, "big", 100_000)]
    [cell] = table(facts, (0, 1))
    assert not cell.suppressed
    assert cell.hidden_amounts == {"submitted"}


# Two metrics per firm's fact: every need is submitted, some are approved — approvals are the rarer statistic.
mixed_strategy = st.lists(
    st.tuples(
        st.sampled_from("ABC"),
        st.sampled_from("wxyz"),
        st.integers(0, 1),
        st.sampled_from([f"f{i}" for i in range(25)]),
        st.booleans(),
    ),
    min_size=1,
    max_size=150,
)


def mixed_table(facts: list[tuple[str, str, int, str, bool]], dims: tuple[int, ...]) -> list[Cell]:
    rows = []
    for chain, town, w, firm, approved in facts:
        rows.append(((chain, town), WEEK + timedelta(weeks=w), "submitted", firm, 1, None))
        if approved:
            rows.append(((chain, town), WEEK + timedelta(weeks=w), "approved", firm, 1, Decimal(100)))
    return publishable(rows, dims, 2)


@settings(max_examples=300, deadline=None)
@given(mixed_strategy)
def test_every_published_statistic_rests_on_enough_firms_of_its_own(
    facts: list[tuple[str, str, int, str, bool]],
) -> None:
    for dims in ((0,), (1,), (0, 1)):
        for c in mixed_table(facts, dims):
            for metric in c.counts:
                if metric not in c.hidden_counts:
                    assert not c.suppressed
                    assert len(c.metric_firms[metric]) >= MIN_FIRMS, (metric, c.metric_firms[metric])
            for metric in c.amounts:
                if metric not in c.hidden_amounts:
                    assert metric not in c.hidden_counts


@settings(max_examples=300, deadline=None)
@given(mixed_strategy)
def test_a_withheld_count_cannot_be_recovered_from_the_coarser_table(
    facts: list[tuple[str, str, int, str, bool]],
) -> None:
    fine = mixed_table(facts, (0, 1))
    for coarse_dim in (0, 1):
        coarse = mixed_table(facts, (coarse_dim,))
        for parent in coarse:
            if "approved" in parent.hidden_counts or "approved" not in parent.counts:
                continue
            children = [c for c in fine if c.key[coarse_dim] == parent.key[0] and c.week == parent.week]
            held = [c for c in children if "approved" in c.hidden_counts and "approved" in c.counts]
            if held:
                # the published parent minus the published children = the withheld children together
                assert len(held) >= 2
                assert len(set().union(*(c.metric_firms["approved"] for c in held))) >= MIN_FIRMS


def test_a_cell_of_many_firms_withholds_a_count_that_few_make_up() -> None:
    rows = [(("A", "w"), WEEK, "submitted", f"f{i}", 1, None) for i in range(12)]
    rows += [(("A", "w"), WEEK, "approved", "f0", 1, Decimal(500_000))]
    (cell,) = publishable(rows, (0, 1), 2)
    assert not cell.suppressed
    assert cell.hidden_counts == {"approved"}
    assert "approved" in cell.hidden_amounts
