"""The Timeline pane: every event as one line, newest at the bottom, as a virtual list.

A long incident has tens of thousands of entries, so this draws only the rows on
screen (Textual's line API) instead of one widget per entry: opening a 10,000-event
incident costs a list, not 10,000 widgets. It follows new entries while the cursor is
on the last one and the view is at the bottom; once the user moves up, it stays put.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import ClassVar

from rich.console import Console
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from warroom.incident.state import TimelineEntry
from warroom.safetext import safe_line

from ..format import clock

ACTOR_WIDTH = 12
CACHED_LINES = 1000
"""Rendered lines kept: a few screens' worth, whatever the length of the incident."""


class ShownEntries(Sequence[TimelineEntry]):
    """The entries the view shows: the state's timeline as it was when drawn (kept by
    reference, read only where drawn), then each entry appended since."""

    __slots__ = ("_base", "_base_len", "_added")

    def __init__(self, base: Sequence[TimelineEntry] = ()):
        self._base = base
        self._base_len = len(base)
        self._added: list[TimelineEntry] = []

    def __len__(self) -> int:
        return self._base_len + len(self._added)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("timeline index out of range")
        return self._base[index] if index < self._base_len else self._added[index - self._base_len]

    def __iter__(self) -> Iterator[TimelineEntry]:
        for index in range(self._base_len):
            yield self._base[index]
        yield from self._added

    def append(self, entry: TimelineEntry) -> None:
        self._added.append(entry)


