"""Plain-text pieces of the board (durations, shift labels, roles), free of Textual.

Kept apart from the widgets so the wording is one place to change and can be tested
without a screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.incident import IncidentState, Policy
from warroom.incident.state import Responder, Workstream


def duration(delta: timedelta | None) -> str:
    """``45s``, ``12m``, ``3h05m``; negative spans count as zero."""
    if delta is None:
        return "-"
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def coarse_duration(delta: timedelta | None) -> str:
    """Like ``duration`` but in whole minutes (``<1m`` under a minute): for columns that
    refresh every 30 s and should not flicker."""
    if delta is None:
        return "-"
    if delta.total_seconds() < 60:
        return "<1m"
    return duration(delta)


def clock(at: datetime | None) -> str:
    """Times as the timeline shows them: UTC, like every sentence the fold writes."""
    return at.strftime("%H:%M") if at else "--:--"


def shift_label(responder: Responder) -> str:
    if responder.shift == "break":
        return f"break until {clock(responder.back_at)}" if responder.back_at else "break"
    return responder.shift


def roles_label(state: IncidentState, handle: str) -> str:
    return ", ".join(state.roles_of(handle))


def owner_label(ws: Workstream) -> str:
    if ws.pending:
        return f"{ws.owner or 'unowned'} → {ws.pending.to} (pending)"
    return ws.owner or "unowned"


def update_due_label(state: IncidentState, now: datetime, policy: Policy) -> tuple[str, bool]:
    """("next update due in 12m", False) or ("update OVERDUE 4m", True); ("", False) when none is owed."""
    overdue = state.update_overdue_by(now, policy)
    if overdue is not None:
        return f"update OVERDUE {duration(overdue)}", True
    due = state.next_update_due(policy)
    if due is None:
        return "", False
    return f"next update due in {duration(due - now)}", False
