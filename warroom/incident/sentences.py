"""The timeline's words: one sentence per event type, and who else each event is about.

The sentence is read by people (board, CLI, post-mortem); the counterpart is read by
code (catch-up, toasts), so nothing ever parses a sentence back. Both are worked out
from the state *before* the event, as the fold applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import events as ev
from .state import IncidentState


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M UTC")


def _ws_label(state: IncidentState, ws_id: str) -> str:
    ws = state.workstream(ws_id)
    return f'{ws_id} "{ws.title}"' if ws else ws_id


def _with_note(text: str, note: str) -> str:
    return f"{text}: {note}" if note else text


def _from(counterpart: str | None) -> str:
    return f" from {counterpart}" if counterpart else ""


def counterpart_of(state: IncidentState, event: ev.StoredEvent) -> str | None:
    """The other responder ``event`` is about, in ``state`` just before it (``None`` if nobody)."""
    find = COUNTERPARTS.get(type(event.body))
    return find(state, event, event.body) if find else None


def describe(state: IncidentState, event: ev.StoredEvent) -> str:
    """A readable sentence for the timeline (the actor is shown beside it, not in it)."""
    return SENTENCES[type(event.body)](state, event, event.body, counterpart_of(state, event))


def _declared_text(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentDeclared, _: None) -> str:
    drill = " (drill)" if b.drill else ""
    return f'declared {b.incident_id} "{b.title}" at SEV{b.severity}{drill}'


def _shift_text(state: IncidentState, event: ev.StoredEvent, b: ev.ShiftChanged, _: None) -> str:
    if b.shift == "on":
        return "came back from a break" if state.shift_of(event.actor) == "break" else "came on shift"
    if b.shift == "break":
        back = event.at + timedelta(minutes=b.minutes or 0)
        return f"went on a {b.minutes} min break, back at {_clock(back)}"
    return "went off shift"


def _assumed_text(state: IncidentState, event: ev.StoredEvent, b: ev.CommandAssumed, holder: str | None) -> str:
    if holder is None:
        return "assumed command"
    away = "on a break" if state.shift_of(holder) == "break" else "off shift"
    return f"assumed command ({holder} was {away})"


def _owner(state: IncidentState, ws_id: str) -> str | None:
    ws = state.workstream(ws_id)
    return ws.owner if ws else None


# The other responder an event is about -- whom work, command or a role goes to, or comes
# from -- kept on the timeline entry so readers never parse it back out of the sentence.
COUNTERPARTS: dict[type[ev.Body], Callable[[IncidentState, ev.StoredEvent, Any], str | None]] = {
    ev.RoleAssigned: lambda s, e, b: b.handle,
    ev.RoleCleared: lambda s, e, b: s.roles.get(b.role),
    ev.CommandHandoverOffered: lambda s, e, b: b.to,
    ev.CommandHandoverAccepted: lambda s, e, b: s.commander,
    ev.CommandHandoverDeclined: lambda s, e, b: s.commander,
    ev.CommandAssumed: lambda s, e, b: s.commander,
    ev.WorkstreamClaimed: lambda s, e, b: owner if (owner := _owner(s, b.workstream)) != e.actor else None,
    ev.HandoffOffered: lambda s, e, b: b.to,
    ev.HandoffAccepted: lambda s, e, b: _owner(s, b.workstream),
    ev.HandoffDeclined: lambda s, e, b: _owner(s, b.workstream),
}

Sentence = Callable[[IncidentState, ev.StoredEvent, Any, "str | None"], str]

SENTENCES: dict[type[ev.Body], Sentence] = {
    ev.IncidentDeclared: _declared_text,
    ev.SeverityChanged: lambda s, e, b, _: f"changed severity SEV{s.severity} → SEV{b.severity}",
    ev.StatusChanged: lambda s, e, b, _: f"set status to {b.status}",
    ev.KeyTimeSet: lambda s, e, b, _: f"set {b.which} time to {b.time:%Y-%m-%d %H:%M UTC}",
    ev.IncidentClosed: lambda s, e, b, _: _with_note("closed the incident", b.summary),
    ev.ResponderJoined: lambda s, e, b, _: "joined",
    ev.ShiftChanged: _shift_text,
    ev.RoleAssigned: lambda s, e, b, _: f"made {b.handle} {b.role}",
    ev.RoleCleared: lambda s, e, b, was: f"cleared the {b.role} role" + (f" (was {was})" if was else ""),
    ev.CommandHandoverOffered: lambda s, e, b, _: _with_note(f"offered command to {b.to}", b.note),
    ev.CommandHandoverAccepted: lambda s, e, b, was: f"accepted command{_from(was)}",
    ev.CommandHandoverDeclined: lambda s, e, b, was: f"declined command{_from(was)}",
    ev.CommandAssumed: _assumed_text,
    ev.WorkstreamOpened: lambda s, e, b, _: f'opened WS-{len(s.workstreams) + 1} "{b.title}"',
    ev.WorkstreamClaimed: lambda s, e, b, was: f"claimed {_ws_label(s, b.workstream)}{_from(was)}",
    ev.WorkstreamReleased: lambda s, e, b, _: f"released {_ws_label(s, b.workstream)}",
    ev.HandoffOffered: lambda s, e, b, _: _with_note(f"offered {_ws_label(s, b.workstream)} to {b.to}", b.note),
    ev.HandoffAccepted: lambda s, e, b, was: f"accepted {_ws_label(s, b.workstream)}{_from(was)}",
    ev.HandoffDeclined: lambda s, e, b, was: f"declined {_ws_label(s, b.workstream)}{_from(was)}",
    ev.WorkstreamStatusSet: lambda s, e, b, _: _with_note(f"set {_ws_label(s, b.workstream)} to {b.status}", b.note),
    ev.NoteAdded: lambda s, e, b, _: b.text,
    ev.EntryStarred: lambda s, e, b, _: f"{'starred' if b.starred else 'unstarred'} entry #{b.target}",
    ev.BroadcastSent: lambda s, e, b, _: (
        f"updated stakeholders: {b.text}" if b.audience == "stakeholders" else f"broadcast: {b.text}"
    ),
    ev.UpdateSnoozed: lambda s, e, b, _: f"snoozed the stakeholder update by {b.minutes} min",
    ev.ActionItemAdded: lambda s, e, b, _: (
        f"added action item ({b.kind}{f', owner {b.owner}' if b.owner else ''}): {b.text}"
    ),
}
