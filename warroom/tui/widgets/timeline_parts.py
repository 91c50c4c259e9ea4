"""The small widgets around the timeline: the detail line and the "N new below" marker.

Both only read the view; nothing here changes what the timeline shows. Wherever an entry
is cut to fit, the cut is marked with an ellipsis, so nobody mistakes a part for the whole
(Enter on the timeline opens the entry in full).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Static

from warroom.safetext import safe_line

from ..model.format import ELLIPSIS, clock
from ..textual_private import compute_wrap_offsets

if TYPE_CHECKING:
    from warroom.incident.state import TimelineEntry
    from textual.widget import Widget

DETAIL_LINES = 2


_CONSOLE = Console(width=10_000, color_system="truecolor", force_terminal=True, legacy_windows=False)


def strip_of(line: Text, width: int, base: Style) -> Strip:
    """``line`` (already cut to ``width``) as a strip on the view's ``base`` style."""
    return Strip(Segment.apply_style(list(line.render(_CONSOLE)), base), width)


def clip(text: str, width: int, lines: int, more: str = "") -> tuple[str, int]:
    """``text`` as it fits in ``lines`` lines of ``width`` cells once wrapped, and how many
    lines that is; when it does not fit, cut where the last line ends, marked with ``…``
    (and ``more``)."""
    if width <= 0:
        return text, 1
    breaks = compute_wrap_offsets(text, width, 4)
    if len(breaks) < lines:
        return text, len(breaks) + 1
    tail = f"{ELLIPSIS}{more}"
    cut = max(breaks[lines - 1] - len(tail) - 1, 0)
    return text[:cut].rstrip() + tail, lines


class TimelineDetail(Static):
    """The highlighted entry, in as much as fits below the timeline: long notes and hand-off
    notes do not fit on one line (and when they do not fit here either, the cut is marked)."""

    DEFAULT_CSS = """
    TimelineDetail {
        height: auto;
        max-height: 3;
        color: $text-muted;
        border-top: solid $panel-lighten-1;
        padding: 0 1;
    }
    """

    _entry: TimelineEntry | None = None
    _lines = 0

    def show(self, entry: TimelineEntry | None) -> None:
        self._entry = entry
        self._draw()

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        entry = self._entry
        if entry is None:
            self.update("")
            return
        prefix = "refused — " if entry.rejected else ("★ " if entry.starred else "")
        reason = f" (refused: {entry.rejected})" if entry.rejected else ""
        text = safe_line(f"#{entry.seq} {clock(entry.at)} UTC  {entry.actor}: {prefix}{entry.text}{reason}")
        shown, lines = clip(text, self.content_region.width, DETAIL_LINES, more=" (enter: all of it)")
        # Lay the board out again only when the line count changes: moving through the
        # timeline (or a search jumping) must not re-render every pane.
        self.update(Content(shown), layout=lines != self._lines)
        self._lines = lines


class NewBelow(Static):
    """``↓ 3 new below · end``: shown while the user reads further up and entries arrive;
    a click (or End in the timeline) jumps back to the newest and follows again."""

    DEFAULT_CSS = """
    NewBelow {
        display: none;
        height: 1;
        width: 100%;
        content-align: center middle;
        background: $accent 30%;
        color: $text;
        text-style: bold;
    }
    NewBelow.-shown { display: block; }
    """

    def __init__(self, view: Widget, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        """The view it counts for: its ``new_below`` and its ``last`` action (``TimelineView``, not
        imported: it imports this module)."""

    def on_mount(self) -> None:
        self.watch(self.view, "new_below", self._show)

    def _show(self, count: int) -> None:
        self.set_class(count > 0, "-shown")
        self.update(f"↓ {count:,} new below · end" if count else "")

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.view.run_action("last")
        self.view.focus()
