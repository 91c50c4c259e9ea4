"""``f`` on the board: pick what the timeline shows, one choice at a time.

Choices add up (notes by bob on WS-2); picking one that is already on (marked ✓) takes it
off again, and Esc in the timeline clears the lot. The list is built by ``tui.find.choices``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from warroom.safetext import safe_line

from .info import _CSS


class FilterScreen(ModalScreen[str | None]):
    """Answers with the chosen choice (``kind:notes``, ``person:bob`` ...), or ``None``."""

    DEFAULT_CSS = _CSS.format(name="FilterScreen") + """
    FilterScreen OptionList { height: auto; max-height: 24; }
    """
    BINDINGS: ClassVar = [Binding("escape", "close", "Close", id="filter.close")]

    def __init__(self, choices: Sequence[tuple[str, str]], current: str = "") -> None:
        super().__init__()
        self.choices = [(choice, safe_line(label)) for choice, label in choices]
        self.current = safe_line(current)

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("Filter the timeline", classes="box-title")
            if self.current:
                yield Static(Content(f"now: {self.current}"), id="filter-now")
            # Content, not str: a workstream title is the responder's words, never markup
            yield OptionList(*(Option(Content(label), id=choice) for choice, label in self.choices), id="filter-choices")
            yield Static("enter: add (or take off a ✓)   esc: back   esc in the timeline clears the filter", classes="box-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def choose(self, choice: str) -> None:
        """Pick ``choice`` as Enter on its line would."""
        options = self.query_one(OptionList)
        options.highlighted = options.get_option_index(choice)
        options.action_select()

    def action_close(self) -> None:
        self.dismiss(None)
