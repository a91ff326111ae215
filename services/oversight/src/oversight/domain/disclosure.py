"""Disclosure control: what of a table of cells may be published without revealing any small group of firms.

The rule (documented in the API):
1. Threshold: a cell backed by fewer than MIN_FIRMS distinct firms is suppressed entirely.
2. Dominance: an amount in which one firm holds more than DOMINANCE of the sum is suppressed.
3. Secondary suppression: a coarser table sums the cells of this one, so within every group of cells that differ
   in one dimension only (same week), the suppressed cells are never a single cell and always hold at least
   MIN_FIRMS firms together; otherwise the smallest published cell of the group is suppressed too, until stable.
   The same holds, metric by metric, for suppressed amounts.
   Each published statistic rests on MIN_FIRMS firms of its own: a count (or sum) of a metric that fewer firms
   make up within a published cell is withheld, with the same protection within groups and linked tables, so a
   cell of 40 firms never publishes "approved: 1".
4. Linked tables: a cell is published only if the finer table under it (one more dimension) would not reveal
   anything through it: beneath it, no suppressed cell, or at least two holding at least MIN_FIRMS firms together.
5. Time: each week is a cell of its own; a figure over several weeks adds only the weeks published, so comparing
   two date ranges reveals only published weeks.
Filtered dimensions count as grouped ones (a filter selects cells of the finer table).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

MIN_FIRMS = 5
DOMINANCE = 0.7


@dataclass
class Cell:
    key: tuple[str, ...]  # one value per grouped dimension
    week: date
    firms: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_firm: dict[str, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    metric_firms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    suppressed: bool = False
    forced: bool = False  # suppressed because of the finer table beneath it
    forced_counts: set[str] = field(default_factory=set)  # metrics withheld because of the finer table
    hidden_counts: set[str] = field(default_factory=set)
    hidden_amounts: set[str] = field(default_factory=set)

    def add(self, metric: str, firm: str, count: int, amount: Decimal | None) -> None:
        self.firms.add(firm)
        self.metric_firms[metric].add(firm)
        self.counts[metric] += count
        if amount is not None:
            self.amounts[metric] += amount
            self.by_firm[metric][firm] += amount

    def dominated(self, metric: str) -> bool:
        total = self.amounts.get(metric, Decimal(0))
        if total <= 0:
            return False
        return max(self.by_firm[metric].values()) / total > Decimal(str(DOMINANCE))


def control(cells: Sequence[Cell], min_firms: int = MIN_FIRMS) -> None:
    """Mark what may not be published, in place."""
    for cell in cells:
        cell.suppressed = cell.forced or len(cell.firms) < min_firms
        few = {m for m, firms in cell.metric_firms.items() if len(firms) < min_firms}
        cell.hidden_counts = set(cell.counts) if cell.suppressed else few | (cell.forced_counts & set(cell.counts))
        cell.hidden_amounts = {m for m in cell.amounts if m in cell.hidden_counts or cell.dominated(m)}
    dims = len(cells[0].key) if cells else 0
    changed = True
    while changed:
        changed = False
        for group in _groups(cells, dims):
            changed |= _protect_cells(group, min_firms)
            for metric in {m for c in group for m in c.counts}:
                changed |= _protect_counts(group, metric, min_firms)
            for metric in {m for c in group for m in c.amounts}:
                changed |= _protect_amounts(group, metric)


def _groups(cells: Iterable[Cell], dims: int) -> list[list[Cell]]:
    groups: dict[tuple[object, ...], list[Cell]] = defaultdict(list)
    for cell in cells:
        for i in range(dims):
            groups[(i, cell.week, *cell.key[:i], *cell.key[i + 1 :])].append(cell)
    return [g for g in groups.values() if len(g) > 1]


def _protect_cells(group: list[Cell], min_firms: int) -> bool:
    hidden = [c for c in group if c.suppressed]
    if not hidden:
        return False
    union = set().union(*(c.firms for c in hidden))
    if len(hidden) > 1 and len(union) >= min_firms:
        return False
    shown = [c for c in group if not c.suppressed]
    if not shown:
        return False  # the coarser cell is then the same small group, and is suppressed there by the threshold
    smallest = min(shown, key=lambda c: (len(c.firms), c.key))
    smallest.suppressed = True
    smallest.hidden_counts = set(smallest.counts)
    smallest.hidden_amounts = set(smallest.amounts)
    return True


def _protect_counts(group: list[Cell], metric: str, min_firms: int) -> bool:
    """Rule 3 for one metric's counts: the withheld ones of a group never stand alone or on fewer than MIN_FIRMS."""
    carrying = [c for c in group if metric in c.counts]
    hidden = [c for c in carrying if metric in c.hidden_counts]
    if not hidden:
        return False
    if len(hidden) > 1 and len(set().union(*(c.metric_firms[metric] for c in hidden))) >= min_firms:
        return False
    shown = [c for c in carrying if metric not in c.hidden_counts]
    if not shown:
        return False
    smallest = min(shown, key=lambda c: (len(c.metric_firms[metric]), c.key))
    smallest.hidden_counts.add(metric)
    if metric in smallest.amounts:
        smallest.hidden_amounts.add(metric)
    return True


def _protect_amounts(group: list[Cell], metric: str) -> bool:
    carrying = [c for c in group if metric in c.amounts]
    hidden = [c for c in carrying if metric in c.hidden_amounts]
    if len(hidden) != 1:
        return False
    shown = [c for c in carrying if metric not in c.hidden_amounts]
    if not shown:
        return False
    min(shown, key=lambda c: (c.amounts[metric], c.key)).hidden_amounts.add(metric)
    return True


Fact = tuple[tuple[str, ...], date, str, str, int, Decimal | None]  # key over all dimensions, week, metric, firm, …


def build(facts: Iterable[Fact], positions: Sequence[int]) -> list[Cell]:
    cells: dict[tuple[tuple[str, ...], date], Cell] = {}
    for key, week, metric, firm, count, amount in facts:
        sub_key = tuple(key[i] for i in positions)
        cells.setdefault((sub_key, week), Cell(sub_key, week)).add(metric, firm, count, amount)
    return list(cells.values())


def publishable(
    facts: Sequence[Fact], positions: Sequence[int], dimensions: int, min_firms: int = MIN_FIRMS
) -> list[Cell]:
    """The table at `positions` (indexes into the facts' keys) with every rule applied, the linked-table rule
    included: each finer table one dimension down is controlled too, and a cell it would expose is suppressed."""
    cells = build(facts, positions)
    by_key = {(c.key, c.week): c for c in cells}
    for extra in (i for i in range(dimensions) if i not in positions):
        finer = build(facts, sorted([*positions, extra]))
        control(finer, min_firms)
        order = sorted([*positions, extra])
        beneath: dict[tuple[tuple[str, ...], date], list[Cell]] = defaultdict(list)
        for child in finer:
            parent = tuple(child.key[order.index(i)] for i in positions)
            beneath[(parent, child.week)].append(child)
        for parent_key, children in beneath.items():
            hidden = [c for c in children if c.suppressed]
            if hidden and (len(hidden) < 2 or len(set().union(*(c.firms for c in hidden))) < min_firms):
                by_key[parent_key].forced = True
            for metric in {m for child in children for m in child.counts}:
                held = [c for c in children if metric in c.hidden_counts]
                firms = set().union(*(c.metric_firms[metric] for c in held)) if held else set()
                if held and (len(held) < 2 or len(firms) < min_firms):
                    by_key[parent_key].forced_counts.add(metric)
    control(cells, min_firms)
    return cells
