"""A need's status follows its timeline; nothing revives a withdrawn or disbursed need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from firms.domain.need import Entry, Milestone, NeedStatus, status_of

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def timeline(*milestones: Milestone) -> list[Entry]:
    return [Entry(T0 + timedelta(minutes=i), m) for i, m in enumerate(milestones)]


def test_the_happy_path() -> None:
    steps = [Milestone.SUBMITTED, Milestone.MATCHED, Milestone.CONTACTED, Milestone.APPROVED, Milestone.DISBURSED]
    expected = [
        NeedStatus.SUBMITTED,
        NeedStatus.MATCHED,
        NeedStatus.CONTACTED,
        NeedStatus.APPROVED,
        NeedStatus.DISBURSED,
    ]
    for n, want in enumerate(expected, start=1):
        assert status_of(timeline(*steps[:n])) is want


def test_a_decline_keeps_the_need_matched_until_it_is_rerouted() -> None:
    assert status_of(timeline(Milestone.SUBMITTED, Milestone.MATCHED, Milestone.DECLINED)) is NeedStatus.MATCHED
    assert (
        status_of(
            timeline(Milestone.SUBMITTED, Milestone.MATCHED, Milestone.EXPIRED, Milestone.REROUTED, Milestone.CONTACTED)
        )
        is NeedStatus.CONTACTED
    )


def test_events_arriving_out_of_order_are_placed_by_their_time() -> None:
    entries = timeline(Milestone.SUBMITTED, Milestone.MATCHED, Milestone.CONTACTED)
    assert status_of(list(reversed(entries))) is NeedStatus.CONTACTED


def test_nothing_revives_a_withdrawn_need() -> None:
    assert status_of(timeline(Milestone.SUBMITTED, Milestone.WITHDRAWN, Milestone.MATCHED)) is NeedStatus.WITHDRAWN


def test_escalation_is_a_status_the_regulator_sees() -> None:
    assert status_of(timeline(Milestone.SUBMITTED, Milestone.ESCALATED)) is NeedStatus.ESCALATED
