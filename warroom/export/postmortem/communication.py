"""Communication: the broadcasts, and every wait for a stakeholder update against the cadence."""

from __future__ import annotations

from warroom.words import long_duration as duration

from ..history import UpdateInterval
from ..text import elapsed, md_cell, md_table
from .draft import DraftBase


class Communication(DraftBase):
    def broadcasts(self) -> list[str]:
        state = self.state
        parts = ["## Broadcasts and stakeholder updates"]
        if state.broadcasts:
            rows = [
                [str(b.seq), self.clock(b.at), self.t(b.at), md_cell(b.sender), b.audience, md_cell(b.text)]
                for b in state.broadcasts
            ]
            parts.append(md_table(["#", "UTC", "T+", "From", "To", "Message"], rows))
        else:
            parts.append("_No broadcasts were sent._")
        cadences = ", ".join(
            f"SEV{sev} every {duration(c)}" if (c := self.policy.update_cadence(sev)) else f"SEV{sev} none"
            for sev in range(1, 5)
        )
        parts.append("### Stakeholder update cadence")
        parts.append(
            f"The policy asked for a stakeholder update at least this often: {cadences}. Each row is one wait for "
            "an update, from the previous update (or the declaration) to the next one, or to the moment no "
            "cadence applied any more. _Due_ is what the board showed, snoozes included."
        )
        updates = self.history.updates
        if not updates:
            parts.append("_No cadence applied to this incident._")
            return parts
        rows = [self.update_row(u) for u in updates]
        parts.append(md_table(["Ended by", "Since", "Until", "Waited", "Cadence", "Due", "Against cadence"], rows))
        sent = [b for b in state.broadcasts if b.audience == "stakeholders"]
        over = [u for u in updates if u.late_by is not None]
        longest = max(updates, key=lambda u: u.gap)
        parts.append(
            f"{len(sent)} stakeholder update{'s' if len(sent) != 1 else ''}; "
            f"{len(over)} wait{'s' if len(over) != 1 else ''} over the cadence; "
            f"longest wait {elapsed(longest.since, longest.end)} (until {self.clock(longest.end)})."
        )
        return parts

    def update_row(self, u: UpdateInterval) -> list[str]:
        if u.ended_by == "update":
            ended = f"update #{u.seq}"
        elif u.ended_by == "open":
            ended = "still waiting"
        else:
            ended = f"no cadence after {md_cell(u.reason)}"
        cadence = f"SEV{u.severity}: {duration(u.cadence)}" if u.cadence else f"SEV{u.severity}: none"
        due = self.clock(u.due) + (" (snoozed)" if u.snoozed else "") if u.due else "—"
        if u.due is None:
            verdict = "no cadence"
        elif u.late_by is not None:
            verdict = f"over by {elapsed(u.due, u.end)}"
        elif u.ended_by == "open":
            verdict = "not yet due"
        else:
            verdict = "within"
        until = self.clock(u.end) + (" (as of)" if u.ended_by == "open" else "")
        return [ended, self.clock(u.since), until, elapsed(u.since, u.end), cadence, due, verdict]
