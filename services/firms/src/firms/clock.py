"""Dates in Dongguan's time zone: "today" for consent, due dates and honours is China's today, not UTC's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA).date()
