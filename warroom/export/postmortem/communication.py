"""Communication: the broadcasts, and every wait for a stakeholder update against the cadence."""

from __future__ import annotations

from warroom.words import long_duration as duration

from ..history import UpdateInterval
from ..text import elapsed
from .context import Draft


def broadcasts(d: Draft) -> dict:
    state = d.state
    rows = [[str(b.seq), d.clock(b.at), d.t(b.at), b.sender, b.audience, b.text] for b in state.broadcasts]
    cadences = ", ".join(
        f"SEV{sev} every {duration(c)}" if (c := d.policy.update_cadence(sev)) else f"SEV{sev} none" for sev in range(1, 5)
    )
    updates = d.history.updates
    result: dict = {"rows": rows, "cadences": cadences, "waits": [], "verdict": ""}
    if not updates:
        return result
    result["waits"] = [_wait_row(d, u) for u in updates]
    sent = [b for b in state.broadcasts if b.audience == "stakeholders"]
    over = [u for u in updates if u.late_by is not None]
    longest = max(updates, key=lambda u: u.gap)
    result["verdict"] = (
        f"{len(sent)} stakeholder update{'s' if len(sent) != 1 else ''}; "
        f"{len(over)} wait{'s' if len(over) != 1 else ''} over the cadence; "
        f"longest wait {elapsed(longest.since, longest.end)} (until {d.clock(longest.end)})."
    )
    return result


def _wait_row(d: Draft, u: UpdateInterval) -> list[str]:
    if u.ended_by == "update":
        ended = f"update #{u.seq}"
    elif u.ended_by == "open":
        ended = "still waiting"
    else:
        ended = f"no cadence after {u.reason}"
    cadence = f"SEV{u.severity}: {duration(u.cadence)}" if u.cadence else f"SEV{u.severity}: none"
    due = d.clock(u.due) + (" (snoozed)" if u.snoozed else "") if u.due else "—"
    if u.due is None:
        verdict = "no cadence"
    elif u.late_by is not None:
        verdict = f"over by {elapsed(u.due, u.end)}"
    elif u.ended_by == "open":
        verdict = "not yet due"
    else:
        verdict = "within"
    until = d.clock(u.end) + (" (as of)" if u.ended_by == "open" else "")
    return [ended, d.clock(u.since), until, elapsed(u.since, u.end), cadence, due, verdict]
