"""The board's one screen: it owns the pane keys (tab / shift+tab) and the layout.

Kept apart from the App so the App only composes, follows and draws; ``layout.py`` says
which panes show at which size, this screen applies it as the terminal and focus move.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from .footer import BoardFooter
from .keys import PANE_KEYS, bindings
from .layout import PaneSwitcher
from .toast_placement import arrange as arrange_toasts
from .widgets import TimelineView, WorkstreamTable
from .widgets.timeline_find import KeysTaken


class BoardScreen(Screen):
    """The one screen of the board; it owns the pane keys (tab / shift+tab) and the layout (``layout.py``).
    Replay's screen is one too, so a replay stacks on a small terminal as the board does."""

    BINDINGS: ClassVar = [
        *bindings(PANE_KEYS),
        Binding("ctrl+c,super+c", "screen.copy_text", "Copy selected text", show=False, id="copy_text"),
    ]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 (Screen's own)
        super().__init__(*args, **kwargs)
        self.panes = PaneSwitcher(self)
        self._stepping_to: Widget | None = None
        """The pane a tab is moving focus into (focus lands after a refresh; a second tab counts from it)."""

    def on_resize(self, event: events.Resize) -> None:
        # Toasts are placed when they come and when the cursor moves, not here: placing them
        # asks for a layout, and where the terminal's size is unknown (no tty) Textual answers
        # a layout with a resize, which would never end.
        self.panes.fit(event.size)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        pane = self.panes.pane_of(event.widget)
        if pane is not None and pane != "workstreams-pane" and self.panes.narrow:
            self.panes.show(pane)
        arrange_toasts(self)

    def on_keys_taken(self, message: KeysTaken) -> None:
        """The timeline's search prompt or ``f`` list has the keys: the footer says its keys."""
        for footer in self.query(BoardFooter):
            footer.say(message.keys)
        arrange_toasts(self)  # clear of the f list

    @on(WorkstreamTable.RowHighlighted)
    @on(TimelineView.Highlighted)
    def _cursor_moved(self) -> None:
        arrange_toasts(self)

    def step_pane(self, by: int) -> bool:
        """Narrow: show and focus the pane ``by`` away (tab / shift+tab); False when every pane shows."""
        if not self.panes.narrow:
            return False
        self._stepping_to = self.panes.step(self._stepping_to or self.focused, by)
        self.call_after_refresh(self._focus_in, self._stepping_to)
        return True

    def _focus_in(self, pane: Widget) -> None:
        if pane is self._stepping_to:
            self._stepping_to = None
        if pane.can_focus:
            pane.focus()
            return
        first = next((widget for widget in self.focus_chain if pane in widget.ancestors), None)
        if first is not None:
            first.focus()


class SteppingPanes:
    """App mixin: tab / shift+tab step the panes of a narrow board (or replay) screen, else move focus."""

    def action_focus_next(self) -> None:
        if not (isinstance(self.screen, BoardScreen) and self.screen.step_pane(1)):  # type: ignore[attr-defined]
            super().action_focus_next()  # type: ignore[misc]

    def action_focus_previous(self) -> None:
        if not (isinstance(self.screen, BoardScreen) and self.screen.step_pane(-1)):  # type: ignore[attr-defined]
            super().action_focus_previous()  # type: ignore[misc]
