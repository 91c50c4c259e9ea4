"""What the insights screen draws, free of Textual: each chart's title, bar labels and series,
the header and the flag lines, from one ``Insights``.

The numbers are ``warroom.insights``'s (the same the JSON and the HTML carry); this only picks
and labels them for a terminal, where a chart is 40 columns wide and every label is a cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from warroom.insights import Insights
from warroom.insights.numbers import MEASURES, SEVERITIES
from warroom.safetext import safe_line

PERIODS: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=30), timedelta(days=90), timedelta(days=365))
"""The periods ``d`` steps through on the screen (90 days first, as ``warroom insights``)."""

MOST_PEOPLE = 8
LABEL_MAX = 10
"""Responders drawn in the load chart: the busiest (the JSON and HTML list everyone)."""

SHORT_MEASURES = {"detect": "detect", "acknowledge": "ack", "mitigate": "mitigate", "resolve": "resolve"}


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    """(name, one value per label) in drawing order."""
    kind: str
    """``stacked`` or ``grouped`` bars (always upright: plotext 5.3 stacks sideways bars wrongly)."""
    colours: tuple[str, ...]
    """The theme variable each series is drawn in (the caption's legend uses the same)."""

    @property
    def empty(self) -> bool:
        return not self.labels or not any(value for _, values in self.series for value in values)


def caption(chart: Chart, width: int | None = None) -> list[tuple[str, str]]:
    """The line above a chart: its title, then a legend of (text, Textual style) pieces when it
    has several series. When the two do not fit ``width`` the legend starts a line of its own
    (wrapped where it fell, a colour's square ended one line and its name began the next)."""
    pieces = [(chart.title, "bold")]
    if len(chart.series) > 1:
        for (name, _), colour in zip(chart.series, chart.colours):
            pieces += [("  ", ""), ("■", f"${colour}"), (f" {name}", "")]
        if width is not None and sum(len(text) for text, _ in pieces) > width:
            legend = pieces[2:]
            if sum(len(text) for text, _ in legend) > width:  # narrower still: one space between entries
                legend = [(" " if text == "  " else text, style) for text, style in legend]
            pieces = [pieces[0], ("\n", ""), *legend]
    return pieces


def period_words(period: timedelta) -> str:
    days = period / timedelta(days=1)
    return f"last {days:g} days" if days != 1 else "last day"


def weeks_chart(insights: Insights) -> Chart:
    return Chart(
        "Incidents per week",
        [f"{w.week:%m-%d}" for w in insights.weeks],
        [(f"SEV{s}", [float(w.by_severity[s]) for w in insights.weeks]) for s in SEVERITIES],
        "stacked",
        tuple(f"severity-{s}" for s in SEVERITIES),
    )


def load_chart(insights: Insights) -> Chart:
    people = insights.responders[:MOST_PEOPLE]
    more = len(insights.responders) - len(people)
    title = "Hours on shift" + (f" (busiest {len(people)} of {len(insights.responders)})" if more > 0 else "")
    return Chart(
        title,
        [safe_line(r.handle)[:LABEL_MAX] for r in people],
        [
            ("in hours", [max(r.hours_on_shift - r.hours_out_of_hours, 0) for r in people]),
            ("out of hours", [r.hours_out_of_hours for r in people]),
        ],
        "stacked",
        ("primary", "warning"),
    )


def timings_chart(insights: Insights, statistic: str) -> Chart:
    """Minutes from declaration (from detection, for detect) by severity: ``statistic`` is
    ``median`` or ``p90``."""
    rows = [row for row in insights.by_severity if row.incidents]
    key = "median_minutes" if statistic == "median" else "p90_minutes"
    series = [
        (SHORT_MEASURES[m], [float(getattr(row.timings[m], key) or 0) for row in rows]) for m in MEASURES
    ]
    return Chart(
        f"Minutes, {statistic}", [f"SEV{row.severity}" for row in rows], series, "grouped", ("secondary", "success", "warning", "primary")
    )


def items_chart(insights: Insights) -> Chart:
    items = insights.action_items
    days = "—" if items.median_days_to_done is None else f"{items.median_days_to_done:g}"
    return Chart(
        f"Action items (median {days} days to done)",
        ["opened", "done", "overdue"],
        [("items", [float(items.opened), float(items.done), float(items.overdue)])],
        "stacked",
        ("primary",),
    )


def tick_step(labels: list[str], width: int) -> int:
    """Label every n-th bar so the labels fit a chart ``width`` columns wide, three columns
    apart: plotext places labels closer than that in an order that changes from run to run
    (a ``set``), so their columns would too."""
    widest = max((len(label) for label in labels), default=1)
    fits = max(1, (width - 8) // (widest + 3))
    return max(1, -(-len(labels) // fits))


def header_line(insights: Insights, period: timedelta) -> str:
    items = insights.action_items
    parts = [
        "warroom insights",
        period_words(period),
        f"{insights.incidents} incident{'s' if insights.incidents != 1 else ''}",
        f"{len(insights.responders)} responder{'s' if len(insights.responders) != 1 else ''}",
        f"{items.opened} action items ({items.overdue} overdue)",
    ]
    if insights.drills_included:
        parts.append("drills included")
    return " · ".join(parts)


def flag_lines(insights: Insights) -> list[str]:
    if not insights.flags:
        return [f"No flags: nobody past the fatigue thresholds or {insights.out_of_hours_flag_hours:g} h out of hours."]
    return [safe_line("⚑ " + "; ".join(flag.words for flag in insights.flags))]
