"""The targets the benchmark reports against, in one place (the matcher's issue sets them): each with the measure it
reads from results/latest.json and whether higher or lower is better."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    key: str
    text: str
    limit: float
    higher_is_better: bool = True

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.limit if self.higher_is_better else value <= self.limit


TARGETS = (
    Target("pipeline_vs_noop", "pipeline ÷ same-topology no-logic baseline", 0.30),
    Target("pipeline_needs_per_second", "pipeline needs/s (2 cores, Kafka and PostgreSQL on the machine)", 2000),
    Target("burst_24k_seconds", "24,000-need burst: first produced → last decision consumed (s)", 15, False),
    Target("decision_speedup_p500", "decision with its record: indexed ÷ naive scan, 500 products", 25),
    Target("decision_speedup_p2000", "decision with its record: indexed ÷ naive scan, 2,000 products", 60),
    Target("quality_streaming_vs_optimal", "quality per need ÷ LP bound (lines at 0.8× demand)", 0.92),
    Target("quality_streaming_vs_bound_yuan", "quality per yuan ÷ LP bound (lines at 0.8× demand)", 0.92),
    Target("quality_streaming_vs_greedy", "quality per need ÷ greedy first-fit (0.8×)", 1.10),
    Target("rule_violations", "rule violations (independent check, all scenarios)", 0, False),
)
