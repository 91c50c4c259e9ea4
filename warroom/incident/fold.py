"""The pure, total reducer: log in, state out.

``fold`` never raises. Each event is checked against the rules in the state it
arrives in; an event that is invalid there (claiming a workstream someone owns, a
broadcast by a non-commander) stays on the timeline marked rejected, with the
rule's reason, and changes nothing else. Events at or below the current seq, or
with an id already seen, are ignored, so re-reading a prefix is harmless. Any two
boards that have read the same prefix therefore show exactly the same state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from datetime import datetime, timedelta

from . import events as ev
from .rules import check
from .state import (
    ActionItem,
    Broadcast,
    IncidentState,
    OwnershipSpan,
    PendingHandoff,
    Responder,
    TimelineEntry,
    Workstream,
)


def fold(events: Iterable[ev.StoredEvent], state: IncidentState | None = None) -> IncidentState:
    """Fold ``events`` into ``state`` (a fresh one if ``None``) and return it.

    Passing a state continues the fold in place: ``fold(b, fold(a))`` equals ``fold(a + b)``.
    """
    state = state if state is not None else IncidentState()
    for event in events:
        apply(state, event)
    return state


def apply(state: IncidentState, event: ev.StoredEvent) -> TimelineEntry | None:
    """Apply one event; returns its timeline entry, or ``None`` if it was already applied."""
    if event.seq <= state.seq or event.id in state.event_ids:
        return None
    body = event.body
    actor = event.actor
    refusal = check(state, actor, body)
    fields = body.__dict__
    entry = TimelineEntry(
        seq=event.seq,
        at=event.at,
        actor=actor,
        type=body.type,
        text=describe(state, event),
        rejected=refusal,
        starred=fields.get("star", False),
        workstream=fields.get("workstream"),
    )
    state.timeline.append(entry)
    state.seq = event.seq
    state.event_ids.add(event.id)
    if refusal is not None:
        return entry
    responder = state.responders.get(actor)
    if responder is None and body.type != "responder_joined":
        responder = _join(state, actor, event)
    if responder is not None:
        responder.last_seen_seq = event.seq
    _HANDLERS[body.type](state, event)
    return entry


# --- sentences -----------------------------------------------------------------


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M UTC")


def _ws_label(state: IncidentState, ws_id: str) -> str:
    ws = state.workstream(ws_id)
    return f'{ws_id} "{ws.title}"' if ws else ws_id


def _with_note(text: str, note: str) -> str:
    return f"{text}: {note}" if note else text


def describe(state: IncidentState, event: ev.StoredEvent) -> str:
    """A readable sentence for the timeline (the actor is shown beside it, not in it)."""
    return _SENTENCES[event.body.type](state, event, event.body)


def _declared_text(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentDeclared) -> str:
    drill = " (drill)" if b.drill else ""
    return f'declared {b.incident_id} "{b.title}" at SEV{b.severity}{drill}'


def _shift_text(state: IncidentState, event: ev.StoredEvent, b: ev.ShiftChanged) -> str:
    if b.shift == "on":
        return "came back from a break" if state.shift_of(event.actor) == "break" else "came on shift"
    if b.shift == "break":
        back = event.at + timedelta(minutes=b.minutes or 0)
        return f"went on a {b.minutes} min break, back at {_clock(back)}"
    return "went off shift"


def _role_cleared_text(state: IncidentState, event: ev.StoredEvent, b: ev.RoleCleared) -> str:
    holder = state.roles.get(b.role)
    return f"cleared the {b.role} role" + (f" (was {holder})" if holder else "")


def _assumed_text(state: IncidentState, event: ev.StoredEvent, b: ev.CommandAssumed) -> str:
    holder = state.commander
    if holder is None:
        return "assumed command"
    away = "on a break" if state.shift_of(holder) == "break" else "off shift"
    return f"assumed command ({holder} was {away})"


def _from_owner(state: IncidentState, ws_id: str, actor: str | None = None) -> str:
    ws = state.workstream(ws_id)
    return f" from {ws.owner}" if ws and ws.owner and ws.owner != actor else ""


_SENTENCES: dict[str, Callable[[IncidentState, ev.StoredEvent, Any], str]] = {
    "incident_declared": _declared_text,
    "severity_changed": lambda s, e, b: f"changed severity SEV{s.severity} → SEV{b.severity}",
    "status_changed": lambda s, e, b: f"set status to {b.status}",
    "key_time_set": lambda s, e, b: f"set {b.which} time to {b.time:%Y-%m-%d %H:%M UTC}",
    "incident_closed": lambda s, e, b: _with_note("closed the incident", b.summary),
    "responder_joined": lambda s, e, b: "joined",
    "shift_changed": _shift_text,
    "role_assigned": lambda s, e, b: f"made {b.handle} {b.role}",
    "role_cleared": _role_cleared_text,
    "command_handover_offered": lambda s, e, b: _with_note(f"offered command to {b.to}", b.note),
    "command_handover_accepted": lambda s, e, b: f"accepted command from {s.commander}" if s.commander else "accepted command",
    "command_handover_declined": lambda s, e, b: f"declined command from {s.commander}" if s.commander else "declined command",
    "command_assumed": _assumed_text,
    "workstream_opened": lambda s, e, b: f'opened WS-{len(s.workstreams) + 1} "{b.title}"',
    "workstream_claimed": lambda s, e, b: f"claimed {_ws_label(s, b.workstream)}{_from_owner(s, b.workstream, e.actor)}",
    "workstream_released": lambda s, e, b: f"released {_ws_label(s, b.workstream)}",
    "handoff_offered": lambda s, e, b: _with_note(f"offered {_ws_label(s, b.workstream)} to {b.to}", b.note),
    "handoff_accepted": lambda s, e, b: f"accepted {_ws_label(s, b.workstream)}{_from_owner(s, b.workstream)}",
    "handoff_declined": lambda s, e, b: f"declined {_ws_label(s, b.workstream)}{_from_owner(s, b.workstream)}",
    "workstream_status_set": lambda s, e, b: _with_note(f"set {_ws_label(s, b.workstream)} to {b.status}", b.note),
    "note_added": lambda s, e, b: b.text,
    "entry_starred": lambda s, e, b: f"{'starred' if b.starred else 'unstarred'} entry #{b.target}",
    "broadcast_sent": lambda s, e, b: (
        f"updated stakeholders: {b.text}" if b.audience == "stakeholders" else f"broadcast: {b.text}"
    ),
    "update_snoozed": lambda s, e, b: f"snoozed the stakeholder update by {b.minutes} min",
    "action_item_added": lambda s, e, b: (
        f"added action item ({b.kind}{f', owner {b.owner}' if b.owner else ''}): {b.text}"
    ),
}
assert set(_SENTENCES) == set(ev.EVENT_TYPES), "every event type needs a sentence"


# --- handlers: called only for events the rules accepted ------------------------------


def _join(state: IncidentState, handle: str, event: ev.StoredEvent) -> Responder:
    responder = Responder(handle=handle, shift="on", joined_at=event.at, shift_started_at=event.at)
    state.responders[handle] = responder
    return responder


def _end_span(spans: list[OwnershipSpan], at: datetime) -> None:
    if spans and spans[-1].end is None:
        spans[-1].end = at


def _set_commander(state: IncidentState, handle: str, at: datetime, note: str = "") -> None:
    _end_span(state.command_spans, at)
    state.commander = handle
    state.commander_since = at
    state.command_offer = None
    state.command_spans.append(OwnershipSpan(holder=handle, start=at, note=note))


def _declared(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.IncidentDeclared = event.body  # type: ignore[assignment]
    state.id = b.incident_id
    state.title = b.title
    state.severity = b.severity
    state.drill = b.drill
    state.declared = True
    state.declared_at = event.at
    state.declared_by = event.actor
    state.key_times["started"] = event.at
    state.key_times["detected"] = event.at
    state.severity_history.append((event.at, b.severity))
    state.status_history.append((event.at, state.status))
    _set_commander(state, event.actor, event.at)


def _severity(state: IncidentState, event: ev.StoredEvent) -> None:
    state.severity = event.body.severity  # type: ignore[union-attr]
    state.severity_history.append((event.at, state.severity))


def _status(state: IncidentState, event: ev.StoredEvent) -> None:
    status = event.body.status  # type: ignore[union-attr]
    state.status = status
    state.status_history.append((event.at, status))
    if status in ("mitigated", "resolved"):
        state.key_times.setdefault(status, event.at)


def _key_time(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.KeyTimeSet = event.body  # type: ignore[assignment]
    state.key_times[b.which] = b.time


def _closed(state: IncidentState, event: ev.StoredEvent) -> None:
    state.closed = True
    state.closed_at = event.at
    state.summary = event.body.summary  # type: ignore[union-attr]
    state.key_times.setdefault("resolved", event.at)
    _end_span(state.command_spans, event.at)
    for ws in state.workstreams.values():
        _end_span(ws.owners, event.at)


def _joined(state: IncidentState, event: ev.StoredEvent) -> None:
    _join(state, event.actor, event).last_seen_seq = event.seq


def _shift(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.ShiftChanged = event.body  # type: ignore[assignment]
    r = state.responders[event.actor]
    if r.shift == "break" and r.breaks and r.breaks[-1][1] is None:
        r.breaks[-1] = (r.breaks[-1][0], event.at)
    if b.shift == "on":
        if r.shift == "off" or r.shift_started_at is None:
            r.shift_started_at = event.at
        r.back_at = None
        r.left_at = None
    elif b.shift == "break":
        r.back_at = event.at + timedelta(minutes=b.minutes or 0)
        r.breaks.append((event.at, None))
        r.away_since_seq = event.seq
    else:
        if r.shift_started_at is not None:
            r.on_shift_total += event.at - r.shift_started_at
        r.shift_started_at = None
        r.back_at = None
        r.left_at = event.at
        r.away_since_seq = event.seq
        _withdraw_offers_to(state, event.actor)
        for role in [role for role, holder in state.roles.items() if holder == event.actor]:
            del state.roles[role]
    r.shift = b.shift


def _withdraw_offers_to(state: IncidentState, handle: str) -> None:
    """Someone who leaves cannot accept: offers waiting for them lapse."""
    for ws in state.workstreams.values():
        if ws.pending and ws.pending.to == handle:
            ws.pending = None
    if state.command_offer and state.command_offer.to == handle:
        state.command_offer = None


def _role_assigned(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.RoleAssigned = event.body  # type: ignore[assignment]
    state.roles[b.role] = b.handle


def _role_cleared(state: IncidentState, event: ev.StoredEvent) -> None:
    state.roles.pop(event.body.role, None)  # type: ignore[union-attr]


def _command_offered(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.CommandHandoverOffered = event.body  # type: ignore[assignment]
    state.command_offer = PendingHandoff(to=b.to, note=b.note, offered_at=event.at, offered_by=event.actor)


def _command_accepted(state: IncidentState, event: ev.StoredEvent) -> None:
    note = state.command_offer.note if state.command_offer else ""
    _set_commander(state, event.actor, event.at, note)


def _command_declined(state: IncidentState, event: ev.StoredEvent) -> None:
    state.command_offer = None


def _command_assumed(state: IncidentState, event: ev.StoredEvent) -> None:
    _set_commander(state, event.actor, event.at)


def _ws_opened(state: IncidentState, event: ev.StoredEvent) -> None:
    number = len(state.workstreams) + 1
    ws = Workstream(number=number, title=event.body.title, opened_at=event.at, opened_by=event.actor)  # type: ignore[union-attr]
    state.workstreams[ws.id] = ws


def _take(state: IncidentState, ws_id: str, handle: str, at: datetime, note: str = "") -> None:
    ws = state.workstreams[ws_id]
    _end_span(ws.owners, at)
    ws.owner = handle
    ws.pending = None
    ws.updated_at = at
    ws.owners.append(OwnershipSpan(holder=handle, start=at, note=note))


def _ws_claimed(state: IncidentState, event: ev.StoredEvent) -> None:
    ws_id = event.body.workstream  # type: ignore[union-attr]
    _take(state, ws_id, event.actor, event.at)
    ws = state.workstreams[ws_id]
    if ws.status == "open":
        ws.status = "active"


def _ws_released(state: IncidentState, event: ev.StoredEvent) -> None:
    ws = state.workstreams[event.body.workstream]  # type: ignore[union-attr]
    _end_span(ws.owners, event.at)
    ws.owner = None
    ws.pending = None
    ws.updated_at = event.at
    if ws.status == "active":
        ws.status = "open"


def _handoff_offered(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.HandoffOffered = event.body  # type: ignore[assignment]
    ws = state.workstreams[b.workstream]
    ws.pending = PendingHandoff(to=b.to, note=b.note, offered_at=event.at, offered_by=event.actor)
    ws.updated_at = event.at


def _handoff_accepted(state: IncidentState, event: ev.StoredEvent) -> None:
    ws_id = event.body.workstream  # type: ignore[union-attr]
    pending = state.workstreams[ws_id].pending
    _take(state, ws_id, event.actor, event.at, pending.note if pending else "")


def _handoff_declined(state: IncidentState, event: ev.StoredEvent) -> None:
    ws = state.workstreams[event.body.workstream]  # type: ignore[union-attr]
    ws.pending = None
    ws.updated_at = event.at


def _ws_status(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.WorkstreamStatusSet = event.body  # type: ignore[assignment]
    ws = state.workstreams[b.workstream]
    ws.status = b.status
    ws.status_note = b.note
    ws.updated_at = event.at


def _noop(state: IncidentState, event: ev.StoredEvent) -> None:
    return None


def _starred(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.EntryStarred = event.body  # type: ignore[assignment]
    entry = state.entry(b.target)
    if entry is not None:
        entry.starred = b.starred


def _broadcast(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.BroadcastSent = event.body  # type: ignore[assignment]
    state.broadcasts.append(Broadcast(seq=event.seq, at=event.at, sender=event.actor, text=b.text, audience=b.audience))
    if b.audience == "stakeholders":
        state.last_stakeholder_update = event.at
        state.snoozed_until = None


def _snoozed(state: IncidentState, event: ev.StoredEvent) -> None:
    state.snoozed_until = event.at + timedelta(minutes=event.body.minutes)  # type: ignore[union-attr]


def _action_item(state: IncidentState, event: ev.StoredEvent) -> None:
    b: ev.ActionItemAdded = event.body  # type: ignore[assignment]
    state.action_items.append(ActionItem(seq=event.seq, text=b.text, owner=b.owner, kind=b.kind, added_by=event.actor))


_HANDLERS: dict[str, Callable[[IncidentState, ev.StoredEvent], None]] = {
    "incident_declared": _declared,
    "severity_changed": _severity,
    "status_changed": _status,
    "key_time_set": _key_time,
    "incident_closed": _closed,
    "responder_joined": _joined,
    "shift_changed": _shift,
    "role_assigned": _role_assigned,
    "role_cleared": _role_cleared,
    "command_handover_offered": _command_offered,
    "command_handover_accepted": _command_accepted,
    "command_handover_declined": _command_declined,
    "command_assumed": _command_assumed,
    "workstream_opened": _ws_opened,
    "workstream_claimed": _ws_claimed,
    "workstream_released": _ws_released,
    "handoff_offered": _handoff_offered,
    "handoff_accepted": _handoff_accepted,
    "handoff_declined": _handoff_declined,
    "workstream_status_set": _ws_status,
    "note_added": _noop,
    "entry_starred": _starred,
    "broadcast_sent": _broadcast,
    "update_snoozed": _snoozed,
    "action_item_added": _action_item,
}
assert set(_HANDLERS) == set(ev.EVENT_TYPES), "every event type needs a handler"
