"""Answer deadlines, counted in working hours (Mon–Fri 09:00–17:30, China time) or in plain time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
OPENS, CLOSES = time(9, 0), time(17, 30)


def deadline(start: datetime, seconds: int, *, working_hours: bool) -> datetime:
    if not working_hours:
        return start + timedelta(seconds=seconds)
    left = timedelta(seconds=seconds)
    cursor = start.astimezone(CHINA)
    while True:
        day_open = cursor.replace(hour=OPENS.hour, minute=OPENS.minute, second=0, microsecond=0)
        day_close = cursor.replace(hour=CLOSES.hour, minute=CLOSES.minute, second=0, microsecond=0)
        if cursor.weekday() >= 5 or cursor >= day_close:
            cursor = (cursor + timedelta(days=1)).replace(hour=OPENS.hour, minute=OPENS.minute, second=0, microsecond=0)
            continue
        cursor = max(cursor, day_open)
        available = day_close - cursor
        if left <= available:
            return (cursor + left).astimezone(start.tzinfo)
        left -= available
        cursor = day_close
