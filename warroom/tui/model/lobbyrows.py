"""What the lobby shows of each open incident, in which order: plain functions of summaries.

Kept free of Textual so the order (severity, then age, linked incidents kept together), the
filters and the wording are tested without a screen. Everything comes from
``IncidentSummary`` (fixed by each log) and a ``now``; nothing here folds a log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from warroom.incident.policy import capped_hours
from warroom.people import People, fatigue_level
from warroom.store.base import IncidentSummary
from warroom.words import coarse_duration, duration, fatigue_word

from .format import Cell


FILTERS = ("all", "mine", "drills")
FILTER_WORDS = {"all": "every open incident", "mine": "where you are on shift or in command", "drills": "drills only"}

COLUMNS = (
    ("id", "Incident"),
    ("sev", "SEV"),
    ("title", "Title"),
    ("status", "Status"),
    ("commander", "Commander"),
    ("age", "Age"),
    ("people", "On shift"),
    ("unowned", "Unowned"),
    ("blocked", "Blocked"),
    ("update", "Update"),
)


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    cells: tuple[Cell, ...]


def shown(summaries: Iterable[IncidentSummary], view: str, me: str) -> list[IncidentSummary]:
    """The open incidents a filter keeps: ``all``, ``mine`` (present or in command), ``drills``."""
    found = [s for s in summaries if not s.closed]
    if view == "mine":
        return [s for s in found if s.commander == me or any(p.handle == me for p in s.present)]
    if view == "drills":
        return [s for s in found if s.drill]
    return found


def links_of(summary: IncidentSummary) -> list[tuple[str, str]]:
    """(other incident, kind) for each link the summary carries. The hook for linked incidents:
    summaries grow a ``links`` list (``{incident, kind}``) when links are recorded; until then
    there are none and every incident is its own group."""
    found = []
    for link in getattr(summary, "links", None) or ():
        if isinstance(link, Mapping):
            found.append((str(link.get("incident", "")), str(link.get("kind", ""))))
        else:
            found.append((str(getattr(link, "incident", "")), str(getattr(link, "kind", ""))))
    return [(incident, kind) for incident, kind in found if incident]


_NEVER = datetime.max.replace(tzinfo=timezone.utc)


def _sort_key(summary: IncidentSummary) -> tuple[int, datetime, str]:
    return summary.severity, summary.started_at or summary.declared_at or _NEVER, summary.id


def ordered(summaries: Iterable[IncidentSummary]) -> list[tuple[IncidentSummary, str]]:
    """Worst severity first, then the oldest; linked incidents follow the first of their group,
    each with a note saying how it is linked (``caused-by INC-41``), else ``""``."""
    by_sort = sorted(summaries, key=_sort_key)
    ids = {s.id for s in by_sort}
    parent: dict[str, str] = {s.id: s.id for s in by_sort}

    def root(incident: str) -> str:
        while parent[incident] != incident:
            parent[incident] = parent[parent[incident]]
            incident = parent[incident]
        return incident

    for summary in by_sort:
        for other, _ in links_of(summary):
            if other in ids:
                a, b = root(summary.id), root(other)
                if a != b:
                    parent[b] = a
    groups: dict[str, list[IncidentSummary]] = {}
    for summary in by_sort:  # groups in the order of their first (most urgent) member
        groups.setdefault(root(summary.id), []).append(summary)
    result: list[tuple[IncidentSummary, str]] = []
    for members in groups.values():
        seen: set[str] = set()
        for summary in members:
            note = ""
            for other, kind in links_of(summary):
                if other in seen:
                    note = f"{kind} {other}"
                    break
            result.append((summary, note))
            seen.add(summary.id)
    return result


def placement(summary: IncidentSummary) -> tuple:
    """What decides whether and where ``summary`` is listed, and what other rows say about its
    people: a change to any of it redraws the whole list; to anything else, only its row."""
    return (
        summary.severity,
        summary.started_at,
        summary.declared_at,
        summary.closed,
        summary.drill,
        summary.commander,
        summary.present,
        tuple(links_of(summary)),
    )


def update_cell(summary: IncidentSummary, now: datetime) -> Cell:
    if summary.update_due is None:
        return "-"
    if summary.update_due <= now:
        return (f"OVERDUE {duration(now - summary.update_due)}", "$overdue bold")
    return f"due {duration(summary.update_due - now)}"


def row(summary: IncidentSummary, note: str, now: datetime, people: People) -> Row:
    started = summary.started_at or summary.declared_at
    shared = sum(1 for p in summary.present if people.count(p.handle) > 1)
    on_shift = len(summary.present)
    people_cell: Cell = f"{on_shift} ({shared} also elsewhere)" if shared else (str(on_shift) if on_shift else "-")
    title = f"↳ {note}: {summary.title}" if note else summary.title
    if summary.drill:
        title = f"[DRILL] {title}"
    return Row(
        summary.id,
        (
            (summary.id, "bold"),
            (f"SEV{summary.severity}", f"bold reverse $severity-{summary.severity}"),
            title,
            summary.status,
            summary.commander or ("nobody", "$unowned bold"),
            coarse_duration(now - started) if started else "-",
            people_cell,
            (str(summary.unowned), "$unowned bold") if summary.unowned else "-",
            (str(summary.blocked), "$blocked bold") if summary.blocked else "-",
            update_cell(summary, now),
        ),
    )


def rows(summaries: Iterable[IncidentSummary], view: str, me: str, now: datetime, people: People) -> list[Row]:
    return [row(summary, note, now, people) for summary, note in ordered(shown(summaries, view, me))]


def people_line(summary: IncidentSummary, now: datetime, people: People, *, across: bool = True) -> str:
    """Who is on shift in ``summary``, for the line under the table: time on shift (across
    incidents when ``across``), fatigue by the incident's thresholds, and where else they are."""
    if not summary.present:
        return f"{summary.id}: nobody on shift"
    warn, limit = capped_hours(summary.fatigue_warn_hours), capped_hours(summary.fatigue_limit_hours)
    parts = []
    for present in summary.present:
        spent = now - present.since if present.since else timedelta(0)
        elsewhere = people.elsewhere(present.handle, summary.id)
        if across and elsewhere is not None:
            spent = max(spent, people.time_on_shift(present.handle, now))
        words = [present.handle]
        if present.handle == summary.commander:
            words.append("(commander)")
        if present.shift == "break":
            words.append("on a break")
        words.append(coarse_duration(spent))
        if tired := fatigue_word(fatigue_level(spent, warn, limit)):
            words.append(tired)
        if elsewhere is not None:
            words.append(f"({elsewhere.words()})")
        parts.append(" ".join(words))
    return f"{summary.id} on shift: " + ", ".join(parts)
