"""Who held what: command, the roles over time, each workstream's owners and history, every
responder's shift, and what the incident cost in responder-hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.incident.state import OwnershipSpan, Responder, Workstream
from warroom.words import long_duration as duration

from ..text import elapsed, seconds
from .context import Cell, Draft, Em, Lines


@dataclass(frozen=True, slots=True)
class RoleHeld:
    role: str
    holder: str
    start: datetime
    end: datetime | None


def command(d: Draft) -> dict:
    how = d.history.command_how
    return {"rows": [span_row(d, span, how[i] if i < len(how) else "") for i, span in enumerate(d.state.command_spans)]}


def span_row(d: Draft, span: OwnershipSpan, how: str) -> list[Cell]:
    return [
        span.holder,
        d.clock(span.start),
        d.clock(span.end) if span.end else "still held",
        elapsed(span.start, span.end or d.as_of),
        how or " ",
        span.note or " ",
    ]


def roles_held(d: Draft) -> list[RoleHeld]:
    """Every role, commander first, as spans that never overlap for one person: a deputy (scribe,
    comms) who takes command holds that role only until then -- the board shows them as commander."""
    commands = [RoleHeld("commander", s.holder, s.start, s.end) for s in d.state.command_spans]
    others = []
    for span in d.history.role_spans:
        end = span.end
        for took in commands:
            if took.holder == span.holder and span.start <= took.start and (end is None or took.start < end):
                end = took.start
                break
        if end is None or end > span.start:
            others.append(RoleHeld(span.role, span.holder, span.start, end))
    order = {"commander": 0, "deputy": 1, "scribe": 2, "comms": 3}
    return commands + sorted(others, key=lambda r: (order.get(r.role, 9), r.start))


def roles_over_time(d: Draft) -> dict:
    rows = [
        [r.role, r.holder, d.clock(r.start), d.clock(r.end) if r.end else "still held", elapsed(r.start, r.end or d.as_of)]
        for r in roles_held(d)
    ]
    return {"rows": rows}


def workstreams(d: Draft) -> dict:
    return {"each": [workstream(d, ws) for ws in d.state.workstreams.values()]}


def workstream(d: Draft, ws: Workstream) -> dict:
    steps = d.history.workstream_steps.get(ws.id, [])
    how = d.history.owner_how.get(ws.id, [])
    owner_rows: list[list[Cell]] = []
    previous_end = ws.opened_at
    for i, span in enumerate(ws.owners):
        if span.start > previous_end:
            owner_rows.append(_unowned_row(d, previous_end, span.start))
        owner_rows.append(span_row(d, span, how[i] if i < len(how) else ""))
        previous_end = span.end or d.as_of
    if previous_end < d.as_of and ws.status != "done" and (not ws.owners or ws.owners[-1].end is not None):
        owner_rows.append(_unowned_row(d, previous_end, None))
    history_rows = []
    for step in steps:
        if step.status_before is None or step.status_before == step.status_after:
            status = step.status_after
        else:
            status = f"{step.status_before} → {step.status_after}"
        history_rows.append([d.clock(step.event.at), d.t(step.event.at), step.event.actor, step.entry.text, status])
    return {
        "id": ws.id,
        "title": ws.title,
        "opened": d.clock(ws.opened_at),
        "opened_t": d.t(ws.opened_at),
        "opened_by": ws.opened_by,
        "status": ws.status,
        "status_note": ws.status_note,
        "owner": ws.owner,
        "hand_offs": sum(1 for h in how if h.startswith("hand-off")),
        "owners": owner_rows,
        "history": history_rows,
    }


def _unowned_row(d: Draft, start: datetime, end: datetime | None) -> list[Cell]:
    return [Em("nobody"), d.clock(start), d.clock(end or d.as_of), elapsed(start, end or d.as_of), "unowned", " "]


def _on_shift(d: Draft, r: Responder) -> timedelta:
    """From coming on shift until going off shift or the end of the record, breaks included (as on the board)."""
    on_shift = r.on_shift_total
    if r.shift != "off" and r.shift_started_at is not None:
        on_shift += max(seconds(d.as_of) - seconds(r.shift_started_at), timedelta(0))
    return on_shift


def _on_break(d: Draft, r: Responder) -> timedelta:
    return sum((seconds(end or d.as_of) - seconds(start) for start, end in r.breaks), timedelta(0))


def responder_hours(d: Draft) -> dict[str, timedelta]:
    """What the incident cost each responder: time on shift, breaks excluded (as Netflix Dispatch counts it)."""
    return {r.handle: max(_on_shift(d, r) - _on_break(d, r), timedelta(0)) for r in d.state.responders.values()}


def responders(d: Draft) -> dict:
    state = d.state
    held: dict[str, list[str]] = {}
    for role in roles_held(d):
        held.setdefault(role.holder, []).append(f"{role.role} {d.span_text(role.start, role.end)}")
    rows: list[list[Cell]] = []
    for r in state.responders.values():
        breaks = list(r.breaks)
        break_lines = [d.span_text(start, end, still="still away") for start, end in breaks]
        if breaks:
            break_lines.insert(0, f"{len(breaks)}, {duration(_on_break(d, r))} in all")
        rows.append(
            [
                r.handle,
                d.clock(r.joined_at),
                duration(_on_shift(d, r)),
                Lines(tuple(break_lines)) if break_lines else "none",
                Lines(tuple(held[r.handle])) if r.handle in held else "—",
                _at_the_end(d, r),
            ]
        )
    hours = responder_hours(d)
    return {
        "rows": rows,
        "closed": state.closed,
        "total": duration(sum(hours.values(), timedelta(0))),
        "each": [f"{handle} {duration(spent)}" for handle, spent in hours.items()],
    }


def _at_the_end(d: Draft, r: Responder) -> str:
    if r.shift == "on":
        return "on shift"
    if r.shift == "break":
        return f"on a break, back at {d.clock(r.back_at)}" if r.back_at else "on a break"
    text = f"off shift since {d.clock(r.left_at)}" if r.left_at else "off shift"
    # Where they went: a linked incident of the same store they joined after leaving this one (or
    # just before: people open the other board first, then go off shift here).
    for other in d.linked.values():
        moved = other.responders.get(r.handle)
        if moved is not None and r.left_at is not None and moved.joined_at >= r.left_at - timedelta(minutes=5):
            text += f"; joined {other.id} at {d.clock(moved.joined_at)}"
    return text
