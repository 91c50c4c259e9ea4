"""Time spans as plain (start, end) pairs, and the arithmetic insights need on them.

A person on shift in two incidents at once is one tired person for that hour, not two: so
every per-person number is taken over the *union* of their spans, never their sum. Weeks
start on Monday, UTC; "out of hours" is judged in the person's own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]

WORKDAY_START = time(8, 0)
WORKDAY_END = time(20, 0)
HOUR = timedelta(hours=1)


def merged(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as sorted, non-touching spans (empty ones dropped)."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def clipped(spans: Iterable[Span], lower: datetime, upper: datetime) -> list[Span]:
    """``spans`` cut to ``[lower, upper)``; spans wholly outside are dropped."""
    return [(max(s, lower), min(e, upper)) for s, e in spans if e > lower and s < upper]


def minus(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """``spans`` with every part covered by ``holes`` taken out."""
    holes = merged(holes)
    out: list[Span] = []
    for start, end in merged(spans):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                out.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def total(spans: Iterable[Span]) -> timedelta:
    return sum((end - start for start, end in spans), timedelta(0))


def week_of(at: datetime) -> date:
    """The Monday (UTC) of the week ``at`` falls in."""
    day = at.date()
    return day - timedelta(days=day.weekday())


def by_week(spans: Iterable[Span]) -> dict[date, timedelta]:
    """How much of ``spans`` falls in each UTC week (Monday 00:00 to Monday 00:00)."""
    weeks: dict[date, timedelta] = {}
    for start, end in spans:
        cursor = start
        while cursor < end:
            monday = week_of(cursor)
            week_end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=cursor.tzinfo)
            piece_end = min(end, week_end)
            weeks[monday] = weeks.get(monday, timedelta(0)) + (piece_end - cursor)
            cursor = piece_end
    return weeks


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        yield day
        day += timedelta(days=1)


def out_of_hours(span: Span, zone: ZoneInfo) -> timedelta:
    """The part of ``span`` outside 08:00-20:00 local time in ``zone`` (a DST day has its own length)."""
    start, end = span
    inside = timedelta(0)
    for day in _local_days(start, end, zone):
        # In UTC: subtracting two times of one ZoneInfo would give wall-clock, not elapsed, time.
        open_at = datetime.combine(day, WORKDAY_START, tzinfo=zone).astimezone(timezone.utc)
        close_at = datetime.combine(day, WORKDAY_END, tzinfo=zone).astimezone(timezone.utc)
        overlap = min(end, close_at) - max(start, open_at)
        if overlap > timedelta(0):
            inside += overlap
    return (end - start) - inside
