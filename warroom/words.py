"""The words warroom says in more than one place, said once.

Durations, fatigue and "update due" wordings, and how a validation error reads, are
shown by the board, the CLI and the exports alike; a responder reading two of them
side by side must see the same words. Plain functions of plain values: no Textual,
no I/O, so every layer may import this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

    from warroom.incident import IncidentState, Policy

# --- durations -------------------------------------------------------------------------


def duration(delta: timedelta | None) -> str:
    """``45s``, ``12m``, ``3h05m``: what the board and the CLI show; negative spans count as zero."""
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
    """Like ``duration`` but in whole minutes (``<1m`` under a minute): for values that
    refresh every 30 s and should not flicker."""
    if delta is None:
        return "-"
    if delta.total_seconds() < 60:
        return "<1m"
    return duration(delta)


def long_duration(delta: timedelta) -> str:
    """``45s``, ``12m 30s``, ``30m``, ``1h 02m 05s``, ``2d 03h 04m``: whole seconds, no trailing
    zeros, for the post-mortem (where a span may last days and seconds matter)."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    if days:
        parts = parts[:3]  # seconds are noise after a day
    first = next((i for i, (value, _) in enumerate(parts) if value), None)
    if first is None:
        return "0s"
    last = max(i for i, (value, _) in enumerate(parts) if value)
    shown = [f"{value}{unit}" if i == first else f"{value:02d}{unit}" for i, (value, unit) in enumerate(parts) if first <= i <= last]
    return sign + " ".join(shown)


# --- people and the update clock ---------------------------------------------------------

FATIGUE = {"warn": "tired", "limit": "OVER LIMIT"}
"""What ``Responder.fatigue`` levels are called wherever time on shift is shown."""


def fatigue_word(level: str | None) -> str:
    return FATIGUE.get(level or "", "")


def update_due(state: IncidentState, now: datetime, policy: Policy) -> tuple[str, bool]:
    """("next update due in 12m", False) or ("update OVERDUE 4m", True); ("", False) when none is owed."""
    overdue = state.update_overdue_by(now, policy)
    if overdue is not None:
        return f"update OVERDUE {duration(overdue)}", True
    due = state.next_update_due(policy)
    if due is None:
        return "", False
    return f"next update due in {duration(due - now)}", False


def owner_outside(state: IncidentState, owner: str | None) -> str | None:
    """The warning for an action item owned by someone who is not a responder of this incident
    (allowed: owners can be outside the room, but "alcie" is more often a typo), else ``None``."""
    if not owner or owner in state.responders:
        return None
    import difflib

    close = difflib.get_close_matches(owner, list(state.responders), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{owner} is not a responder of {state.id or 'this incident'}{hint}"


# --- bad input -------------------------------------------------------------------------


def where(loc: Iterable[Any], *, default: str, drop_indexes: bool = False, drop: Collection[str] = ()) -> str:
    """A pydantic error location as a dotted path (``body.title``), or ``default`` when empty."""
    parts = (str(part) for part in loc if not (drop_indexes and isinstance(part, int)) and part not in drop)
    return ".".join(parts) or default


def validation_problem(error: ValidationError, *, default: str = "input", drop_indexes: bool = True) -> str:
    """The first problem of ``error`` as one line: ``title: String should have at least 1 character``."""
    first = error.errors()[0]
    return f"{where(first.get('loc', ()), default=default, drop_indexes=drop_indexes)}: {first.get('msg')}"
