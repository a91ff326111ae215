"""Quiet hours: a person who asked not to be disturbed from, say, 22:00 to 08:00 (Beijing time) gets e-mail and SMS
at 08:00; the portal's list is always up to date."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from notifier.domain.messages import CHINA


def is_quiet(at: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end  # the hours run over midnight


def after_quiet_hours(now: datetime, start: time | None, end: time | None) -> datetime:
    """`now`, or the end of the quiet hours `now` falls in."""
    local = now.astimezone(CHINA)
    if not is_quiet(local.time(), start, end):
        return now
    assert end is not None
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake
