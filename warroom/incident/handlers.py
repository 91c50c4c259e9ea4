"""What each accepted event does to the state: one handler per event kind, in ``HANDLERS``.

``fold.apply`` calls them only for events the rules accepted; each records what it changed
on the event's ``Change``. The playbook's handlers live in ``fold_playbook``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import events as ev
from .change import Change
from .fold_playbook import field_set, item_added, start_playbook, ticked
from .policy import DEFAULT_POLICY
from .state import (
    ActionItem,
    AlertRecord,
    Broadcast,
    Decision,
    IncidentState,
    Link,
    OwnershipSpan,
    PendingHandoff,
    PublicChange,
    Responder,
    Workstream,
)


def join_on_shift(state: IncidentState, handle: str, event: ev.StoredEvent) -> Responder:
    """A newcomer's first accepted event (or their ``responder_joined``) puts them on shift."""
    responder = Responder(handle=handle, shift="on", joined_at=event.at, shift_started_at=event.at)
    state.responders[handle] = responder
    return responder


def _end_span(spans: list[OwnershipSpan], at: datetime) -> None:
    if spans and spans[-1].end is None:
        spans[-1].end = at


def _pass_to(spans: list[OwnershipSpan], handle: str, at: datetime, note: str) -> None:
    """End the current holder's span (if any) and start ``handle``'s."""
    _end_span(spans, at)
    spans.append(OwnershipSpan(holder=handle, start=at, note=note))


def _set_commander(state: IncidentState, handle: str, at: datetime, change: Change, note: str = "") -> None:
    change.commander_before, change.new_commander = state.commander, True
    _pass_to(state.command_spans, handle, at, note)
    state.commander, state.commander_since, state.command_offer = handle, at, None


def _set_key_time(state: IncidentState, which: str, at: datetime, change: Change, *, keep: bool = False) -> None:
    """Set a key time (``keep``: only if not set yet), noting it when it moves."""
    if keep and which in state.key_times or state.key_times.get(which) == at:
        return
    state.key_times[which] = at
    change.key_times += (which,)


def _set_role(state: IncidentState, role: str, handle: str | None, change: Change) -> None:
    before = state.roles.get(role)
    if handle is None:
        state.roles.pop(role, None)
    else:
        state.roles[role] = handle
    if before != handle:
        change.roles += ((role, before, handle),)


def _declared(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentDeclared, change: Change) -> None:
    state.id = b.incident_id
    state.title = b.title
    change.severity_changed = change.status_changed = True  # from nothing
    state.severity = b.severity
    state.drill = b.drill
    state.policy = b.policy or DEFAULT_POLICY
    state.declared = True
    state.declared_at = event.at
    state.declared_by = event.actor
    detected = min(b.detected_at, event.at) if b.detected_at else event.at
    _set_key_time(state, "started", detected, change)
    _set_key_time(state, "detected", detected, change)
    state.severity_history.append((event.at, b.severity))
    state.status_history.append((event.at, state.status))
    if b.playbook is not None:
        start_playbook(state, b.playbook, event)
    if b.published:
        state.published_at, state.published_seq, state.public_title = event.at, event.seq, b.title
    if b.alert_group is None:
        _set_commander(state, event.actor, event.at, change)
    else:
        state.alert_groups.add(b.alert_group)
        state.integrations.add(event.actor)


def _severity(state: IncidentState, event: ev.StoredEvent, b: ev.SeverityChanged, change: Change) -> None:
    change.severity_before, change.severity_changed = state.severity, b.severity != state.severity
    state.severity = b.severity
    state.severity_history.append((event.at, state.severity))


def _renamed(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentRenamed, change: Change) -> None:
    state.title = b.title


def _status(state: IncidentState, event: ev.StoredEvent, b: ev.StatusChanged, change: Change) -> None:
    change.status_before, change.status_changed = state.status, b.status != state.status
    state.status = b.status
    state.status_history.append((event.at, b.status))
    if b.status in ("mitigated", "resolved"):
        _set_key_time(state, b.status, event.at, change, keep=True)


