"""The fold's part for playbooks: what a declaration with a playbook starts, and its three events.

Kept beside ``fold`` (which registers these handlers) so the fold itself stays one screen
of plumbing per event kind. Called only for events the rules accepted.
"""

from __future__ import annotations

from . import events as ev
from .playbook import ChecklistItem, Playbook, checklist_from, fields_from
from .state import IncidentState, Workstream


def start_playbook(state: IncidentState, spec: Playbook, event: ev.StoredEvent) -> None:
    """The copy in the declaration: its name, checklist, fields and first-update template, and
    its workstreams opened unowned (numbered WS-1 ... before any opened by hand)."""
    state.playbook = spec.name
    state.first_update = spec.first_update
    state.checklist = checklist_from(spec)
    state.fields = fields_from(spec)
    for title in spec.workstreams:
        ws = Workstream(number=len(state.workstreams) + 1, title=title, opened_at=event.at, opened_by=event.actor)
        state.workstreams[ws.id] = ws


def ticked(state: IncidentState, event: ev.StoredEvent, b: ev.ChecklistTicked, change: object) -> None:
    item = state.checklist[b.item]
    item.done, item.by, item.at = b.done, event.actor, event.at


def item_added(state: IncidentState, event: ev.StoredEvent, b: ev.ChecklistItemAdded, change: object) -> None:
    item = ChecklistItem(len(state.checklist) + 1, b.role, b.stage, b.text, b.required, added_by=event.actor)
    state.checklist[item.id] = item


def field_set(state: IncidentState, event: ev.StoredEvent, b: ev.FieldSet, change: object) -> None:
    found = state.fields[b.name]
    found.value, found.set_by, found.set_at = b.value, event.actor, event.at
