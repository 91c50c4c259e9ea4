"""What a responder missed: the short catch-up shown on joining or coming back from a break.

Only what changes what you should do next makes the list -- the event types marked
``catch_up`` (hand-offs, severity and status changes, command changes, broadcasts, new
workstreams), starred notes, and anything done to your own work -- not every note.
"Your own work" is read from the entries' structured fields (workstream, counterpart),
never from their sentences. Pure, so it is tested without a screen.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from warroom.incident import IncidentState
from warroom.incident.events import BODY_BY_TYPE
from warroom.incident.state import TimelineEntry
from warroom.safetext import safe_line

from .format import clock

MAX_LINES = 12

@dataclass(frozen=True, slots=True)
class CatchUp:
    since_seq: int
    lines: list[str]
    earlier: int
    """How many more relevant entries were left off the top."""

    def __bool__(self) -> bool:
        return bool(self.lines)


def since_for(state: IncidentState, handle: str) -> int:
    """Where ``handle``'s catch-up starts: when they went away, else the last thing they did."""
    responder = state.responders.get(handle)
    if responder is None:
        return 0
    if responder.shift != "on" and responder.away_since_seq is not None:
        return responder.away_since_seq
    return responder.last_seen_seq


def _relevant(entry: TimelineEntry, handle: str, mine: set[str]) -> bool:
    if entry.rejected or entry.actor == handle:
        return False
    if BODY_BY_TYPE[entry.type].catch_up or entry.starred:
        return True
    if entry.workstream is not None:
        # Your work: what others did to a workstream you hold, or took from you.
        return entry.workstream in mine or entry.counterpart == handle
    return False


def catch_up(state: IncidentState, handle: str, since_seq: int, limit: int = MAX_LINES) -> CatchUp:
    mine = {ws.id for ws in state.workstreams.values() if ws.owner == handle}
    found = [e for e in state.timeline[_first_after(state, since_seq) :] if _relevant(e, handle, mine)]
    shown = found[-limit:]
    lines = [safe_line(f"{clock(e.at)}  {e.actor}: {e.text}") for e in shown]
    return CatchUp(since_seq=since_seq, lines=lines, earlier=len(found) - len(shown))


def _first_after(state: IncidentState, seq: int) -> int:
    """Index of the first timeline entry with a seq above ``seq`` (the timeline is in seq order)."""
    return bisect.bisect_right(state.timeline, seq, key=lambda entry: entry.seq)
