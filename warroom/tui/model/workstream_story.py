"""One workstream's story: everything the incident knows about it, in the order it happened.

The Workstreams pane shows one line per workstream, cut to fit; the responder who is about
to claim, hand off or chase a workstream needs its whole title, who held it and what they
said when they handed it on, how its status moved, and the notes about it -- those posted
against it and those that merely mention it ("WS-3 looks like the replica"). Derived from
the folded state alone (ownership spans and timeline entries), so it is pure and tested
without a screen; ``screens.story`` draws it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from warroom.incident import IncidentState
from warroom.incident.state import TimelineEntry
from warroom.safetext import safe_line

from .format import clock, coarse_duration, owner_label

_STATUS_TYPES = frozenset({"workstream_status_set"})
_OWNER_TYPES = frozenset(
    {"workstream_claimed", "workstream_released", "handoff_offered", "handoff_accepted", "handoff_declined"}
)
_WORD_TYPES = frozenset({"note_added", "broadcast_sent"})


@dataclass(frozen=True, slots=True)
class Story:
    ws_id: str
    title: str
    facts: list[str]
    """Now: owner, status, time since claimed and since the last update."""
    owners: list[str] = field(default_factory=list)
    """Who held it, from when to when, and the hand-off note each took it with."""
    steps: list[str] = field(default_factory=list)
    """Claims, offers, releases and status changes, with their notes."""
    notes: list[str] = field(default_factory=list)
    """Notes posted against it or mentioning it."""

    def text(self) -> str:
        parts = [f"{self.ws_id} “{self.title}”", *self.facts]
        for heading, lines, empty in (
            ("Owners", self.owners, "nobody has held it yet"),
            ("Claims, hand-offs and status", self.steps, "nothing yet"),
            ("Notes", self.notes, f"no notes about {self.ws_id} yet (t posts one against it)"),
        ):
            parts += ["", heading, *(f"  {line}" for line in lines or [empty])]
        return "\n".join(safe_line(part) for part in parts)


def mentions(text: str, ws_id: str) -> bool:
    """True when ``text`` names ``ws_id`` as a word: ``WS-3`` or ``ws-3``, never ``WS-30``."""
    return re.search(rf"(?<![\w-]){re.escape(ws_id)}(?!\d)", text, re.IGNORECASE) is not None


def about(entry: TimelineEntry, ws_id: str) -> bool:
    """Is ``entry`` part of ``ws_id``'s story?"""
    if entry.rejected:
        return False
    return entry.workstream == ws_id or (entry.type in _WORD_TYPES and mentions(entry.text, ws_id))


def workstream_story(state: IncidentState, ws_id: str, now: datetime) -> Story | None:
    ws = state.workstream(ws_id)
    if ws is None:
        return None
    facts = [f"status {ws.status}" + (f": {ws.status_note}" if ws.status_note else "")]
    held = ws.owners[-1] if ws.owners and ws.owners[-1].end is None else None
    if ws.owner and held is not None:
        facts.append(f"owner {owner_label(ws)} · claimed {coarse_duration(now - held.start)} ago")
    else:
        facts.append(f"owner {owner_label(ws)}")
    facts.append(
        f"opened by {ws.opened_by} at {clock(ws.opened_at)} UTC · last update {coarse_duration(now - ws.last_update())} ago"
    )
    if ws.pending:
        facts.append(f"offered to {ws.pending.to} by {ws.pending.offered_by}" + (f": {ws.pending.note}" if ws.pending.note else ""))
    owners = [
        f"{clock(span.start)}–{clock(span.end) if span.end else 'now'}  {span.holder}"
        + (f" (handed over: {span.note})" if span.note else "")
        for span in ws.owners
    ]
    steps: list[str] = []
    notes: list[str] = []
    for entry in state.timeline:
        if not about(entry, ws_id):
            continue
        line = f"{clock(entry.at)}  {entry.actor}: {entry.text}"
        if entry.type in _WORD_TYPES:
            notes.append(line + ("  ★" if entry.starred else ""))
        elif entry.type in _STATUS_TYPES or entry.type in _OWNER_TYPES:
            steps.append(line)
    return Story(ws_id=ws.id, title=ws.title, facts=facts, owners=owners, steps=steps, notes=notes)
