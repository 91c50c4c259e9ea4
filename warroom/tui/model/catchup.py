"""What a responder missed: the catch-up shown on joining or coming back from a break.

It leads with where things stand now -- severity and status, who is in command, what you
own, what is offered to you, an overdue stakeholder update -- because that is what you act
on first. Then what changed while you were away: people's words (notes, broadcasts) in
full, the event types marked ``catch_up`` (severity, command, hand-offs ...), starred
entries and anything done to your own work, one line each. Routine lines (workstreams
opened or claimed, people joining, alerts) are counted instead ("12 workstreams opened"),
so they never crowd out what people said. A newcomer gets the same shape from the start.
"Your own work" is read from the entries' structured fields (workstream, counterpart),
never from their sentences. Pure, so it is tested without a screen.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from warroom.incident import IncidentState
from warroom.incident.events import BODY_BY_TYPE
from warroom.incident.state import TimelineEntry
from warroom.safetext import safe_line
from warroom.words import update_due

from .format import clock

MAX_LINES = 30
"""Lines of what changed, newest kept; the timeline has the rest."""
ROUTINE_GROUP = 3
"""From this many routine lines of one kind on, they are counted instead of listed."""

_WORDS = frozenset({"note_added", "broadcast_sent"})
_ROUTINE: dict[str, tuple[str, str]] = {
    "workstream_opened": ("workstream opened", "workstreams opened"),
    "workstream_claimed": ("workstream claimed", "workstreams claimed"),
    "workstream_status_set": ("workstream status change", "workstream status changes"),
    "responder_joined": ("person joined", "people joined"),
    "alert_fired": ("alert fired", "alerts fired"),
    "alert_resolved": ("alert resolved", "alerts resolved"),
}
"""Routine entry types, as counted: (one, many)."""


@dataclass(frozen=True, slots=True)
class CatchUp:
    since_seq: int
    now: list[str]
    """Where things stand: severity, status, command, your work, offers to you, the update clock."""
    counted: list[str] = field(default_factory=list)
    """Routine lines, counted ("12 workstreams opened")."""
    lines: list[str] = field(default_factory=list)
    """What changed, one line each, oldest first: people's words and what matters to you."""
    earlier: int = 0
    """How many more of those lines were left off the top."""

    def __bool__(self) -> bool:
        """Worth showing: something changed."""
        return bool(self.lines or self.counted)

    def text_lines(self) -> list[str]:
        """The catch-up as the screen shows it: now first, then what changed."""
        changed = "What happened so far" if self.since_seq == 0 else "While you were away"
        out = ["Now", *(f"  {line}" for line in self.now), "", changed]
        out += [f"  {line}" for line in self.counted]
        if self.earlier:
            out.append(f"  ({self.earlier} earlier {'entry' if self.earlier == 1 else 'entries'}: the timeline has them)")
        out += [f"  {line}" for line in self.lines]
        return out


def since_for(state: IncidentState, handle: str) -> int:
    """Where ``handle``'s catch-up starts: when they went away, else the last thing they did."""
    responder = state.responders.get(handle)
    if responder is None:
        return 0
    if responder.shift != "on" and responder.away_since_seq is not None:
        return responder.away_since_seq
    return responder.last_seen_seq


def _about_you(entry: TimelineEntry, handle: str, mine: set[str]) -> bool:
    """What others did to a workstream you hold, or took from you, or offered you."""
    return entry.counterpart == handle or (entry.workstream is not None and entry.workstream in mine)


def _listed(entry: TimelineEntry, handle: str, mine: set[str]) -> bool:
    return (
        entry.type in _WORDS
        or entry.starred
        or _about_you(entry, handle, mine)
        or (BODY_BY_TYPE[entry.type].catch_up and entry.type not in _ROUTINE)
    )


def now_lines(state: IncidentState, handle: str, now: datetime) -> list[str]:
    commander = state.commander or "nobody"
    you = " (you)" if state.commander == handle else ""
    lines = [f"SEV{state.severity} · {state.status}{' · closed' if state.closed else ''} · commander {commander}{you}"]
    if state.command_offer is not None:
        offer = state.command_offer
        to = "you" if offer.to == handle else offer.to
        lines.append(f"command offered to {to} by {offer.offered_by}" + (f": {offer.note}" if offer.note else ""))
    owned = state.owned_by(handle)
    if owned:
        lines.append("you own " + ", ".join(f"{ws.id} “{ws.title}” ({ws.status})" for ws in owned))
    else:
        lines.append("you own no workstream")
    for ws in state.pending_for(handle):
        note = f": {ws.pending.note}" if ws.pending and ws.pending.note else ""
        by = ws.pending.offered_by if ws.pending else "someone"
        lines.append(f"{by} offers you {ws.id} “{ws.title}”{note} (y accepts, Y declines)")
    due, overdue = update_due(state, now, state.policy)
    if overdue:
        lines.append(f"stakeholder {due}")
    return lines


def catch_up(state: IncidentState, handle: str, since_seq: int, now: datetime, limit: int = MAX_LINES) -> CatchUp:
    mine = {ws.id for ws in state.workstreams.values() if ws.owner == handle}
    listed: list[TimelineEntry] = []
    routine: dict[str, list[TimelineEntry]] = {}
    for entry in state.timeline[_first_after(state, since_seq) :]:
        if entry.rejected or entry.actor == handle:
            continue
        if _listed(entry, handle, mine):
            listed.append(entry)
        elif entry.type in _ROUTINE:
            routine.setdefault(entry.type, []).append(entry)
    counted = []
    for kind, entries in routine.items():
        if len(entries) < ROUTINE_GROUP and BODY_BY_TYPE[kind].catch_up:
            listed.extend(entries)  # a few new workstreams or alerts: each gets its line
            continue
        one, many = _ROUTINE[kind]
        words = one if len(entries) == 1 else many
        counted.append(f"{len(entries)} {words}" + _by(entries) + (f": {_who(entries)}" if kind == "responder_joined" else ""))
    listed.sort(key=lambda e: e.seq)
    shown = listed[-limit:] if limit else []
    lines = [safe_line(f"{clock(e.at)}  {e.actor}: {e.text}" + ("  ★" if e.starred else "")) for e in shown]
    return CatchUp(since_seq, now_lines(state, handle, now), counted, lines, len(listed) - len(shown))


def _by(entries: list[TimelineEntry]) -> str:
    """`` by alice`` when one person did them all (routine joins are their own actors: none)."""
    actors = Counter(e.actor for e in entries)
    if len(actors) == 1 and entries[0].type != "responder_joined":
        return f" by {entries[0].actor}"
    return ""


def _who(entries: list[TimelineEntry]) -> str:
    return ", ".join(dict.fromkeys(e.actor for e in entries))


def _first_after(state: IncidentState, seq: int) -> int:
    """Index of the first timeline entry with a seq above ``seq`` (the timeline is in seq order)."""
    return bisect.bisect_right(state.timeline, seq, key=lambda entry: entry.seq)
