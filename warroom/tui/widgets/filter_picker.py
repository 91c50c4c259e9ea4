"""``f`` on the board: pick what the timeline shows, one choice at a time, in the timeline pane.

Choices add up (notes by bob on WS-2); picking one that is already on (marked ✓) takes it
off again, and Esc in the timeline clears the lot. The list is built by ``tui.find.choices``.

An inline list, not a modal screen: pushing a ModalScreen composed a screen and re-rendered
the whole board under its translucent background (≈350 ms CPU at any incident size), and
closing it repainted the board again. Shown and hidden inside the pane, only the pane redraws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.safetext import safe_line


class FilterPicker(OptionList):
    """Mounted under the timeline on the first ``f``; hidden until ``open`` and after a choice."""

    DEFAULT_CSS = """
    FilterPicker {
        display: none;
        height: auto;
        max-height: 60%;
        border: tall $primary;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
    }
    """
    BINDINGS: ClassVar = [Binding("escape", "close", "Close", id="filter.close")]

    def __init__(self, chosen: Callable[[str | None], None], *, id: str | None = "filter-choices") -> None:
        super().__init__(id=id)
        self._chosen = chosen
        self.border_subtitle = "enter: add (✓: take off) · esc: back"

    def open(self, choices: Sequence[tuple[str, str]], current: str = "") -> None:
        """Offer ``choices`` (choice id, label); ``current`` is the filter now on."""
        self.clear_options()
        # Content, not str: a workstream title is the responder's words, never markup
        self.add_options([Option(Content(safe_line(label)), id=choice) for choice, label in choices])
        self.border_title = Content(f"Filter the timeline · now: {safe_line(current)}" if current else "Filter the timeline")
        self.highlighted = 0 if choices else None
        self.display = True
        self.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._finish(event.option.id)

    def choose(self, choice: str) -> None:
        """Pick ``choice`` as Enter on its line would."""
        self.highlighted = self.get_option_index(choice)
        self.action_select()

    def action_close(self) -> None:
        self._finish(None)

    def _finish(self, choice: str | None) -> None:
        self.display = False
        self._chosen(choice)
