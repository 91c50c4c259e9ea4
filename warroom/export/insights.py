"""Insights across incidents as one self-contained HTML page (``warroom insights --html FILE``).

The numbers are ``warroom.insights``'s; this module only lays them out as tables and inline
SVG charts (``svgchart``) for ``templates/insights.html.j2``: inline CSS, no script, nothing
fetched, so the file can be mailed or attached to a review as it is.
"""

from __future__ import annotations

from warroom.insights import Insights, Timing
from warroom.insights.numbers import MEASURES, SEVERITIES

from .svgchart import stacked_bars
from .templating import render_template

# Severity colours as on the board's default theme, worst first; in-hours / out-of-hours.
SEVERITY_COLOURS = ("#cf222e", "#bc4c00", "#9a6700", "#57606a")
HOURS_COLOURS = (("in hours", "#54aeff"), ("out of hours", "#8250df"))


def _minutes(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 90:
        return f"{value:g} min"
    return f"{value / 60:.1f} h"


def _timing(timing: Timing) -> str:
    if not timing.count:
        return "—"
    return f"{_minutes(timing.median_minutes)} / {_minutes(timing.p90_minutes)} (n={timing.count})"


def _maybe(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def sections(insights: Insights) -> dict[str, object]:
    """What the template shows, every number already in words or rows."""
    weeks = [(f"{w.week:%Y-%m-%d}", [float(w.by_severity[s]) for s in SEVERITIES]) for w in insights.weeks]
    people = [(r.handle, [max(r.hours_on_shift - r.hours_out_of_hours, 0), r.hours_out_of_hours]) for r in insights.responders]
    return {
        "period": f"{insights.since:%Y-%m-%d %H:%M} to {insights.until:%Y-%m-%d %H:%M} UTC",
        "incidents": insights.incidents,
        "drills": insights.drills_included,
        "weeks_chart": stacked_bars(
            "Incidents per week by severity",
            weeks,
            [(f"SEV{s}", colour) for s, colour in zip(SEVERITIES, SEVERITY_COLOURS)],
            unit="incidents",
        ),
        "severity_rows": [
            [f"SEV{row.severity}", str(row.incidents), *(_timing(row.timings[m]) for m in MEASURES)] for row in insights.by_severity
        ],
        "load_chart": stacked_bars("Hours on shift per responder", people, HOURS_COLOURS, unit="h") if people else None,
        "responder_rows": [
            [
                r.handle,
                r.tz,
                f"{r.hours_on_shift:g}",
                f"{r.hours_out_of_hours:g}",
                f"{r.longest_shift_hours:g}",
                str(r.incidents),
                f"{r.breaks} ({_maybe(r.breaks_per_on_shift_hour)}/h)",
                f"{r.hours_in_command:g}",
                ", ".join(f"{week:%m-%d}: {hours:g}" for week, hours in r.hours_by_week.items()) or "—",
            ]
            for r in insights.responders
        ],
        "items": insights.action_items,
        "item_rows": [
            [o.owner or "(nobody)", str(o.opened), str(o.done), str(o.overdue), _maybe(o.median_days_to_done)]
            for o in insights.action_items_by_owner
        ],
        "median_days": _maybe(insights.action_items.median_days_to_done),
        "flags": [flag.words for flag in insights.flags],
        "out_of_hours_flag_hours": f"{insights.out_of_hours_flag_hours:g}",
    }


def render_insights_html(insights: Insights) -> str:
    return render_template("html", "insights.html.j2", sections(insights))
