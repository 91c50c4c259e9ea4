"""``/warroom status INC-42``: the board in a few lines a chat window can hold.

What a responder glancing from chat needs before deciding to open the board: who
commands, severity and status, each workstream and its owner, who is on shift (and who
is on a break), and when the next stakeholder update is due. Everything comes from the
folded state and the incident's own policy, so it says what every board says.
"""

from __future__ import annotations

from datetime import datetime, timezone

from warroom.incident import IncidentState
from warroom.words import update_due

MAX_WORKSTREAMS = 10


def status_lines(state: IncidentState, now: datetime | None = None) -> list[str]:
    now = now or datetime.now(timezone.utc)
    lines = [f"{state.id} {state.title}: SEV{state.severity}, {'closed' if state.closed else state.status}" + (" (drill)" if state.drill else "")]
    due, _ = update_due(state, now, state.policy)
    lines.append(f"commander: {state.commander or 'nobody (take command on the board)'}" + (f"; {due}" if due and not state.closed else ""))
    workstreams = list(state.workstreams.values())
    for ws in workstreams[:MAX_WORKSTREAMS]:
        owner = ws.owner or "unowned"
        if ws.pending:
            owner += f" → {ws.pending.to} (pending)"
        lines.append(f"{ws.id} {ws.title}: {owner}, {ws.status}")
    if len(workstreams) > MAX_WORKSTREAMS:
        lines.append(f"… and {len(workstreams) - MAX_WORKSTREAMS} more workstreams")
    if not workstreams:
        lines.append("no workstreams yet")
    on = [r.handle for r in state.responders.values() if r.shift == "on"]
    away = [f"{r.handle} (back {r.back_at:%H:%M} UTC)" if r.back_at else r.handle for r in state.responders.values() if r.shift == "break"]
    lines.append("on shift: " + (", ".join(on) if on else "nobody") + (f"; on a break: {', '.join(away)}" if away else ""))
    return lines
