"""Modals that tell rather than ask: help, the catch-up, and a yes/no question (over the board, tinted: ``tinted.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, Static

from warroom.safetext import safe_block, safe_line

from ..model.format import fit
from .tinted import TintedScreen

BOX_CSS = """
{name} {{ align: center middle; }}
{name} > #box {{
    width: 90; max-width: 95%; height: auto; max-height: 90%;
    background: $panel; border: thick $primary; padding: 0 1;
}}
{name} .box-title {{ text-style: bold; color: $primary; margin-bottom: 1; width: 100%; }}
{name} .box-hint {{ color: $text-muted; margin-top: 1; }}
{name} VerticalScroll {{ height: auto; max-height: 55vh; }}
"""


class HelpScreen(TintedScreen[None]):
    """Every key on the board, as currently mapped (after ``[ui] keymap``)."""

    DEFAULT_CSS = BOX_CSS.format(name="HelpScreen")
    BINDINGS: ClassVar = [Binding("escape,enter,q,question_mark,f1", "close", "Close", id="help.close")]

    def __init__(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        """``rows``: (keys, description, palette entry, binding id) for every key."""
        super().__init__()
        self.rows = [(safe_line(keys), safe_line(description), safe_line(palette), binding_id) for keys, description, palette, binding_id in rows]

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, *_ in self.rows), default=4) + 2
        palette_width = max((len(palette) for _, _, palette, _ in self.rows), default=0) + 2
        line = width + max((max(16, len(description)) for _, description, _, _ in self.rows), default=16)
        line += palette_width + max((len(binding_id) for *_, binding_id in self.rows), default=0)
        # Border, padding and scrollbar take 6 columns. Where a whole row would not fit on one
        # line (80 columns), each key keeps only its palette entry, the longest description: a
        # row split over two lines is hard to scan, and the ids matter only to someone remapping.
        whole = line + 6 <= max(90, self.app.size.width - 4)
        room = self.app.size.width - 10 - width
        parts: list[str | tuple[str, str]] = []
        for index, (keys, description, palette, binding_id) in enumerate(self.rows):
            if index:
                parts.append("\n")
            parts.append((f"{keys:<{width}}", "bold $accent"))
            if whole:
                parts += [f"{description:<16}", (f"{palette:<{palette_width}}", "dim"), (binding_id, "italic $text-muted")]
            else:
                parts.append(fit(palette, room))
        remap = "Remap a key by its id (last column) in [ui.keymap] of your config." if whole else (
            "Remap a key by its id in [ui.keymap] of your config (a wider terminal shows the ids here)."
        )
        with Vertical(id="box") as box:
            box.styles.width = max(90, line + 6) if whole else "100%"
            yield Label("Keys", classes="box-title")
            with VerticalScroll():
                yield Static(Content.assemble(*parts), id="help-keys")
            yield Static("Every action is also in the command palette (ctrl+p), as “category: action”. " + remap, classes="box-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class CatchUpScreen(TintedScreen[None]):
    """Where things stand now, then what happened while you were away (``catchup.CatchUp.text_lines``)."""

    DEFAULT_CSS = BOX_CSS.format(name="CatchUpScreen")
    BINDINGS: ClassVar = [Binding("escape,enter", "close", "Close", id="catchup.close")]

    def __init__(self, title: str, lines: Sequence[str], earlier: int = 0) -> None:
        super().__init__()
        self.box_title = safe_line(title)
        self.lines = [safe_line(line) for line in lines]
        self.earlier = earlier

    def compose(self) -> ComposeResult:
        text = "\n".join(self.lines)
        if self.earlier:
            text = f"(and {self.earlier} earlier)\n{text}"
        with Vertical(id="box"):
            yield Label(Content(self.box_title), classes="box-title")  # user words: never markup
            with VerticalScroll():
                yield Static(Content(text), id="catchup-lines")
            yield Static("enter or esc: back to the board", classes="box-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(TintedScreen[bool]):
    """A yes/no question; Enter answers with the focused button, Escape says no.

    Every caller says whether the act can be undone: when it cannot (closing, taking from
    someone, losing typed words), focus starts on the no button, so Enter pressed in a hurry
    (`x`, Enter, Enter) never does it.
    """

    DEFAULT_CSS = BOX_CSS.format(name="ConfirmScreen") + """
    ConfirmScreen Horizontal { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; }
    ConfirmScreen VerticalScroll { max-height: 40vh; }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "no", "Cancel", id="confirm.cancel"),
        Binding("up", "scroll('up')", show=False, id="confirm.scroll_up"),
        Binding("down", "scroll('down')", show=False, id="confirm.scroll_down"),
    ]
    HINT = "enter: choose   esc: cancel   tab: other button"

    def __init__(self, title: str, message: str, yes: str = "Yes", no: str = "Cancel", *, undoable: bool) -> None:
        super().__init__()
        self.undoable = undoable
        self.box_title = safe_line(title)
        self.message = safe_block(message)
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label(Content(self.box_title), classes="box-title")  # user words: never markup
            # A long message (close's still-open list) scrolls, so the buttons and keys stay on
            # an 80x24 terminal: they ran off the box's bottom, leaving "Close it anyway?" and no way shown.
            with VerticalScroll(can_focus=False, id="confirm-scroll"):
                yield Static(Content(self.message), id="confirm-message")
            with Horizontal():
                yield Button(self.yes, id="yes", variant="primary")
                yield Button(self.no, id="no")
            yield Static(self.HINT, classes="box-hint", id="confirm-hint")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.undoable else "#no", Button).focus()
        self.call_after_refresh(self._say_it_scrolls)

    def _say_it_scrolls(self) -> None:
        if self.query_one("#confirm-scroll", VerticalScroll).max_scroll_y > 0:
            self.query_one("#confirm-hint", Static).update(f"{self.HINT}   ↑↓: read the rest")

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one("#confirm-scroll", VerticalScroll)
        scroll.scroll_up() if direction == "up" else scroll.scroll_down()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)
