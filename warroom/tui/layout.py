"""The board's two layouts: every pane at once, or one lower pane at a time when small.

Below ``NARROW_WIDTH`` columns or ``NARROW_HEIGHT`` rows four panes side by side leave
each too small to use (two workstream rows, Owns cut off), so the board stacks: the
Workstreams pane stays on top, and under it one of Commander, Responders or Timeline,
which ``tab`` / ``shift+tab`` step through (the same keys that move between panes when
everything fits). The pane shown follows focus, however focus got there, and its lower
border names the panes a ``tab`` away.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

NARROW_WIDTH = 100
NARROW_HEIGHT = 30

PANES = ("workstreams-pane", "commander-pane", "responders-pane", "timeline-pane")
"""In tab order; all but the first take turns under the Workstreams pane when narrow."""
TITLES = {"workstreams-pane": "Workstreams", "commander-pane": "Commander", "responders-pane": "Responders", "timeline-pane": "Timeline"}


def is_narrow(size: Size) -> bool:
    return size.width < NARROW_WIDTH or size.height < NARROW_HEIGHT


class PaneSwitcher:
    """Which lower pane a narrow board shows, kept in CSS classes on the screen and the panes."""

    def __init__(self, screen: Widget) -> None:
        self.screen = screen
        self.lower = "timeline-pane"

    @property
    def narrow(self) -> bool:
        return self.screen.has_class("-narrow")

    def fit(self, size: Size) -> None:
        self.screen.set_class(is_narrow(size), "-narrow")
        self.show(self.lower)

    def show(self, pane_id: str) -> None:
        """Make ``pane_id`` the lower pane (the Workstreams pane is always shown)."""
        if pane_id != PANES[0]:
            self.lower = pane_id
        narrow = self.narrow
        for other in PANES[1:]:
            pane = self.screen.query_one(f"#{other}")
            pane.set_class(narrow and other != self.lower, "-tucked")
            hidden = [TITLES[p] for p in PANES[1:] if p != self.lower]
            subtitle = f"tab: {' · '.join(hidden)}" if narrow and other == self.lower else ""
            if (pane.border_subtitle or "") != subtitle:  # setting it repaints the pane, even to the same words
                pane.border_subtitle = subtitle
        self.screen.query_one("#middle").set_class(narrow and self.lower == "timeline-pane", "-tucked")

    def pane_of(self, widget: Widget | None) -> str | None:
        while widget is not None:
            if widget.id in PANES:
                return widget.id
            widget = widget.parent  # type: ignore[assignment]  # a pane's ancestors up to the screen are widgets
        return None

    def step(self, focused: Widget | None, by: int) -> Widget:
        """The pane ``by`` panes away from the focused one, shown (for focus to move into)."""
        current = self.pane_of(focused) or PANES[0]
        target = PANES[(PANES.index(current) + by) % len(PANES)]
        self.show(target)
        return self.screen.query_one(f"#{target}")
