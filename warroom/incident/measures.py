"""How long an incident took from one of its moments to another: the one definition of each
measure, which the post-mortem and insights both read, so they can never disagree again.

Time to detect is what incident-management practice means by it: from when the impact
started to when it was detected (a gap in monitoring shows here, not in the response). The
response is measured from the declaration: to the first person in command (acknowledge), and
to mitigation and resolution. A post-mortem of one incident also reads mitigation and
resolution from the start of the impact: how long users were hurt, not how fast the team was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .state import IncidentState

Moment = Literal["started", "detected", "declared", "acknowledged", "mitigated", "resolved"]


def moments(state: IncidentState) -> dict[Moment, datetime]:
    """The moments ``state``'s incident has reached: its key times (started, detected, mitigated,
    resolved), its declaration, and when a person first held command (acknowledged: at the
    declaration, unless an alert hook declared it)."""
    reached: dict[Moment, datetime] = {}
    for which in ("started", "detected", "mitigated", "resolved"):
        at = state.key_times.get(which)
        if at is not None:
            reached[which] = at
    if state.declared_at is not None:
        reached["declared"] = state.declared_at
    if state.command_spans:
        reached["acknowledged"] = state.command_spans[0].start
    return reached


@dataclass(frozen=True, slots=True)
class Measure:
    """The time from one moment of an incident to another."""

    name: str
    since: Moment
    until: Moment

    def span(self, reached: Mapping[Moment, datetime]) -> tuple[datetime, datetime] | None:
        """The two moments, or ``None`` when the incident has not reached both."""
        start, end = reached.get(self.since), reached.get(self.until)
        return None if start is None or end is None else (start, end)

    def of(self, reached: Mapping[Moment, datetime]) -> timedelta | None:
        """How long it took, or ``None`` when the incident has not reached both moments."""
        span = self.span(reached)
        return None if span is None else span[1] - span[0]


TIME_TO_DETECT = Measure("detect", "started", "detected")

RESPONSE: tuple[Measure, ...] = (
    TIME_TO_DETECT,
    Measure("acknowledge", "declared", "acknowledged"),
    Measure("mitigate", "declared", "mitigated"),
    Measure("resolve", "declared", "resolved"),
)
"""What insights compares across incidents: detection, then how fast the team responded."""

IMPACT: tuple[Measure, ...] = (
    TIME_TO_DETECT,
    Measure("mitigate", "started", "mitigated"),
    Measure("resolve", "started", "resolved"),
)
"""What a post-mortem reports of one incident: how long the impact lasted until each step."""
