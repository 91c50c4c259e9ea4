"""The stakeholder-update reminder: loud once, then quiet until the next time it is due.

Every board shows an overdue update in its header; the commander and comms (the people
who can send it) also get one toast and the terminal bell. An *episode* is one due time:
sending an update or snoozing moves the due time, so the next lapse is a new episode and
reminds again, while the seconds ticking past an old due time never do. Pure (no Textual).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.incident import IncidentState, Policy
from warroom.words import update_due


@dataclass(frozen=True, slots=True)
class Reminder:
    header: str
    """What every header shows now ("update OVERDUE"), or empty."""
    alert: str | None = None
    """The toast for this board's responder, once per episode."""


class UpdateReminder:
    def __init__(self) -> None:
        self._reminded: datetime | None = None
        """The due time already toasted about on this board."""

    def check(self, state: IncidentState, me: str, now: datetime, policy: Policy) -> Reminder:
        label, overdue = update_due(state, now, policy)
        if not overdue:
            return Reminder("")
        due = state.next_update_due(policy)
        sends = state.commander == me or state.roles.get("comms") == me
        if not sends or due == self._reminded:
            return Reminder("update OVERDUE")
        self._reminded = due
        how = "B to broadcast to stakeholders" + (", z to snooze" if state.commander == me else "")
        return Reminder("update OVERDUE", f"the stakeholder {label}: {how}")
