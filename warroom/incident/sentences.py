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
from .playbook import show_value
from .policy import Policy
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


def _replacing(state: IncidentState, ws_id: str) -> str:
    ws = state.workstream(ws_id)
    return f" (replacing the offer to {ws.pending.to})" if ws and ws.pending else ""


def counterpart_of(state: IncidentState, event: ev.StoredEvent) -> str | None:
    """The other responder ``event`` is about, in ``state`` just before it (``None`` if nobody)."""
    find = COUNTERPARTS.get(type(event.body))
    return find(state, event, event.body) if find else None


def describe(state: IncidentState, event: ev.StoredEvent) -> str:
    """A readable sentence for the timeline (the actor is shown beside it, not in it)."""
    return SENTENCES[type(event.body)](state, event, event.body, counterpart_of(state, event))


def _declared_text(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentDeclared, _: str | None) -> str:
    drill = " (drill)" if b.drill else ""
    alert = " from an alert: nobody is in command yet" if b.alert_group is not None else ""
    playbook = f" with the {b.playbook.name} playbook" if b.playbook is not None else ""
    public = ", public at once" if b.published else ""
    return f'declared {b.incident_id} "{b.title}" at SEV{b.severity}{drill}{playbook}{alert}{public}'


_LINK_TEXT = {
    "caused-by": "linked: this incident was caused by {other}",
    "causes": "linked: this incident caused {other}",
    "related": "linked: related to {other}",
    "duplicate-of": "linked: this incident is a duplicate of {other}",
    "duplicated-by": "linked: {other} is a duplicate of this incident",
}


def _linked_text(state: IncidentState, event: ev.StoredEvent, b: ev.IncidentLinked, _: str | None) -> str:
    other = f'{b.incident} "{b.title}"' if b.title else b.incident
    text = _LINK_TEXT[b.kind].format(other=other)
    return text + (" (closed: the work goes on there)" if b.kind == "duplicate-of" and not state.closed else "")


_ACTION_STATUS_TEXT = {"open": "reopened", "in_progress": "started", "done": "finished", "wont_do": "will not do"}


def _action_added_text(state: IncidentState, event: ev.StoredEvent, b: ev.ActionItemAdded, _: str | None) -> str:
    details = [b.kind, *([f"owner {b.owner}"] if b.owner else []), *([f"due {b.due:%Y-%m-%d}"] if b.due else [])]
    return f"added action item A-{len(state.action_items) + 1} ({', '.join(details)}): {b.text}"


def _action_edited_text(state: IncidentState, event: ev.StoredEvent, b: ev.ActionItemEdited, _: str | None) -> str:
    """What changed, as it was and as it now reads (the state is the one before the edit)."""
    item = state.action_item(b.item)
    if item is None:
        return f"edited action item {b.item}: {b.text}"
    changes = []
    if b.text != item.text:
        changes.append(f'text "{b.text}" (was "{item.text}")')
    if b.owner != item.owner:
        changes.append(f"owner {b.owner or 'nobody'} (was {item.owner or 'nobody'})")
    if b.due != item.due:
        changes.append(f"due {b.due:%Y-%m-%d}" if b.due else "no due date")
    return f"edited action item {b.item}: {', '.join(changes) or 'unchanged'}"


def _action_status_text(state: IncidentState, event: ev.StoredEvent, b: ev.ActionItemStatusSet, _: str | None) -> str:
    item = state.action_item(b.item)
    what = f'{b.item} "{item.text}"' if item else b.item
    return _with_note(f"{_ACTION_STATUS_TEXT[b.status]} action item {what}", b.reason)


def _alert_fired_text(state: IncidentState, event: ev.StoredEvent, b: ev.AlertFired, _: str | None) -> str:
    labels = ", ".join(f"{k}={v}" for k, v in b.labels.items() if k != "alertname")
    said = f": {b.summary}" if b.summary and b.summary != b.name else ""  # a generic alert's name is its title
    text = f"alert firing: {b.name}{said}" + (f" [{labels}]" if labels else "")
    described = " ".join(b.description.split())
    text += f" — {described}" if described and described != b.summary else ""
    return text + "".join(f" {link.title}: {link.url}" for link in b.links)


def _alert_resolved_text(state: IncidentState, event: ev.StoredEvent, b: ev.AlertResolved, _: str | None) -> str:
    last = all(a.status == "resolved" for fp, a in state.alerts.items() if fp != b.fingerprint)
    record = state.alerts.get(b.fingerprint)
    where = f" on {record.where}" if record is not None and record.where else ""
    return f"alert resolved: {b.name}{where}" + (" (every alert of this incident has resolved)" if last else "")


def _ticked_text(state: IncidentState, event: ev.StoredEvent, b: ev.ChecklistTicked, _: str | None) -> str:
    item = state.checklist.get(b.item)
    return f"{'ticked' if b.done else 'unticked'} {b.item}" + (f' "{item.text}"' if item else "")


