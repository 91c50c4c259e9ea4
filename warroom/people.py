"""People across incidents: someone on shift in two incidents is one tired person, not two fresh ones.

Each incident's log knows only its own shifts. The lobby and every board see the summaries of
all open incidents (``IncidentSummary.present``), so they can say "also on INC-41" and count
time on shift from the earliest shift a person is on now anywhere, judged against the
incident's own fatigue thresholds. Whether to count across incidents is the viewer's setting
(``[ui] fatigue_across_incidents``); it changes what a board shows, never what is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.store.base import IncidentSummary


@dataclass(frozen=True, slots=True)
class Elsewhere:
    """Where else ``handle`` is present, and since when they have been on shift anywhere."""

    incidents: tuple[str, ...]
    since: datetime | None

    def words(self) -> str:
        """``also on INC-41`` / ``also on INC-41, INC-43``."""
        return f"also on {', '.join(self.incidents)}" if self.incidents else ""


class People:
    """Who is present (on shift or on a break) in which open incident."""

    def __init__(self, summaries: Iterable[IncidentSummary] = ()):
        where: dict[str, list[str]] = {}
        since: dict[str, datetime] = {}
        for summary in summaries:
            if summary.closed:
                continue
            for present in summary.present:
                where.setdefault(present.handle, []).append(summary.id)
                if present.since is not None and (present.handle not in since or present.since < since[present.handle]):
                    since[present.handle] = present.since
        self._where = {handle: tuple(sorted(ids)) for handle, ids in where.items()}
        self._since = since

    def elsewhere(self, handle: str, incident_id: str) -> Elsewhere | None:
        """``handle`` in open incidents other than ``incident_id``; ``None`` when nowhere else."""
        others = tuple(i for i in self._where.get(handle, ()) if i != incident_id)
        return Elsewhere(others, self._since.get(handle)) if others else None

    def count(self, handle: str) -> int:
        """In how many open incidents ``handle`` is present."""
        return len(self._where.get(handle, ()))

    def incidents_of(self, handle: str) -> tuple[str, ...]:
        return self._where.get(handle, ())

    def shared(self) -> set[str]:
        """Handles present in more than one open incident."""
        return {handle for handle, ids in self._where.items() if len(ids) > 1}

    def time_on_shift(self, handle: str, now: datetime) -> timedelta:
        """From the earliest shift ``handle`` is on now, in any open incident."""
        start = self._since.get(handle)
        return max(now - start, timedelta(0)) if start is not None else timedelta(0)


def fatigue_level(spent: timedelta, warn: timedelta, limit: timedelta) -> str | None:
    """``None``, ``"warn"`` or ``"limit"``: the same levels as ``Responder.fatigue``."""
    if spent >= limit:
        return "limit"
    if spent >= warn:
        return "warn"
    return None
