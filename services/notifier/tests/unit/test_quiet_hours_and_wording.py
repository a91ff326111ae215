"""Quiet hours and what messages say, without infrastructure."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from notifier.domain import messages
from notifier.domain.messages import CHINA
from notifier.domain.quiet import after_quiet_hours, is_quiet


def test_quiet_hours_over_midnight_wait_until_the_morning() -> None:
    late = datetime(2026, 11, 23, 23, 30, tzinfo=CHINA)
    assert after_quiet_hours(late, time(22), time(8)) == datetime(2026, 11, 24, 8, 0, tzinfo=CHINA)
    early = datetime(2026, 11, 24, 6, 15, tzinfo=CHINA)
    assert after_quiet_hours(early, time(22), time(8)) == datetime(2026, 11, 24, 8, 0, tzinfo=CHINA)
    day = datetime(2026, 11, 24, 9, 0, tzinfo=CHINA)
    assert after_quiet_hours(day, time(22), time(8)) == day
    assert after_quiet_hours(day.astimezone(UTC), None, None) == day


def test_quiet_hours_within_a_day_and_empty_ones() -> None:
    assert is_quiet(time(12, 30), time(12), time(14))
    assert not is_quiet(time(14), time(12), time(14))
    assert not is_quiet(time(3), time(8), time(8))  # start = end: no quiet hours at all


def test_amounts_rates_and_durations_read_as_people_write_them() -> None:
    assert messages.yuan(Decimal("1200000")) == "1,200,000 元"
    assert messages.yuan(Decimal("50.90")) == "50.90 元"
    assert messages.percent(Decimal("0.0385")) == "3.85%"
    assert messages.within(timedelta(minutes=9, seconds=40)) == "10 分钟"
    assert messages.within(timedelta(hours=3, minutes=5)) == "3 小时 5 分钟"
    assert messages.within(timedelta(days=3)) == "3 天"


def test_a_rejection_says_why_and_what_to_change_and_unknown_codes_fall_back() -> None:
    rejected = messages.rejected("chain_relation_unverified")
    assert "供货关系未能核实" in rejected.body
    assert "请链主" in rejected.body
    assert "其他原因" in messages.rejected("not_a_code").body
    escalated = messages.escalated(["rate_above_ceiling", "no_such_code"])
    assert "放宽利率上限" in escalated.body
    assert "no_such_code" not in escalated.body