def _published(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentPublished, change: Change) -> None:
    first = not state.published
    if first:
        state.published_at, state.published_seq = event.at, event.seq
        state.public_title = b.title or ev.DEFAULT_PUBLIC_TITLE
        state.public_summary = b.summary or ""
        return
    for kind, value in (("title", b.title), ("summary", b.summary)):
        if value is not None and value != getattr(state, f"public_{kind}"):
            setattr(state, f"public_{kind}", value)
            state.public_changes.append(PublicChange(event.at, kind, kind, value, state.public_status))


def _component(state: IncidentState, event: ev.StoredEvent, b: ev.ComponentImpactSet, change: Change) -> None:
    if b.impact == "operational":
        state.components.pop(b.component, None)
    else:
        state.components[b.component] = b.impact
    state.public_changes.append(PublicChange(event.at, "component", b.component, b.impact, state.public_status))


def _key_time(state: IncidentState, event: ev.StoredEvent, b: ev.KeyTimeSet, change: Change) -> None:
    _set_key_time(state, b.which, b.time, change)


def _closed(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentClosed, change: Change) -> None:
    _close(state, event.at, b.summary, change)


def _close(state: IncidentState, at: datetime, summary: str, change: Change) -> None:
    state.closed = True
    state.closed_at = at
    state.summary = summary
    _set_key_time(state, "resolved", at, change, keep=True)
    _end_span(state.command_spans, at)
    for ws in state.workstreams.values():
        _end_span(ws.owners, at)


def _reopened(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentReopened, change: Change) -> None:
    """Running again: the resolved time the close set goes, and command and ownership spans resume."""
    if state.key_times.get("resolved") == state.closed_at:
        del state.key_times["resolved"]
        change.key_times += ("resolved",)
    state.closed, state.closed_at, state.duplicate_of = False, None, None
    if state.commander is not None:
        _pass_to(state.command_spans, state.commander, event.at, "")
    for ws in state.workstreams.values():
        if ws.owner is not None:
            _pass_to(ws.owners, ws.owner, event.at, "")


def _linked(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentLinked, change: Change) -> None:
    state.links.append(Link(b.incident, b.kind, b.title, b.started, event.seq, event.at, event.actor))
    if b.kind == "duplicate-of" and not state.closed:  # a merge: this one closes, pointing at the other
        state.duplicate_of = b.incident
        _close(state, event.at, f"duplicate of {b.incident}", change)


def _joined(state: IncidentState, event: ev.StoredEvent, b: ev.ResponderJoined, change: Change) -> None:
    join_on_shift(state, event.actor, event).last_seen_seq = event.seq


def _shift(state: IncidentState, event: ev.StoredEvent, b: ev.ShiftChanged, change: Change) -> None:
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
        for role in sorted(role for role, holder in state.roles.items() if holder == event.actor):
            _set_role(state, role, None, change)
    r.shift = b.shift


def _withdraw_offers_to(state: IncidentState, handle: str) -> None:
    """Someone who leaves cannot accept: offers waiting for them lapse."""
    for ws in state.workstreams.values():
        if ws.pending and ws.pending.to == handle:
            ws.pending = None
    if state.command_offer and state.command_offer.to == handle:
        state.command_offer = None


def _command_offered(state: IncidentState, event: ev.StoredEvent, b: ev.CommandHandoverOffered, change: Change) -> None:
    state.command_offer = PendingHandoff(to=b.to, note=b.note, offered_at=event.at, offered_by=event.actor)


def _command_accepted(state: IncidentState, event: ev.StoredEvent, b: ev.CommandHandoverAccepted, change: Change) -> None:
    note = state.command_offer.note if state.command_offer else ""
    _set_commander(state, event.actor, event.at, change, note)


def _command_declined(state: IncidentState, event: ev.StoredEvent, b: ev.CommandHandoverDeclined, change: Change) -> None:
    state.command_offer = None


