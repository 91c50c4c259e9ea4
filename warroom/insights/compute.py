"""The fold over many logs: every insights number from a set of incident logs.

Definitions (``warroom.incident.measures``, which the post-mortem reads too): detect = started
-> detected (DESIGN.md's detected -> declared disagreed with the post-mortem and with practice);
acknowledge = declared -> first commander; mitigate / resolve = declared -> that key time;
responder-hours = on shift minus breaks, counted once when someone is in two incidents at
once; out of hours = outside 08:00-20:00 in the responder's time zone. An incident counts in
the week (UTC, from Monday) and the severity row of its declaration and its worst severity;
hours count where they fall inside the period. Medians and 90th percentiles interpolate
linearly between the sorted values (as ``numpy.percentile`` does by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.incident import StoredEvent
from warroom.incident.measures import RESPONSE

from .facts import IncidentFacts, ItemFacts, Stretch, incident_facts
from .intervals import HOUR, Span, by_week, clipped, merged, out_of_hours, total, week_of
from .numbers import SEVERITIES, Flag, Insights, ItemCounts, ResponderLoad, SeverityRow, Timing, WeekRow

DEFAULT_OUT_OF_HOURS_FLAG_HOURS = 10.0
RATE_NEEDS = HOUR
"""Breaks per on-shift hour only once there is an hour to count: one break a few minutes
into a shift read as hundreds an hour (823.247 after 4 seconds)."""


def compute(
    logs: Iterable[Sequence[StoredEvent]],
    *,
    now: datetime,
    since: timedelta,
    zones: Mapping[str, str] | None = None,
    out_of_hours_flag_hours: float = DEFAULT_OUT_OF_HOURS_FLAG_HOURS,
    include_drills: bool = False,
) -> Insights:
    """Insights over ``logs`` for the period ``since`` before ``now``.

    ``zones``: handle -> IANA time zone from config, used for people who gave none on
    ``shift on --tz``. Drills are left out unless ``include_drills``.
    """
    start = now - since
    every = [facts for log in logs if (facts := incident_facts(log, now)) is not None]
    chosen = [f for f in every if include_drills or not f.drill]
    declared = [f for f in chosen if start <= f.declared_at <= now]
    responders = _responders(chosen, start, now, zones or {})
    items = [(f, item) for f in chosen for item in f.action_items if start <= item.opened_at <= now]
    by_owner: dict[str | None, list[ItemFacts]] = {}
    for _, item in items:
        by_owner.setdefault(item.owner, []).append(item)
    return Insights(
        since=start,
        until=now,
        incidents=len(declared),
        drills_included=include_drills,
        weeks=_weeks(declared, start, now),
        by_severity=[_severity_row(sev, [f for f in declared if f.severity == sev]) for sev in SEVERITIES],
        responders=responders,
        action_items=_item_counts(None, [item for _, item in items], now.date()),
        action_items_by_owner=[
            _item_counts(owner, owned, now.date()) for owner, owned in sorted(by_owner.items(), key=lambda o: (o[0] is None, o[0] or ""))
        ],
        flags=_flags(responders, chosen, start, now, out_of_hours_flag_hours),
        out_of_hours_flag_hours=out_of_hours_flag_hours,
    )


# --- incidents ----------------------------------------------------------------------


def _weeks(declared: list[IncidentFacts], start: datetime, now: datetime) -> list[WeekRow]:
    """Every week of the period, quiet ones included (a chart with gaps would lie about them)."""
    counts: dict[date, dict[int, int]] = {}
    monday = week_of(start)
    while monday <= now.date():
        counts[monday] = {sev: 0 for sev in SEVERITIES}
        monday += timedelta(days=7)
    for f in declared:
        counts[week_of(f.declared_at)][f.severity] += 1
    return [WeekRow(week, by_sev) for week, by_sev in counts.items()]


def _severity_row(severity: int, incidents: list[IncidentFacts]) -> SeverityRow:
    timings = {}
    for measure in RESPONSE:
        minutes = [max(took.total_seconds(), 0) / 60 for f in incidents if (took := measure.of(f.moments)) is not None]
        timings[measure.name] = Timing(len(minutes), _round(percentile(minutes, 50)), _round(percentile(minutes, 90)))
    return SeverityRow(severity, len(incidents), timings)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile, interpolating linearly between sorted values; ``None`` for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- people -------------------------------------------------------------------------


def _zone_name(handle: str, facts: list[IncidentFacts], zones: Mapping[str, str]) -> str:
    given = sorted((at, zone) for f in facts for at, who, zone in f.tz_given if who == handle)
    return given[-1][1] if given else zones.get(handle, "UTC")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _responders(facts: list[IncidentFacts], start: datetime, now: datetime, zones: Mapping[str, str]) -> list[ResponderLoad]:
    stretches: dict[str, list[tuple[IncidentFacts, Stretch]]] = {}
    for f in facts:
        for stretch in f.stretches:
            if stretch.span[1] > start and stretch.span[0] < now:
                stretches.setdefault(stretch.handle, []).append((f, stretch))
    command: dict[str, list[Span]] = {}
    for f in facts:
        for holder, span in f.command:
            command.setdefault(holder, []).append(span)
    loads = []
    for handle, theirs in stretches.items():
        present = merged(clipped((s.span for _, s in theirs), start, now))
        working = merged(clipped((piece for _, s in theirs for piece in s.working()), start, now))
        breaks = merged(clipped((b for _, s in theirs for b in s.breaks), start, now))
        zone_name = _zone_name(handle, facts, zones)
        zone = _zone(zone_name)
        on_shift = total(working)
        hours = _hours(on_shift)
        longest = max((end - begin for begin, end in present), default=timedelta(0))
        ids = tuple(sorted({f.id for f, _ in theirs}))
        loads.append(
            ResponderLoad(
                handle=handle,
                tz=zone.key,
                hours_on_shift=hours,
                hours_out_of_hours=_hours(sum((out_of_hours(span, zone) for span in working), timedelta(0))),
                longest_shift_hours=_hours(longest),
                incidents=len(ids),
                incident_ids=ids,
                breaks=len(breaks),
                breaks_per_on_shift_hour=round(len(breaks) / (on_shift / HOUR), 3) if on_shift >= RATE_NEEDS else None,
                hours_in_command=_hours(total(merged(clipped(command.get(handle, []), start, now)))),
                hours_by_week={week: _hours(spent) for week, spent in sorted(by_week(working).items())},
                fatigue=_fatigue(theirs, present),
            )
        )
    return sorted(loads, key=lambda load: (-load.hours_on_shift, load.handle))


def _strictest(theirs: list[tuple[IncidentFacts, Stretch]], span: Span) -> tuple[float, float]:
    """The lowest fatigue thresholds (warn, limit) of the incidents a stretch of presence touched."""
    touched = [f.policy for f, s in theirs if s.span[1] > span[0] and s.span[0] < span[1]]
    return min(p.fatigue_warn_hours for p in touched), min(p.fatigue_limit_hours for p in touched)


def _fatigue(theirs: list[tuple[IncidentFacts, Stretch]], present: list[Span]) -> str | None:
    level = None
    for span in present:
        warn, limit = _strictest(theirs, span)
        length = (span[1] - span[0]) / HOUR
        if length >= limit:
            return "limit"
        if length >= warn:
            level = "warn"
    return level


def _flags(
    responders: list[ResponderLoad], facts: list[IncidentFacts], start: datetime, now: datetime, out_of_hours_limit: float
) -> list[Flag]:
    flags = []
    for load in responders:
        theirs = [(f, s) for f in facts for s in f.stretches if s.handle == load.handle]
        present = merged(clipped((s.span for _, s in theirs), start, now))
        if load.fatigue is not None:
            longest = max(present, key=lambda span: span[1] - span[0])
            warn, limit = _strictest(theirs, longest)
            threshold = limit if load.fatigue == "limit" else warn
            flags.append(Flag(load.handle, f"fatigue_{load.fatigue}", load.longest_shift_hours, threshold))
        if load.hours_out_of_hours > out_of_hours_limit:
            flags.append(Flag(load.handle, "out_of_hours", load.hours_out_of_hours, out_of_hours_limit))
    return flags


# --- action items -------------------------------------------------------------------


def _item_counts(owner: str | None, items: list[ItemFacts], today: date) -> ItemCounts:
    done = [item for item in items if item.status == "done" and item.done_at is not None]
    days = [(item.done_at - item.opened_at) / timedelta(days=1) for item in done if item.done_at is not None]
    overdue = sum(1 for item in items if item.status in ("open", "in_progress") and item.due is not None and item.due < today)
    return ItemCounts(owner, len(items), len(done), overdue, _round(percentile(days, 50)))


def _hours(delta: timedelta) -> float:
    return round(delta / HOUR, 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
