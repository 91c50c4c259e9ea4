"""One timeline entry in full: a 622-character note does not fit on a line, or in two.

Enter on the timeline opens it. The text sits in a read-only text area, so it scrolls,
can be selected with the mouse or the keys, and copied (``c`` copies all of it).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from warroom.incident.state import TimelineEntry
from warroom.safetext import safe_block, safe_line
from warroom.incident.keyframes import t_plus

from .info import BOX_CSS


def entry_heading(entry: TimelineEntry, start: datetime | None) -> list[str]:
    """Who, when, which entry and what it is about, one fact a line."""
    when = f"{entry.at:%Y-%m-%d %H:%M:%S} UTC"
    if start is not None:
        when += f"  ({t_plus(entry.at, start)})"
    lines = [f"#{entry.seq} · {entry.actor}", when]
    about = [part for part in (entry.workstream, f"with {entry.counterpart}" if entry.counterpart else "") if part]
    if about:
        lines.append(" · ".join(about))
    if entry.starred:
        lines.append("★ starred")
    if entry.rejected:
        lines.append(f"refused: {entry.rejected}")
    return [safe_line(line) for line in lines]


class EntryScreen(ModalScreen[None]):
    DEFAULT_CSS = BOX_CSS.format(name="EntryScreen") + """
    EntryScreen #entry-text { height: auto; max-height: 20; min-height: 3; }
    EntryScreen #entry-heading { color: $text-muted; }
    """
    BINDINGS: ClassVar = [
        Binding("escape,enter,q", "close", "Close", id="entry.close"),
        Binding("c", "copy", "Copy the entry", id="entry.copy"),
    ]

    def __init__(self, entry: TimelineEntry, start: datetime | None = None) -> None:
        super().__init__()
        self.entry = entry
        self.heading = entry_heading(entry, start)
        self.text = safe_block(entry.text)

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label(f"Timeline entry #{self.entry.seq}", classes="box-title")
            yield Static(Content("\n".join(self.heading)), id="entry-heading")
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=False, id="entry-text")
            yield Static("c: copy   select with the mouse or shift+arrows, ctrl+c copies it   esc / enter: back", classes="box-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_copy(self) -> None:
        area = self.query_one(TextArea)
        self.app.copy_to_clipboard(area.selected_text or self.text)
        self.app.notify("copied the entry" if not area.selected_text else "copied the selection", timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
