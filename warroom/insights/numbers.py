"""Every number insights shows, as plain frozen dataclasses, and their one JSON shape.

The screen, the JSON and the HTML only draw these; nothing here computes anything but a
dictionary of what is already known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from warroom.incident.measures import RESPONSE

SEVERITIES = (1, 2, 3, 4)
MEASURES = tuple(measure.name for measure in RESPONSE)
"""detect, acknowledge, mitigate, resolve: defined in ``warroom.incident.measures``."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Minutes from one moment of an incident to another, over the incidents that reached both."""

    count: int
    median_minutes: float | None
    p90_minutes: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"count": self.count, "median_minutes": self.median_minutes, "p90_minutes": self.p90_minutes}


@dataclass(frozen=True, slots=True)
class SeverityRow:
    severity: int
    incidents: int
    timings: dict[str, Timing]
    """By measure: detect, acknowledge, mitigate, resolve."""

    def as_dict(self) -> dict[str, object]:
        return {"severity": self.severity, "incidents": self.incidents, **{m: t.as_dict() for m, t in self.timings.items()}}


@dataclass(frozen=True, slots=True)
class WeekRow:
    week: date
    """The Monday (UTC) the week starts on."""
    by_severity: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    def as_dict(self) -> dict[str, object]:
        return {"week": self.week.isoformat(), **{f"sev{s}": n for s, n in self.by_severity.items()}, "total": self.total}


@dataclass(frozen=True, slots=True)
class ResponderLoad:
    handle: str
    tz: str
    """The zone out-of-hours is judged in: the last one given on ``shift on --tz``, else config, else UTC."""
    hours_on_shift: float
    """On shift, breaks excluded; an hour on shift in two incidents at once counts once."""
    hours_out_of_hours: float
    longest_shift_hours: float
    """The longest stretch from coming on shift to going off, breaks included (as fatigue is judged)."""
    incidents: int
    incident_ids: tuple[str, ...]
    breaks: int
    breaks_per_on_shift_hour: float | None
    hours_in_command: float
    hours_by_week: dict[date, float]
    fatigue: str | None
    """``"warn"`` or ``"limit"`` when the longest shift passed the policy's fatigue thresholds."""

    def as_dict(self) -> dict[str, object]:
        return {
            "handle": self.handle,
            "tz": self.tz,
            "hours_on_shift": self.hours_on_shift,
            "hours_out_of_hours": self.hours_out_of_hours,
            "longest_shift_hours": self.longest_shift_hours,
            "incidents": self.incidents,
            "incident_ids": list(self.incident_ids),
            "breaks": self.breaks,
            "breaks_per_on_shift_hour": self.breaks_per_on_shift_hour,
            "hours_in_command": self.hours_in_command,
            "hours_by_week": {week.isoformat(): hours for week, hours in self.hours_by_week.items()},
            "fatigue": self.fatigue,
        }


@dataclass(frozen=True, slots=True)
class ItemCounts:
    owner: str | None
    """``None`` in the totals row and for items nobody owns."""
    opened: int
    done: int
    overdue: int
    median_days_to_done: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "owner": self.owner,
            "opened": self.opened,
            "done": self.done,
            "overdue": self.overdue,
            "median_days_to_done": self.median_days_to_done,
        }


@dataclass(frozen=True, slots=True)
class Flag:
    handle: str
    kind: str
    """``fatigue_warn``, ``fatigue_limit`` or ``out_of_hours``."""
    hours: float
    threshold_hours: float

    @property
    def words(self) -> str:
        if self.kind == "out_of_hours":
            return f"{self.handle}: {self.hours:g} h out of hours (more than {self.threshold_hours:g} h)"
        level = "limit" if self.kind == "fatigue_limit" else "warning"
        return f"{self.handle}: a {self.hours:g} h shift (fatigue {level} at {self.threshold_hours:g} h)"

    def as_dict(self) -> dict[str, object]:
        return {"handle": self.handle, "kind": self.kind, "hours": self.hours, "threshold_hours": self.threshold_hours, "words": self.words}


@dataclass(frozen=True, slots=True)
class Insights:
    since: datetime
    until: datetime
    incidents: int
    drills_included: bool
    weeks: list[WeekRow]
    by_severity: list[SeverityRow]
    responders: list[ResponderLoad]
    action_items: ItemCounts
    action_items_by_owner: list[ItemCounts]
    flags: list[Flag]
    out_of_hours_flag_hours: float

    def as_dict(self) -> dict[str, object]:
        """The documented JSON shape of ``warroom insights --json``."""
        items = self.action_items.as_dict()
        del items["owner"]
        return {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "incidents": self.incidents,
            "drills_included": self.drills_included,
            "by_week": [week.as_dict() for week in self.weeks],
            "by_severity": [row.as_dict() for row in self.by_severity],
            "responders": [r.as_dict() for r in self.responders],
            "action_items": {**items, "by_owner": [o.as_dict() for o in self.action_items_by_owner]},
            "flags": [flag.as_dict() for flag in self.flags],
            "out_of_hours_flag_hours": self.out_of_hours_flag_hours,
        }


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
