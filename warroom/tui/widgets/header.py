"""The one-line header: which incident, how bad, who you are, and whether the store answers.

The header is the one place every board shows the same facts at any terminal size, so it
is laid out by priority rather than left to right: incident, SEV, status, an overdue
stakeholder update and your handle always fit (down to 60 columns); the title takes
whatever width is left and is cut with an ellipsis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from warroom.safetext import safe_line

from ..model.format import fit_cells

if TYPE_CHECKING:
    from warroom.incident import IncidentState

Part = tuple[str, str]


def header_content(
    state: IncidentState | None,
    incident_id: str,
    me: str,
    offline: bool,
    loading: bool = False,
    *,
    overdue: str = "",
    width: int | None = None,
) -> Content:
    """The header line at ``width`` columns; ``overdue`` is set ("update OVERDUE") while an update is owed;
    ``state`` is ``None`` before anything is known of the incident (the board's first frame)."""
    essentials: list[Part] = [(f" {safe_line((state and state.id) or incident_id)} ", "bold reverse")]
    title = ""
    if state is not None and state.declared:
        title = safe_line(state.title)
        essentials += [("  ", ""), (f" SEV{state.severity} ", f"bold reverse $severity-{state.severity}")]
        essentials += [("  ", ""), ("CLOSED", "bold") if state.closed else (state.status, "")]
        if state.drill:
            essentials += [("  ", ""), ("DRILL", "$warning bold")]
        if overdue:
            essentials += [("  ", ""), (f" {overdue} ", "bold reverse $overdue")]
    elif loading:
        essentials += [("  ", ""), ("loading…", "dim")]
    else:
        essentials += [("  ", ""), ("not declared yet", "$warning")]
    tail: list[Part] = [("   you: ", ""), (safe_line(me), "$you bold")] if me else []  # no one yet: the frame drawn before --as is checked
    if offline:
        tail += [("   ", ""), (" offline — reconnecting ", "bold reverse $error")]
    width = width if width is not None else 10_000
    used = sum(cell_len(text) for text, _ in essentials + tail)
    if used > width and overdue:
        essentials[-1] = (" OVERDUE ", "bold reverse $overdue")
        used -= len(overdue) - len("OVERDUE")
    if used > width and me:
        tail[0] = ("  ", "")  # too narrow for "you:": the handle alone
        used -= 5
    room = width - used - 2
    title_part: list[Part] = []
    if title and room >= 4:
        title_part = [("  ", ""), (fit_cells(title, room), "bold")]
    # The title follows the incident id; everything else keeps its order.
    parts = essentials[:1] + title_part + essentials[1:] + tail
    return Content.assemble(*((text, style) if style else text for text, style in parts))


class BoardHeader(Widget):
    """Repaints when ``offline`` or ``overdue`` flips, on resize, or when ``show`` is given the state."""

    DEFAULT_CSS = """
    BoardHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    offline: reactive[bool] = reactive(False)
    """The store did not answer last time."""
    overdue: reactive[str] = reactive("")
    """The stakeholder update is owed now ("update OVERDUE 3m"), or empty."""

    def __init__(self, incident_id: str, me: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.incident_id = incident_id
        self.me = me
        self._state: IncidentState | None = None
        self._loading = False

    def show(self, state: IncidentState | None, me: str, *, loading: bool = False) -> None:
        self._state, self.me, self._loading = state, me, loading
        self.refresh()

    def render(self) -> Content:
        return header_content(
            self._state, self.incident_id, self.me, self.offline, self._loading, overdue=self.overdue, width=self.size.width
        )
