"""What every section of the post-mortem draft shares: the state, its history, how times are written,
and the few kinds of cell a section may return besides plain text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from warroom.incident import IncidentState, Policy

from ..history import History
from ..text import elapsed, offset, utc

@dataclass(frozen=True, slots=True)
class Em:
    """Our own words in a cell, set apart from what responders typed (``_nobody_``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Lines:
    """One cell of several lines (a cell can hold nothing else: each line is plain text)."""

    items: tuple[str, ...]


Cell = str | Em | Lines


@dataclass(slots=True)
class Draft:
    """The incident being written up, and the other incidents of the store it is linked to."""

    state: IncidentState
    history: History
    policy: Policy
    event_count: int
    linked: Mapping[str, IncidentState] = field(default_factory=dict)
    start: datetime = field(init=False)
    as_of: datetime = field(init=False)
    kt: dict[str, datetime] = field(init=False)
    dates: list = field(init=False)
    one_day: bool = field(init=False)

    def __post_init__(self) -> None:
        self.start = self.history.start
        self.as_of = self.history.as_of
        self.kt = {which: utc(at) for which, at in self.state.key_times.items()}
        moments = [a.event.at for a in self.history.accepted] + list(self.kt.values()) + [self.as_of]
        self.dates = sorted({m.date() for m in moments})
        self.one_day = len(self.dates) == 1

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
