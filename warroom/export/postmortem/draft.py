"""What every section of the post-mortem draft shares: the state, its history, and how times are written."""

from __future__ import annotations

from datetime import datetime

from warroom.incident import IncidentState, Policy

from ..history import History
from ..text import elapsed, offset, utc

TO_FILL_IN = "- _to fill in_"


class DraftBase:
    def __init__(self, state: IncidentState, history: History, policy: Policy, event_count: int):
        self.state = state
        self.history = history
        self.policy = policy
        self.event_count = event_count
        self.start = history.start
        self.as_of = history.as_of
        self.kt = {which: utc(at) for which, at in state.key_times.items()}
        moments = [a.event.at for a in history.accepted] + list(self.kt.values()) + [self.as_of]
        self.dates = sorted({m.date() for m in moments})
        self.one_day = len(self.dates) == 1

    # --- small helpers ---------------------------------------------------------------

    def clock(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        at = utc(at)
        return f"{at:%H:%M:%S}" if self.one_day else f"{at:%Y-%m-%d %H:%M:%S}"

    def t(self, at: datetime) -> str:
        return offset(at, self.start)

    def span_text(self, start: datetime, end: datetime | None, still: str = "still held") -> str:
        until = self.clock(end) if end else "…"
        held = elapsed(start, end or self.as_of)
        return f"{self.clock(start)}–{until} ({held}{'' if end else f', {still}'})"

    def closed_by(self) -> str | None:
        for accepted in reversed(self.history.accepted):
            if accepted.event.type == "incident_closed":
                return accepted.event.actor
        return None