def _command_assumed(state: IncidentState, event: ev.StoredEvent, b: ev.CommandAssumed, change: Change) -> None:
    _set_commander(state, event.actor, event.at, change)


def _ws_opened(state: IncidentState, event: ev.StoredEvent, b: ev.WorkstreamOpened, change: Change) -> None:
    number = len(state.workstreams) + 1
    ws = Workstream(number=number, title=b.title, opened_at=event.at, opened_by=event.actor)
    state.workstreams[ws.id] = ws
    change.workstream = change.entry.workstream = ws.id  # its timeline entry is about it, as a claim's is


def _take(state: IncidentState, ws_id: str, handle: str, at: datetime, change: Change, note: str = "") -> None:
    ws = state.workstreams[ws_id]
    change.owner_before, change.new_owner = ws.owner, True
    _pass_to(ws.owners, handle, at, note)
    ws.owner, ws.pending, ws.updated_at = handle, None, at


def _ws_claimed(state: IncidentState, event: ev.StoredEvent, b: ev.WorkstreamClaimed, change: Change) -> None:
    _take(state, b.workstream, event.actor, event.at, change)
    ws = state.workstreams[b.workstream]
    if ws.status == "open":
        ws.status = "active"


def _ws_released(state: IncidentState, event: ev.StoredEvent, b: ev.WorkstreamReleased, change: Change) -> None:
    ws = state.workstreams[b.workstream]
    _end_span(ws.owners, event.at)
    ws.owner = None
    ws.pending = None
    ws.updated_at = event.at
    if ws.status == "active":
        ws.status = "open"


def _handoff_offered(state: IncidentState, event: ev.StoredEvent, b: ev.HandoffOffered, change: Change) -> None:
    ws = state.workstreams[b.workstream]
    ws.pending = PendingHandoff(to=b.to, note=b.note, offered_at=event.at, offered_by=event.actor)
    ws.updated_at = event.at


def _handoff_accepted(state: IncidentState, event: ev.StoredEvent, b: ev.HandoffAccepted, change: Change) -> None:
    pending = state.workstreams[b.workstream].pending
    _take(state, b.workstream, event.actor, event.at, change, pending.note if pending else "")


def _handoff_declined(state: IncidentState, event: ev.StoredEvent, b: ev.HandoffDeclined, change: Change) -> None:
    ws = state.workstreams[b.workstream]
    ws.pending = None
    ws.updated_at = event.at


def _ws_status(state: IncidentState, event: ev.StoredEvent, b: ev.WorkstreamStatusSet, change: Change) -> None:
    ws = state.workstreams[b.workstream]
    ws.status = b.status
    ws.status_note = b.note
    ws.updated_at = event.at


def noop(state: IncidentState, event: ev.StoredEvent, b: ev.Body, change: Change) -> None:
    return None


def _starred(state: IncidentState, event: ev.StoredEvent, b: ev.EntryStarred, change: Change) -> None:
    entry = state.entry(b.target)
    if entry is not None:
        entry.starred = b.starred


def _broadcast(state: IncidentState, event: ev.StoredEvent, b: ev.BroadcastSent, change: Change) -> None:
    state.broadcasts.append(
        Broadcast(seq=event.seq, at=event.at, sender=event.actor, text=b.text, audience=b.audience, status=state.public_status)
    )
    if b.audience == "stakeholders":
        state.last_stakeholder_update = event.at
        state.snoozed_until = None


def _decided(state: IncidentState, event: ev.StoredEvent, b: ev.DecisionMade, change: Change) -> None:
    state.decisions.append(
        Decision(seq=event.seq, at=event.at, by=event.actor, text=b.text, why=b.why, alternatives=b.alternatives)
    )


def _snoozed(state: IncidentState, event: ev.StoredEvent, b: ev.UpdateSnoozed, change: Change) -> None:
    state.snoozed_until = state.snoozed_due(event.at, b.minutes)


def _policy_changed(state: IncidentState, event: ev.StoredEvent, b: ev.PolicyChanged, change: Change) -> None:
    state.policy = b.policy


