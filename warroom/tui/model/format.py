"""Plain-text pieces of the board (durations, shift labels, roles), free of Textual.

Kept apart from the widgets so the wording is one place to change and can be tested
without a screen; words the CLI and the exports share live in ``warroom.words``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Union

from rich.cells import cell_len, set_cell_size

from warroom.words import coarse_duration, duration, update_due
from warroom.safetext import ELLIPSIS, fit

if TYPE_CHECKING:
    from warroom.incident import IncidentState
    from warroom.incident.state import Responder, Workstream

Cell = Union[str, tuple[str, str]]
"""One table cell as a pane describes it: plain text, or ``(text, style)`` where the style names
theme variables (``"$stale bold"``). Specs compare cheaply; the widgets turn them into Rich text."""

__all__ = ["ELLIPSIS", "away_label", "clock", "coarse_duration", "duration", "fit", "fit_cells", "owner_label", "roles_label", "shift_label", "update_due_label"]

def fit_cells(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (a wide character, CJK say, takes two), the cut
    marked; ``fit`` counts characters, which is right for stored limits, not for a screen."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)) + ELLIPSIS


def clock(at: datetime | None) -> str:
    """Times as the timeline shows them: UTC, like every sentence the fold writes."""
    return at.strftime("%H:%M") if at else "--:--"


def shift_label(responder: Responder) -> str:
    if responder.shift == "break":
        return f"break until {clock(responder.back_at)}" if responder.back_at else "break"
    return responder.shift


SHORT_ROLES = {"commander": "IC"}
"""The Responders pane's role column is the one that gives way when the pane is narrow, and it
cut "commander" and "comms" alike to `com…`. Every board says the incident commander's role the
same way at every width ("IC", as incident command has it); deputy, scribe and comms are short
already and begin differently, so even cut to three letters no two read alike."""


def roles_label(state: IncidentState, handle: str) -> str:
    """The roles ``handle`` holds, in their short forms: "IC, scribe"."""
    return ", ".join(SHORT_ROLES.get(role, role) for role in state.roles_of(handle))


def away_label(responder: Responder | None) -> str | None:
    """Why a workstream's owner is not working on it just now, or ``None`` when they are on shift."""
    if responder is None or responder.shift == "on":
        return None
    if responder.shift == "break":
        return f"break to {clock(responder.back_at)}" if responder.back_at else "on a break"
    return "off shift"


def owner_label(ws: Workstream) -> str:
    if ws.pending:
        return f"{ws.owner or 'unowned'} → {ws.pending.to} (pending)"
    return ws.owner or "unowned"


update_due_label = update_due
"""The board's name for ``warroom.words.update_due``."""
