"""SLA clocks in business time: opening hours per weekday, holidays, a time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from govcx.contact.models import BusinessCalendar

MAX_DAYS_SCANNED = 400  # a calendar with no open hours in a year is treated as 24/7


def _intervals(cal: BusinessCalendar, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    if day.isoformat() in set(cal.holidays or []):
        return []
    out = []
    for start, end in (cal.hours or {}).get(str(day.weekday()), []):
        out.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return sorted(out)


def add_business_minutes(
    start: dt.datetime, minutes: int, cal: BusinessCalendar | None
) -> dt.datetime:
    """The moment `minutes` of open time after `start` (calendar time when cal is None)."""
    if cal is None or not cal.hours:
        return start + dt.timedelta(minutes=minutes)
    tz = ZoneInfo(cal.timezone)
    local = start.astimezone(tz)
    remaining = dt.timedelta(minutes=minutes)
    day = local.date()
    for _ in range(MAX_DAYS_SCANNED):
        for open_t, close_t in _intervals(cal, day):
            o = dt.datetime.combine(day, open_t, tz)
            c = dt.datetime.combine(day, close_t, tz)
            begin = max(o, local)
            if begin >= c:
                continue
            if begin + remaining <= c:
                return begin + remaining
            remaining -= c - begin
        day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time.min, tz)
    return start + dt.timedelta(minutes=minutes)


def business_seconds_between(
    start: dt.datetime, end: dt.datetime, cal: BusinessCalendar | None
) -> float:
    """Open time between two moments, in seconds (calendar time when cal is None)."""
    if end <= start:
        return 0.0
    if cal is None or not cal.hours:
        return (end - start).total_seconds()
    tz = ZoneInfo(cal.timezone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = a.date()
    while day <= b.date():
        for open_t, close_t in _intervals(cal, day):
            o = dt.datetime.combine(day, open_t, tz)
            c = dt.datetime.combine(day, close_t, tz)
            lo, hi = max(o, a), min(c, b)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total