def _action_item(state: IncidentState, event: ev.StoredEvent, b: ev.ActionItemAdded, change: Change) -> None:
    state.action_items.append(
        ActionItem(
            seq=event.seq, text=b.text, owner=b.owner, kind=b.kind, added_by=event.actor,
            number=len(state.action_items) + 1, due=b.due,
        )
    )


def _action_edited(state: IncidentState, event: ev.StoredEvent, b: ev.ActionItemEdited, change: Change) -> None:
    item = state.action_item(b.item)
    assert item is not None  # the rule checked
    item.text, item.owner, item.due = b.text, b.owner, b.due


def _action_status(state: IncidentState, event: ev.StoredEvent, b: ev.ActionItemStatusSet, change: Change) -> None:
    item = state.action_item(b.item)
    assert item is not None  # the rule checked
    item.status = b.status
    item.reason = b.reason if b.status == "wont_do" else ""
    item.status_at = event.at
    item.status_by = event.actor


def _alert_fired(state: IncidentState, event: ev.StoredEvent, b: ev.AlertFired, change: Change) -> None:
    state.integrations.add(event.actor)
    state.alerts.pop(b.fingerprint, None)  # fired again: it moves to the end, with its new start
    state.alerts[b.fingerprint] = AlertRecord(
        fingerprint=b.fingerprint, group=b.group, name=b.name, summary=b.summary, labels=dict(b.labels),
        links=[(link.title, link.url) for link in b.links], starts_at=b.starts_at, seq=event.seq, description=b.description,
    )


def _alert_resolved(state: IncidentState, event: ev.StoredEvent, b: ev.AlertResolved, change: Change) -> None:
    state.integrations.add(event.actor)
    record = state.alerts[b.fingerprint]
    record.status = "resolved"
    record.ends_at = b.ends_at or event.at


HANDLERS: dict[type[ev.Body], Callable[[IncidentState, ev.StoredEvent, Any, Change], None]] = {
    ev.IncidentDeclared: _declared,
    ev.PolicyChanged: _policy_changed,
    ev.SeverityChanged: _severity,
    ev.IncidentRenamed: _renamed,
    ev.StatusChanged: _status,
    ev.IncidentPublished: _published,
    ev.ComponentImpactSet: _component,
    ev.KeyTimeSet: _key_time,
    ev.IncidentClosed: _closed,
    ev.IncidentReopened: _reopened,
    ev.IncidentLinked: _linked,
    ev.ResponderJoined: _joined,
    ev.ShiftChanged: _shift,
    ev.RoleAssigned: lambda s, e, b, change: _set_role(s, b.role, b.handle, change),
    ev.RoleCleared: lambda s, e, b, change: _set_role(s, b.role, None, change),
    ev.CommandHandoverOffered: _command_offered,
    ev.CommandHandoverAccepted: _command_accepted,
    ev.CommandHandoverDeclined: _command_declined,
    ev.CommandAssumed: _command_assumed,
    ev.WorkstreamOpened: _ws_opened,
    ev.WorkstreamClaimed: _ws_claimed,
    ev.WorkstreamReleased: _ws_released,
    ev.HandoffOffered: _handoff_offered,
    ev.HandoffAccepted: _handoff_accepted,
    ev.HandoffDeclined: _handoff_declined,
    ev.WorkstreamStatusSet: _ws_status,
    ev.NoteAdded: noop,
    ev.DecisionMade: _decided,
    ev.EntryStarred: _starred,
    ev.BroadcastSent: _broadcast,
    ev.UpdateSnoozed: _snoozed,
    ev.ActionItemAdded: _action_item,
    ev.ActionItemEdited: _action_edited,
    ev.ActionItemStatusSet: _action_status,
    ev.ChecklistTicked: ticked,
    ev.ChecklistItemAdded: item_added,
    ev.FieldSet: field_set,
    ev.AlertFired: _alert_fired,
    ev.AlertResolved: _alert_resolved,
}
