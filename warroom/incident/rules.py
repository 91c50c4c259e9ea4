"""Who may do what, and when: one function per action, each returning the reason it is refused.

Every function returns ``None`` when the action is allowed, or a short sentence a
responder can act on ("WS-2 is owned by bob: ask for a hand-off"). The same functions
run on the board (instant feedback), in the stores and on the server (the authority,
under a lock), and in the fold (the safety net for anything already in the log), so
all three always agree.

Before those, the authority asks who is writing (``writers.may_write``); ``check_write``
asks both, and is what every store and the board call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import events as ev
from .playbook import value_problem
from .state import IncidentState, Workstream
from .writers import INTEGRATION as INTEGRATION, PERSON as PERSON, Writer as Writer  # still importable from here
from .writers import Refusal, may_fire_alert, may_resolve_alert, may_write

# All a closed incident takes: its action items (worked on after close), a link from
# another incident, and a reopen by its commander -- anything else means reopening it first.
ALLOWED_AFTER_CLOSE: frozenset[type[ev.Body]] = frozenset(
    {ev.ActionItemAdded, ev.ActionItemEdited, ev.ActionItemStatusSet, ev.IncidentLinked, ev.IncidentReopened}
)


def _away(state: IncidentState, actor: str) -> Refusal:
    """Refuse work from someone on a break or off shift (a newcomer joins on shift)."""
    shift = state.shift_of(actor)
    if shift == "break":
        return "you are on a break: come back on shift first"
    if shift == "off":
        return "you are off shift: go on shift first"
    return None


def _commander_only(state: IncidentState, actor: str, what: str) -> Refusal:
    if state.commander != actor:
        holder = f"{state.commander} is" if state.commander else "nobody is"
        return f"only the commander can {what} ({holder} in command)"
    return None


def _target_on_shift(state: IncidentState, actor: str, to: str) -> Refusal:
    if to == actor:
        return "you cannot hand over to yourself"
    shift = state.shift_of(to)
    if shift is None:
        return f"{to} has not joined this incident"
    if shift != "on":
        return f"{to} is {'on a break' if shift == 'break' else 'off shift'}: hand over to someone on shift"
    return None


def _on_workstream(rule: Callable[[IncidentState, str, Any, Workstream], Refusal]) -> Callable[[IncidentState, str, Any], Refusal]:
    """A rule about one workstream: refuses one that does not exist, else judges it."""

    def checked(state: IncidentState, actor: str, body: Any) -> Refusal:
        ws = state.workstream(body.workstream)
        if ws is None:
            return f"there is no {body.workstream} in {state.id or 'this incident'}"
        return rule(state, actor, body, ws)

    return checked


# --- the incident --------------------------------------------------------------


def may_declare(state: IncidentState, actor: str, body: ev.IncidentDeclared) -> Refusal:
    if state.declared:
        return f"{state.id} is already declared"
    return None


def _commander_changes(state: IncidentState, actor: str, what: str, unchanged: str | None) -> Refusal:
    """Only the commander may change ``what``; ``unchanged`` says why a change that changes nothing is refused."""
    return _commander_only(state, actor, what) or unchanged


def may_change_severity(state: IncidentState, actor: str, body: ev.SeverityChanged) -> Refusal:
    same = body.severity == state.severity
    return _commander_changes(state, actor, "change severity", f"severity is already SEV{body.severity}" if same else None)


def may_rename(state: IncidentState, actor: str, body: ev.IncidentRenamed) -> Refusal:
    same = body.title == state.title
    return _commander_changes(state, actor, "rename the incident", "that is already the title" if same else None)


def _commander_or_comms(state: IncidentState, actor: str, what: str) -> Refusal:
    if state.roles.get("comms") == actor:
        return None
    return _commander_only(state, actor, what)


def may_publish(state: IncidentState, actor: str, body: ev.IncidentPublished) -> Refusal:
    refusal = _commander_or_comms(state, actor, "publish the incident")
    if refusal or not state.published:
        return refusal
    if body.title is None and body.summary is None:
        return f"{state.id} is already public: give a new --title or --summary"
    if body.title in (None, state.public_title) and body.summary in (None, state.public_summary):
        return "that is already what the public reads"
    return None


def may_set_component_impact(state: IncidentState, actor: str, body: ev.ComponentImpactSet) -> Refusal:
    refusal = _commander_or_comms(state, actor, "say which components are affected")
    if refusal:
        return refusal
    if state.components.get(body.component, "operational") == body.impact:
        return f"{body.component} is already {body.impact} for {state.id}"
    return None


def may_change_status(state: IncidentState, actor: str, body: ev.StatusChanged) -> Refusal:
    same = body.status == state.status
    return _commander_changes(state, actor, "change the incident status", f"status is already {body.status}" if same else None)


def may_set_key_time(state: IncidentState, actor: str, body: ev.KeyTimeSet) -> Refusal:
    if state.commander != actor and state.roles.get("scribe") != actor:
        return "only the commander or the scribe can correct key times"
    if not 1970 <= body.time.year <= 9000:
        return f"a {body.which} time of {body.time:%Y-%m-%d} is not plausible (1970-9000)"
    return None


def may_close(state: IncidentState, actor: str, body: ev.IncidentClosed) -> Refusal:
    if state.closed:
        return f"{state.id} is already closed"
    return _commander_only(state, actor, "close the incident")


def may_reopen(state: IncidentState, actor: str, body: ev.IncidentReopened) -> Refusal:
    if not state.closed:
        return f"{state.id} is not closed"
    return _commander_only(state, actor, "reopen the incident")


def may_link(state: IncidentState, actor: str, body: ev.IncidentLinked) -> Refusal:
    """The first half of a link needs this incident's commander; its mirror is checked by the
    authority against the other log (the only place that can see it), so the fold takes it as stored."""
    if body.incident == state.id:
        return f"{state.id} cannot be linked to itself"
    if (known := state.link_to(body.incident)) is not None:
        return f"{state.id} is already linked to {body.incident} ({known.kind})"
    if body.mirror:
        return None
    return _commander_only(state, actor, "link incidents")


# --- people --------------------------------------------------------------------


def may_join(state: IncidentState, actor: str, body: ev.ResponderJoined) -> Refusal:
    if actor in state.responders:
        return f"{actor} has already joined"
    return None


def may_change_shift(state: IncidentState, actor: str, body: ev.ShiftChanged) -> Refusal:
    current = state.shift_of(actor)  # None for a newcomer: their first action joins them, on shift
    if body.shift == "break" and body.minutes is None:
        return "a break needs a length in minutes"
    if body.tz and body.shift != "on":
        return "a time zone goes with going on shift"
    if body.shift == current and body.shift != "break" and not (current == "on" and body.tz):
        return f"you are already {'on shift' if current == 'on' else 'off shift'}"
    if body.shift == "off":
        owned = state.owned_by(actor)
        if owned:
            names = ", ".join(ws.id for ws in owned)
            return f"you still own {names}: hand {'it' if len(owned) == 1 else 'them'} off first"
        if state.commander == actor and not state.closed:
            return "you are in command: hand over command first"
    return None


def may_assign_role(state: IncidentState, actor: str, body: ev.RoleAssigned) -> Refusal:
    if refusal := _commander_only(state, actor, "assign roles"):
        return refusal
    if body.handle not in state.responders and body.handle != actor:
        return f"{body.handle} has not joined this incident"
    if state.roles.get(body.role) == body.handle:
        return f"{body.handle} is already {body.role}"
    return None


def may_clear_role(state: IncidentState, actor: str, body: ev.RoleCleared) -> Refusal:
    if refusal := _commander_only(state, actor, "clear roles"):
        return refusal
    if body.role not in state.roles:
        return f"nobody is {body.role}"
    return None


# --- command -------------------------------------------------------------------


def may_offer_command(state: IncidentState, actor: str, body: ev.CommandHandoverOffered) -> Refusal:
    if refusal := _commander_only(state, actor, "hand over command"):
        return refusal
    return _target_on_shift(state, actor, body.to)


def may_accept_command(state: IncidentState, actor: str, body: ev.CommandHandoverAccepted) -> Refusal:
    offer = state.command_offer
    if offer is None or offer.to != actor:
        return "command has not been offered to you"
    return _away(state, actor)


def may_decline_command(state: IncidentState, actor: str, body: ev.CommandHandoverDeclined) -> Refusal:
    offer = state.command_offer
    if offer is None or offer.to != actor:
        return "command has not been offered to you"
    return None


def may_assume_command(state: IncidentState, actor: str, body: ev.CommandAssumed) -> Refusal:
    if state.commander == actor:
        return "you are already in command"
    if refusal := _away(state, actor):
        return refusal
    holder = state.commander
    if holder is not None and state.shift_of(holder) == "on":
        return f"{holder} is in command: ask them to hand over"
    return None


# --- workstreams ---------------------------------------------------------------


def may_open_workstream(state: IncidentState, actor: str, body: ev.WorkstreamOpened) -> Refusal:
    return _away(state, actor)


@_on_workstream
def may_claim(state: IncidentState, actor: str, body: ev.WorkstreamClaimed, ws: Workstream) -> Refusal:
    if ws.owner == actor:
        return f"you already own {ws.id}"
    if ws.status == "done":
        return f"{ws.id} is done: set it back to open first"
    if refusal := _away(state, actor):
        return refusal
    if ws.owner is not None and state.commander != actor:
        return f"{ws.id} is owned by {ws.owner}: ask them to hand it off"
    return None


@_on_workstream
def may_release(state: IncidentState, actor: str, body: ev.WorkstreamReleased, ws: Workstream) -> Refusal:
    if ws.owner is None:
        return f"{ws.id} is not owned by anyone"
    if ws.owner != actor and state.commander != actor:
        return f"{ws.id} is owned by {ws.owner}, not you"
    return None


@_on_workstream
def may_offer_handoff(state: IncidentState, actor: str, body: ev.HandoffOffered, ws: Workstream) -> Refusal:
    if ws.owner != actor:
        owner = f"owned by {ws.owner}" if ws.owner else "not owned by anyone"
        return f"{ws.id} is {owner}: only its owner can hand it off"
    if ws.pending is not None and not body.replace:
        return f"{ws.id} is already offered to {ws.pending.to}: wait for an answer, or re-offer it to replace that offer"
    return _target_on_shift(state, actor, body.to)


@_on_workstream
def may_accept_handoff(state: IncidentState, actor: str, body: ev.HandoffAccepted, ws: Workstream) -> Refusal:
    if ws.pending is None or ws.pending.to != actor:
        return f"{ws.id} has not been offered to you"
    return _away(state, actor)


@_on_workstream
def may_decline_handoff(state: IncidentState, actor: str, body: ev.HandoffDeclined, ws: Workstream) -> Refusal:
    if ws.pending is None or ws.pending.to != actor:
        return f"{ws.id} has not been offered to you"
    return None


@_on_workstream
def may_set_workstream_status(state: IncidentState, actor: str, body: ev.WorkstreamStatusSet, ws: Workstream) -> Refusal:
    if ws.owner is not None and ws.owner != actor and state.commander != actor:
        return f"{ws.id} is owned by {ws.owner}: only they or the commander can change its status"
    if ws.status == body.status and not body.note:
        return f"{ws.id} is already {body.status}"
    return None


# --- words ---------------------------------------------------------------------


def may_add_note(state: IncidentState, actor: str, body: ev.NoteAdded) -> Refusal:
    if body.workstream is not None and state.workstream(body.workstream) is None:
        return f"there is no {body.workstream} in {state.id or 'this incident'}"
    return None


def may_decide(state: IncidentState, actor: str, body: ev.DecisionMade) -> Refusal:
    """Decisions are taken by people at work on the incident: on shift (a newcomer joins on shift)."""
    return _away(state, actor)


def may_star(state: IncidentState, actor: str, body: ev.EntryStarred) -> Refusal:
    entry = state.entry(body.target)
    if entry is None:
        return f"there is no timeline entry #{body.target}"
    if entry.rejected:
        return f"entry #{body.target} was refused and cannot be starred"
    if entry.starred == body.starred:
        return f"entry #{body.target} is already {'starred' if body.starred else 'unstarred'}"
    return None


def may_broadcast(state: IncidentState, actor: str, body: ev.BroadcastSent) -> Refusal:
    if body.audience == "stakeholders" and state.roles.get("comms") == actor:
        return None
    return _commander_only(state, actor, "broadcast")


def may_snooze_update(state: IncidentState, actor: str, body: ev.UpdateSnoozed) -> Refusal:
    if state.roles.get("comms") == actor:
        return None
    return _commander_only(state, actor, "snooze the stakeholder update")


def may_change_policy(state: IncidentState, actor: str, body: ev.PolicyChanged) -> Refusal:
    return _commander_only(state, actor, "change the incident's policy")


def may_add_action_item(state: IncidentState, actor: str, body: ev.ActionItemAdded) -> Refusal:
    return None


_STATUS_WORDS = {"open": "open", "in_progress": "in progress", "done": "done", "wont_do": "won't do"}


def _no_such_item(state: IncidentState, item_id: str) -> str:
    known = f" (A-1 to A-{len(state.action_items)})" if state.action_items else " (it has none)"
    return f"there is no action item {item_id} in {state.id or 'this incident'}{known}"


def may_edit_action_item(state: IncidentState, actor: str, body: ev.ActionItemEdited) -> Refusal:
    item = state.action_item(body.item)
    if item is None:
        return _no_such_item(state, body.item)
    if (item.text, item.owner, item.due) == (body.text, body.owner, body.due):
        return f"{item.id} already reads so: change its text, owner or due date"
    return None


def may_set_action_item_status(state: IncidentState, actor: str, body: ev.ActionItemStatusSet) -> Refusal:
    item = state.action_item(body.item)
    if item is None:
        return _no_such_item(state, body.item)
    if body.status == "wont_do" and not body.reason.strip():
        return f"say why {item.id} will not be done (a reason)"
    if item.status == body.status:
        return f"{item.id} is already {_STATUS_WORDS[body.status]}"
    return None


# --- the playbook's checklist and fields ----------------------------------------------


def may_tick(state: IncidentState, actor: str, body: ev.ChecklistTicked) -> Refusal:
    """Anyone at work on the incident ticks or unticks an item (the role says whose it is, not who may)."""
    item = state.checklist.get(body.item)
    if item is None:
        known = f" (C-1 to C-{len(state.checklist)})" if state.checklist else " (it has no checklist)"
        return f"there is no checklist item {body.item} in {state.id or 'this incident'}{known}"
    if item.done == body.done:
        return f"{item.id} is already {'ticked' if item.done else 'not ticked'}"
    return _away(state, actor)


def may_add_checklist_item(state: IncidentState, actor: str, body: ev.ChecklistItemAdded) -> Refusal:
    if len(state.checklist) >= 9999:
        return "the checklist is full (9,999 items)"
    return _commander_only(state, actor, "add a checklist item")


def may_set_field(state: IncidentState, actor: str, body: ev.FieldSet) -> Refusal:
    found = state.fields.get(body.name)
    if found is None:
        known = f" (fields: {', '.join(state.fields)})" if state.fields else " (its playbook defines none)"
        return f"there is no field {body.name} in {state.id or 'this incident'}{known}"
    if problem := value_problem(found, body.value):
        return problem
    if found.value == body.value and type(found.value) is type(body.value):
        return f"{body.name} is already {'unset' if body.value is None else 'that'}"
    return _away(state, actor)


RULES: dict[type[ev.Body], Callable[[IncidentState, str, Any], Refusal]] = {
    ev.IncidentDeclared: may_declare,
    ev.PolicyChanged: may_change_policy,
    ev.SeverityChanged: may_change_severity,
    ev.IncidentRenamed: may_rename,
    ev.StatusChanged: may_change_status,
    ev.IncidentPublished: may_publish,
    ev.ComponentImpactSet: may_set_component_impact,
    ev.KeyTimeSet: may_set_key_time,
    ev.IncidentClosed: may_close,
    ev.IncidentReopened: may_reopen,
    ev.IncidentLinked: may_link,
    ev.ResponderJoined: may_join,
    ev.ShiftChanged: may_change_shift,
    ev.RoleAssigned: may_assign_role,
    ev.RoleCleared: may_clear_role,
    ev.CommandHandoverOffered: may_offer_command,
    ev.CommandHandoverAccepted: may_accept_command,
    ev.CommandHandoverDeclined: may_decline_command,
    ev.CommandAssumed: may_assume_command,
    ev.WorkstreamOpened: may_open_workstream,
    ev.WorkstreamClaimed: may_claim,
    ev.WorkstreamReleased: may_release,
    ev.HandoffOffered: may_offer_handoff,
    ev.HandoffAccepted: may_accept_handoff,
    ev.HandoffDeclined: may_decline_handoff,
    ev.WorkstreamStatusSet: may_set_workstream_status,
    ev.NoteAdded: may_add_note,
    ev.DecisionMade: may_decide,
    ev.EntryStarred: may_star,
    ev.BroadcastSent: may_broadcast,
    ev.UpdateSnoozed: may_snooze_update,
    ev.ActionItemAdded: may_add_action_item,
    ev.ActionItemEdited: may_edit_action_item,
    ev.ActionItemStatusSet: may_set_action_item_status,
    ev.ChecklistTicked: may_tick,
    ev.ChecklistItemAdded: may_add_checklist_item,
    ev.FieldSet: may_set_field,
    ev.AlertFired: may_fire_alert,
    ev.AlertResolved: may_resolve_alert,
}


def check_write(state: IncidentState, actor: str, body: ev.Body, writer: Writer) -> Refusal:
    """What the authority (every store) and the board ask before storing: whether this kind
    of writer may write this type of event, then whether ``actor`` may do it now."""
    return may_write(writer, body) or check(state, actor, body)


def check(state: IncidentState, actor: str, body: ev.Body) -> Refusal:
    """Why ``actor`` may not do ``body`` now, or ``None`` if they may.

    Checks the incident-wide conditions (declared, not closed) before the action's own rule.
    """
    kind = type(body)
    if kind is not ev.IncidentDeclared:
        if not state.declared:
            return "the incident has not been declared"
        if state.closed and kind not in ALLOWED_AFTER_CLOSE:
            return f"{state.id} is closed"
    return RULES[kind](state, actor, body)
