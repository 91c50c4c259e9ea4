"""One incident's log read for insights: when it was open, who was on shift and on a break
when, who held command, its key times and its action items.

The log is folded event by event with the domain's own ``apply``, so a refused event counts
for nothing here either, and a shift, a break, a close or a reopen is seen at the moment the
fold accepted it. Nothing here knows about other incidents or about the period asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from warroom.incident import IncidentState, Policy, StoredEvent, apply
from warroom.incident import events as ev
from warroom.incident.measures import Moment, moments
from warroom.incident.state import ActionItem

from .intervals import Span, clipped, merged, minus

# Shifts in which a person is at the incident (on a break too: a coffee does not end a shift).
_PRESENT = ("on", "break")


@dataclass(slots=True)
class Stretch:
    """One person's continuous presence in one incident: from coming on shift to going off
    (or to the incident closing), with the breaks taken in between."""

    handle: str
    start: datetime
    end: datetime | None = None
    breaks: list[Span] = field(default_factory=list)
    break_started: datetime | None = None

    @property
    def span(self) -> Span:
        return (self.start, self.end or self.start)

    def working(self) -> list[Span]:
        """The parts of this stretch on shift, breaks excluded."""
        return minus([self.span], self.breaks)


@dataclass(frozen=True, slots=True)
class ItemFacts:
    owner: str | None
    opened_at: datetime
    due: date | None
    status: str
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What insights needs of one incident, with every open end closed at ``until``."""

    id: str
    title: str
    severity: int
    """The worst (lowest-numbered) severity the incident reached."""
    drill: bool
    policy: Policy
    declared_at: datetime
    moments: dict[Moment, datetime]
    """The moments it reached, for the measures (``warroom.incident.measures``)."""
    open_spans: list[Span]
    stretches: list[Stretch]
    """Clipped to the open spans: time after a close (and before a reopen) is nobody's shift."""
    command: list[tuple[str, Span]]
    action_items: list[ItemFacts]
    tz_given: list[tuple[datetime, str, str]]
    """(when, handle, zone) for every ``shift on --tz`` accepted in this log."""


def incident_facts(events: Iterable[StoredEvent], until: datetime) -> IncidentFacts | None:
    """Read one log; ``None`` when it holds no declaration (nothing to count)."""
    state = IncidentState()
    open_spans: list[Span] = []
    opened_at: datetime | None = None
    current: dict[str, Stretch] = {}
    done: list[Stretch] = []
    tz_given: list[tuple[datetime, str, str]] = []
    for event in events:
        was_closed, was_declared = state.closed, state.declared
        shift_before = state.shift_of(event.actor)
        change = apply(state, event)
        if change is None or change.rejected is not None:
            continue
        at, body = event.at, event.body
        if not was_declared and state.declared or was_closed and not state.closed:
            opened_at = at
        elif not was_closed and state.closed and opened_at is not None:
            open_spans.append((opened_at, at))
            opened_at = None
        _follow_shift(event.actor, at, body, shift_before, state.shift_of(event.actor), current, done)
        if isinstance(body, ev.ShiftChanged) and body.tz and body.shift == "on":
            tz_given.append((at, event.actor, body.tz))
    if not state.declared or state.declared_at is None:
        return None
    if opened_at is not None:
        open_spans.append((opened_at, max(until, opened_at)))
    for stretch in current.values():
        _end(stretch, until)
        done.append(stretch)
    return IncidentFacts(
        id=state.id,
        title=state.title,
        severity=min((sev for _, sev in state.severity_history), default=state.severity),
        drill=state.drill,
        policy=state.policy,
        declared_at=state.declared_at,
        moments=moments(state),
        open_spans=open_spans,
        stretches=[piece for stretch in done for piece in _within(stretch, open_spans)],
        command=[(span.holder, (span.start, span.end or until)) for span in state.command_spans],
        action_items=[_item(state, item) for item in state.action_items],
        tz_given=tz_given,
    )


def _follow_shift(
    handle: str,
    at: datetime,
    body: ev.Body,
    before: str | None,
    after: str | None,
    current: dict[str, Stretch],
    done: list[Stretch],
) -> None:
    stretch = current.get(handle)
    if stretch is None and after in _PRESENT:
        stretch = current[handle] = Stretch(handle, at)
    if stretch is None:
        return
    changed_shift = isinstance(body, ev.ShiftChanged)
    if changed_shift and before == "break" and stretch.break_started is not None:
        stretch.breaks.append((stretch.break_started, at))
        stretch.break_started = None
    if changed_shift and after == "break":
        stretch.break_started = at
    if after not in _PRESENT:
        _end(stretch, at)
        done.append(current.pop(handle))


def _end(stretch: Stretch, at: datetime) -> None:
    stretch.end = max(at, stretch.start)
    if stretch.break_started is not None:
        stretch.breaks.append((stretch.break_started, stretch.end))
        stretch.break_started = None


def _within(stretch: Stretch, open_spans: list[Span]) -> list[Stretch]:
    """``stretch`` cut to the times the incident was open: one piece per open span it meets."""
    assert stretch.end is not None
    pieces = []
    for start, end in clipped(open_spans, stretch.start, stretch.end):
        breaks = merged(clipped(stretch.breaks, start, end))
        pieces.append(Stretch(stretch.handle, start, end, breaks))
    return pieces


def _item(state: IncidentState, item: ActionItem) -> ItemFacts:
    entry = state.entry(item.seq)
    opened_at = entry.at if entry is not None else state.declared_at
    assert opened_at is not None
    done_at = item.status_at if item.status == "done" else None
    return ItemFacts(item.owner, opened_at, item.due, item.status, done_at)
