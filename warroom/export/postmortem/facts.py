"""The facts at the top of the draft: its header, the summary, key times, severity and status, and the timeline
(what matters in the main table, the bookkeeping in an appendix)."""

from __future__ import annotations

from datetime import timedelta

from warroom.incident.measures import IMPACT, moments
from warroom.incident.state import TimelineEntry
from warroom.words import long_duration as duration

from ..text import elapsed
from .context import Cell, Draft, Lines
from .people import responder_hours

# Entries that keep the record straight but not the story: who joined or went on a break,
# policy changes, snoozes, stars and action-item bookkeeping. The appendix keeps them (a
# starred one stays in the main timeline).
BOOKKEEPING: frozenset[str] = frozenset(
    {
        "responder_joined",
        "shift_changed",
        "policy_changed",
        "update_snoozed",
        "entry_starred",
        "action_item_added",
        "action_item_edited",
        "action_item_status_set",
    }
)


def header(d: Draft) -> dict:
    state = d.state
    return {
        "id": state.id,
        "title": state.title,
        "drill": state.drill,
        "events": d.event_count,
        "closed": state.closed,
        "as_of": d.clock(d.as_of),
    }


def summary(d: Draft) -> dict:
    state, history = d.state, d.history
    severity_changes = [c for c in history.changes if c.kind == "severity" and c.before]
    severity = f"SEV{state.severity}"
    if severity_changes:
        steps = ", ".join(f"{c.before} → {c.after} at {d.clock(c.at)}" for c in severity_changes)
        severity += f" ({steps})"
    status = state.status
    if state.closed:
        by = d.closed_by()
        status += f"; closed at {d.clock(state.closed_at)} UTC" + (f" by {by}" if by else "")
    else:
        status += "; still open"
    commanders = tuple(f"{span.holder} {d.span_text(span.start, span.end)}" for span in state.command_spans)
    done = sum(1 for ws in state.workstreams.values() if ws.status == "done")
    workstreams = f"{len(state.workstreams)} ({done} done)" if state.workstreams else "none"
    refused = f" ({history.rejected} refused, not shown)" if history.rejected else ""
    hours = sum(responder_hours(d).values(), timedelta(0))
    rows: list[list[Cell]] = [
        ["Incident", state.id],
        ["Title", state.title],
        ["Severity", severity],
        ["Status", status],
        ["Drill", "yes" if state.drill else "no"],
        ["Declared", f"{d.clock(state.declared_at)} UTC by {state.declared_by}"],
        ["Commander(s)", Lines(commanders) if commanders else "nobody"],
        ["Responders", str(len(state.responders))],
        ["Responder-hours", f"{duration(hours)} (time on shift, breaks excluded)"],
        ["Workstreams", workstreams],
        ["Timeline", f"{len(history.accepted)} entries{refused}"],
    ]
    if d.one_day:
        rows.insert(1, ["Date (UTC)", f"{d.dates[0]:%Y-%m-%d}"])
    return {"rows": rows, "close_summary": state.summary if state.summary.strip() else ""}


def key_times(d: Draft) -> dict:
    kt, sources = d.kt, d.history.key_time_sources
    rows = []
    for which in ("started", "detected", "mitigated", "resolved"):
        at = kt.get(which)
        rows.append([which.capitalize(), d.clock(at) if at else "not reached", d.t(at) if at else "—", sources.get(which, "—") if at else "—"])
    reached = moments(d.state)
    measures = []
    for measure in IMPACT:
        span = measure.span(reached)
        measures.append([f"Time to {measure.name}", f"{measure.since} → {measure.until}", elapsed(*span) if span else "not reached"])
    return {"rows": rows, "measures": measures}


def severity_and_status(d: Draft) -> dict:
    rows = []
    for change in d.history.changes:
        what = f"{change.kind}: {change.after}" if change.before is None else f"{change.kind}: {change.before} → {change.after}"
        rows.append([d.clock(change.at), d.t(change.at), what, change.actor])
    return {"rows": rows}


def timeline(d: Draft) -> dict:
    """The story (``rows``), the starred moments, and the bookkeeping for the appendix."""
    accepted = [a.entry for a in d.history.accepted]
    main = [e for e in accepted if e.starred or e.type not in BOOKKEEPING]
    kept_aside = [e for e in accepted if not e.starred and e.type in BOOKKEEPING]
    return {
        "date": f"{d.dates[0]:%Y-%m-%d}" if d.one_day else "",
        "start": d.clock(d.start),
        "incident": d.state.id,
        "refused": d.history.rejected,
        "starred": [timeline_row(d, e) for e in accepted if e.starred],
        "rows": [timeline_row(d, e) for e in main],
        "appendix": [timeline_row(d, e) for e in kept_aside],
    }


def timeline_row(d: Draft, entry: TimelineEntry) -> list[Cell]:
    return [
        f"#{entry.seq}",  # as `warroom replay --at` and `show --at` take it
        d.clock(entry.at),
        d.t(entry.at),
        "★" if entry.starred else " ",
        entry.actor,
        entry.text,
    ]