class TimelineView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    TimelineView > .timeline--time { color: $text-muted; }
    TimelineView > .timeline--actor { color: $secondary; }
    TimelineView > .timeline--me { color: $you; text-style: bold; }
    TimelineView > .timeline--starred { color: $starred; text-style: bold; }
    TimelineView > .timeline--refused { color: $refused; text-style: strike; }
    TimelineView > .timeline--cursor { background: $primary 30%; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--time",
        "timeline--actor",
        "timeline--me",
        "timeline--starred",
        "timeline--refused",
        "timeline--cursor",
    }
    BINDINGS: ClassVar = [
        Binding("up,k", "cursor_up", "Up", show=False, id="timeline.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="timeline.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="timeline.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="timeline.page_down"),
        Binding("home,g", "first", "First", show=False, id="timeline.first"),
        Binding("end,G", "last", "Last (follow)", show=False, id="timeline.last"),
    ]

    cursor: reactive[int] = reactive(-1)
    """Index of the highlighted entry (-1: none); the view repaints when it moves."""
    auto_follow: reactive[bool] = reactive(True)
    """Keep the newest entry in view; off once the user moves up, on again at the end."""

    class Highlighted(Message):
        """The cursor moved to ``entry`` (``None`` when the timeline is empty)."""

        def __init__(self, entry: TimelineEntry | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, me: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.me = me
        self.entries = ShownEntries()
        self._cache: LRUCache[tuple, Strip] = LRUCache(CACHED_LINES)

    # --- content ---------------------------------------------------------------

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        """Show ``entries`` (the state's timeline: kept by reference and never copied, so a
        100,000-entry incident costs no more than the rows on screen; entries the state
        gains later arrive through ``append``)."""
        self.entries = ShownEntries(entries)
        self._cache.clear()
        self.cursor = len(self.entries) - 1
        self.auto_follow = True
        self.virtual_size = Size(0, len(self.entries))
        self._follow_end()
        self._announce()

    def append(self, entry: TimelineEntry) -> None:
        """Add one entry at the bottom; follow it unless the user has moved up."""
        self.entries.append(entry)
        self.virtual_size = Size(0, len(self.entries))
        if self.auto_follow:
            self.cursor = len(self.entries) - 1
            self._follow_end()
            self._announce()
        else:
            self.refresh()

    def _follow_end(self) -> None:
        # After the next layout, when the new virtual size is known.
        self.call_after_refresh(self._scroll_to_end)
        self.refresh()

    def _scroll_to_end(self) -> None:
        if self.auto_follow:
            # force: right after the virtual size grows the scrollbar may not be laid out yet
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def refresh_entry(self, seq: int) -> None:
        """Redraw the line for ``seq`` (it was starred or unstarred)."""
        index = self.index_of(seq)
        if index is None:
            return
        for key in [key for key in self._cache.keys() if key[0] == index]:
            self._cache.discard(key)
        self.refresh_lines(index - int(self.scroll_offset.y), 1)
        if index == self.cursor:
            self._announce()

    def restyle(self) -> None:
        self._cache.clear()
        self.refresh()

    @property
    def following(self) -> bool:
        return self.auto_follow

    @property
    def highlighted(self) -> TimelineEntry | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def index_of(self, seq: int) -> int | None:
        index = bisect.bisect_left(self.entries, seq, key=_seq)
        return index if index < len(self.entries) and self.entries[index].seq == seq else None

    # --- cursor ------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        if not self.entries:
            return
        index = max(0, min(index, len(self.entries) - 1))
        self.cursor = index
        self.auto_follow = index == len(self.entries) - 1
        self._reveal_cursor()
        self.refresh()
        self._announce()

    def _reveal_cursor(self) -> None:
        top = int(self.scroll_offset.y)
        height = max(self.scrollable_content_region.height, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(self.scrollable_content_region.height - 1, 1))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.entries) - 1)
        self._follow_end()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.auto_follow = False

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.call_after_refresh(self._resume_if_at_end)

    def _resume_if_at_end(self) -> None:
        if self.scroll_offset.y >= self.max_scroll_y and self.cursor == len(self.entries) - 1:
            self.auto_follow = True

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.move_cursor(int(self.scroll_offset.y) + offset.y)

    def on_resize(self, event: events.Resize) -> None:
        # The pane shrinks when the detail line below wraps: keep the newest entry in view.
        self._cache.clear()
        self.call_after_refresh(self._scroll_to_end if self.auto_follow else self._reveal_cursor)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self.highlighted))

    # --- drawing -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_offset.y) + y
        base = self.rich_style
        if not 0 <= index < len(self.entries):
            return Strip.blank(width, base)
        entry = self.entries[index]
        is_cursor = index == self.cursor
        key = (index, width, entry.starred, is_cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._draw(entry, width, is_cursor, base)
        return strip

    def _draw(self, entry: TimelineEntry, width: int, is_cursor: bool, base: RichStyle) -> Strip:
        style = self.get_component_rich_style
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if entry.rejected:
            line.append(" ✗ ", style("timeline--refused"))
        elif entry.starred:
            line.append(" ★ ", style("timeline--starred"))
        else:
            line.append("   ")
        line.append(f"{clock(entry.at)} ", style("timeline--time"))
        actor_style = style("timeline--me") if entry.actor == self.me else style("timeline--actor")
        line.append(f"{safe_line(entry.actor)[:ACTOR_WIDTH]:<{ACTOR_WIDTH}} ", actor_style)
        text = safe_line(entry.text)
        if entry.rejected:
            line.append(f"{text}  (refused: {safe_line(entry.rejected)})", style("timeline--refused"))
        elif entry.starred:
            line.append(text, style("timeline--starred"))
        else:
            line.append(text)
        line.truncate(width, overflow="ellipsis", pad=True)
        if is_cursor:
            cursor_style = style("timeline--cursor")
            if not self.has_focus:
                cursor_style = RichStyle(underline=True)
            line.stylize(cursor_style)
        segments = list(line.render(_CONSOLE))
        return Strip(Segment.apply_style(segments, base), width)


def _seq(entry: TimelineEntry) -> int:
    return entry.seq


_CONSOLE = Console(width=10_000, color_system="truecolor", force_terminal=True, legacy_windows=False)


class TimelineDetail(Static):
    """The highlighted entry in full: long notes and hand-off notes do not fit on one line."""

    DEFAULT_CSS = """
    TimelineDetail {
        height: auto;
        max-height: 3;
        color: $text-muted;
        border-top: solid $panel-lighten-1;
        padding: 0 1;
    }
    """

    def show(self, entry: TimelineEntry | None) -> None:
        if entry is None:
            self.update("")
            return
        prefix = "refused — " if entry.rejected else ("★ " if entry.starred else "")
        reason = f" (refused: {entry.rejected})" if entry.rejected else ""
        self.update(Content(safe_line(f"#{entry.seq} {clock(entry.at)} UTC  {entry.actor}: {prefix}{entry.text}{reason}")))
