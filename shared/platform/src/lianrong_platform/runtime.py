"""The interpreter as a service runs it.

A consumer applying a batch of 500 events allocates a few hundred thousand objects; with CPython's default collector
threshold (a collection every 700 net allocations) it spends a third of its time in collections that find nothing,
because what it allocates is freed by reference counting as soon as the batch is done. So every process collects
every `threshold` allocations instead, and what startup built (modules, settings, the market's read model, a few
hundred thousand objects that live as long as the process) is frozen out of every collection (`gc.freeze`)."""

from __future__ import annotations

import gc

DEFAULT_GC_THRESHOLD = 50_000


def tune_gc(threshold: int = DEFAULT_GC_THRESHOLD) -> None:
    """Collect every `threshold` allocations (0: CPython's default) and freeze what exists now."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(threshold, older, oldest)