def _item_added_text(state: IncidentState, event: ev.StoredEvent, b: ev.ChecklistItemAdded, _: str | None) -> str:
    required = ", required" if b.required else ""
    return f"added checklist item C-{len(state.checklist) + 1} ({b.role}, {b.stage}{required}): {b.text}"


def _field_text(state: IncidentState, event: ev.StoredEvent, b: ev.FieldSet, _: str | None) -> str:
    found = state.fields.get(b.name)
    label = found.label if found else b.name
    if b.value is None:
        return f"cleared {label}"
    return f"set {label} to {show_value(found.kind if found else 'text', b.value)}"


DECISION_MARK = "◆"
"""Starts a decision's sentence, so it stands out on every timeline (board, CLI, exports)."""


def _decision_text(state: IncidentState, event: ev.StoredEvent, b: ev.DecisionMade, _: str | None) -> str:
    text = f"{DECISION_MARK} decided: {b.text}"
    if b.why:
        text += f" (why: {b.why})"
    if b.alternatives:
        text += f" (alternatives: {b.alternatives})"
    return text


def _note_text(state: IncidentState, event: ev.StoredEvent, b: ev.NoteAdded, _: str | None) -> str:
    text = f"on {b.workstream}: {b.text}" if b.workstream else b.text
    return f"impact: {text}" if b.impact else text


def _shift_text(state: IncidentState, event: ev.StoredEvent, b: ev.ShiftChanged, _: str | None) -> str:
    if b.shift == "on":
        shift = state.shift_of(event.actor)
        zone = f" ({b.tz})" if b.tz else ""
        if shift == "on":
            return f"set their time zone to {b.tz}"
        return ("came back from a break" if shift == "break" else "came on shift") + zone
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


def _policy_text(before: Policy, after: Policy) -> str:
    was, now = before.model_dump(), after.model_dump()
    moved = [f"{name} {was[name]} → {now[name]}" for name in now if now[name] != was[name]]
    return "changed the policy: " + (", ".join(moved) if moved else "no change")

def _published_text(state: IncidentState, body: ev.IncidentPublished) -> str:
    said = [f'public title "{body.title}"'] if body.title is not None else []
    said += [f'public summary "{body.summary}"'] if body.summary is not None else []
    what = "published the incident" if not state.published else "changed what the public reads"
    return f"{what}: {', '.join(said)}" if said else what


SENTENCES: dict[type[ev.Body], Sentence] = {
    ev.IncidentDeclared: _declared_text,
    ev.PolicyChanged: lambda s, e, b, _: _policy_text(s.policy, b.policy),
    ev.SeverityChanged: lambda s, e, b, _: f"changed severity SEV{s.severity} → SEV{b.severity}",
    ev.IncidentRenamed: lambda s, e, b, _: f'renamed the incident: "{s.title}" → "{b.title}"',
    ev.StatusChanged: lambda s, e, b, _: f"set status to {b.status}",
    ev.IncidentPublished: lambda s, e, b, _: _published_text(s, b),
    ev.ComponentImpactSet: lambda s, e, b, _: f"set {b.component} to {b.impact} on the status page",
    ev.KeyTimeSet: lambda s, e, b, _: f"set {b.which} time to {b.time:%Y-%m-%d %H:%M UTC}",
    ev.IncidentClosed: lambda s, e, b, _: _with_note("closed the incident", b.summary),
    ev.IncidentReopened: lambda s, e, b, _: f"reopened the incident: {b.reason}",
    ev.IncidentLinked: _linked_text,
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
    ev.HandoffOffered: lambda s, e, b, _: _with_note(
        f"offered {_ws_label(s, b.workstream)} to {b.to}{_replacing(s, b.workstream)}", b.note
    ),
    ev.HandoffAccepted: lambda s, e, b, was: f"accepted {_ws_label(s, b.workstream)}{_from(was)}",
    ev.HandoffDeclined: lambda s, e, b, was: f"declined {_ws_label(s, b.workstream)}{_from(was)}",
    ev.WorkstreamStatusSet: lambda s, e, b, _: _with_note(f"set {_ws_label(s, b.workstream)} to {b.status}", b.note),
    ev.NoteAdded: _note_text,
    ev.DecisionMade: _decision_text,
    ev.EntryStarred: lambda s, e, b, _: f"{'starred' if b.starred else 'unstarred'} entry #{b.target}",
    ev.BroadcastSent: lambda s, e, b, _: (
        f"updated stakeholders: {b.text}" if b.audience == "stakeholders" else f"broadcast: {b.text}"
    ),
    ev.UpdateSnoozed: lambda s, e, b, _: (
        f"snoozed the stakeholder update by {b.minutes} min (now due {_clock(s.snoozed_due(e.at, b.minutes))})"
    ),
    ev.ActionItemAdded: _action_added_text,
    ev.ActionItemEdited: _action_edited_text,
    ev.ActionItemStatusSet: _action_status_text,
    ev.ChecklistTicked: _ticked_text,
    ev.ChecklistItemAdded: _item_added_text,
    ev.FieldSet: _field_text,
    ev.AlertFired: _alert_fired_text,
    ev.AlertResolved: _alert_resolved_text,
}
