"""The Timeline pane: every event as one line, newest at the bottom, as a virtual list.

A long incident has tens of thousands of entries, so this draws only the rows on
screen (Textual's line API) instead of one widget per entry: opening a 10,000-event
incident costs a list, not 10,000 widgets. It follows new entries while the cursor is
on the last one and the view is at the bottom; once the user moves up, it stays put and
counts what arrives below (``new_below``), so nothing arrives unseen.

Search (``/``, n / N) and filters (``f``) are worked out by ``tui.model.find.Finder`` on the
entries' fields (their keys are ``timeline_find.FindingKeys``); the view maps its rows
through it and draws only what is on screen.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import chain, islice
from typing import TYPE_CHECKING, ClassVar, overload

from rich.style import Style as RichStyle
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.safetext import safe_line

from ..model.find import Finder
from ..model.format import fit
from ..keys import moving_keys
from .timeline_find import FindingKeys
from .timeline_parts import NewBelow, TimelineDetail, strip_of

if TYPE_CHECKING:
    from warroom.incident.state import TimelineEntry

__all__ = ["NewBelow", "ShownEntries", "TimelineDetail", "TimelineView"]

ACTOR_WIDTH = 12
CACHED_LINES = 1000
"""Rendered lines kept: a few screens' worth, whatever the length of the incident."""


class ShownEntries(Sequence["TimelineEntry"]):
    """The entries the view shows: the state's timeline as it was when drawn (kept by
    reference, read only where drawn), then each entry appended since."""

    __slots__ = ("_base", "_base_len", "_added")

    def __init__(self, base: Sequence[TimelineEntry] = ()):
        self._base = base
        self._base_len = len(base)
        self._added: list[TimelineEntry] = []

    def __len__(self) -> int:
        return self._base_len + len(self._added)

    @overload
    def __getitem__(self, index: int) -> TimelineEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[TimelineEntry]: ...
    def __getitem__(self, index: int | slice) -> TimelineEntry | list[TimelineEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("timeline index out of range")
        return self._base[index] if index < self._base_len else self._added[index - self._base_len]

    def __iter__(self) -> Iterator[TimelineEntry]:
        # chain, not a generator: a filter walks all 100,000 entries per keystroke
        return chain(islice(self._base, self._base_len), self._added)

    def append(self, entry: TimelineEntry) -> None:
        self._added.append(entry)


class TimelineView(FindingKeys, ScrollView, can_focus=True):
    DEFAULT_CSS = """
    TimelineView > .timeline--time { color: $text-muted; }
    TimelineView > .timeline--actor { color: $secondary; }
    TimelineView > .timeline--me { color: $you; text-style: bold; }
    TimelineView > .timeline--starred { color: $starred; text-style: bold; }
    TimelineView > .timeline--refused { color: $refused; text-style: strike; }
    TimelineView > .timeline--cursor { background: $primary 30%; }
    TimelineView > .timeline--match { background: $warning 40%; text-style: bold underline; }
    TimelineView > .timeline--menu-base { background: $panel; color: $text; }
    TimelineView > .timeline--menu-title { background: $panel; color: $primary; text-style: bold; }
    TimelineView > .timeline--menu-hint { background: $panel; color: $text-muted; }
    TimelineView > .timeline--menu-cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--time",
        "timeline--actor",
        "timeline--me",
        "timeline--starred",
        "timeline--refused",
        "timeline--cursor",
        "timeline--match",
        *(f"timeline--menu-{part}" for part in ("base", "title", "hint", "cursor")),
    }
    BINDINGS: ClassVar = [
        *moving_keys("timeline"),
        Binding("home,g", "first", "First", show=False, id="timeline.first"),
        Binding("end,G", "last", "Last (follow)", show=False, id="timeline.last"),
        Binding("enter", "open_entry", "Open the entry in full", show=False, id="timeline.open"),
        # n / N belong to the search only while one is active; otherwise the board's n opens a workstream.
        Binding("n", "next_match", "Next match", show=False, id="timeline.next_match"),
        Binding("N,shift+n", "previous_match", "Previous match", show=False, id="timeline.previous_match"),
        Binding("escape", "clear_find", "Clear search / filter", show=False, id="timeline.clear"),
    ]

    cursor: reactive[int] = reactive(-1)
    """Row of the highlighted entry (-1: none); the view repaints when it moves. Without a
    filter a row is the entry's index."""
    auto_follow: reactive[bool] = reactive(True)
    """Keep the newest entry in view; off once the user moves up, on again at the end."""
    new_below: reactive[int] = reactive(0, repaint=False)
    """Entries (that the filter shows) which arrived below since the user moved up."""
    pane_title: reactive[str] = reactive("Timeline", repaint=False)
    """What the pane's border says: the active filter and search, and how to leave them."""

    class Highlighted(Message):
        """The cursor moved to ``entry`` (``None`` when the timeline is empty)."""

        def __init__(self, entry: TimelineEntry | None) -> None:
            super().__init__()
            self.entry = entry

    class Opened(Message):
        """Enter on ``entry``: the screen shows it in full (``start``: when the incident was declared, for T+)."""

        def __init__(self, entry: TimelineEntry, start: datetime | None) -> None:
            super().__init__()
            self.entry, self.start = entry, start

    def __init__(self, me: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.me = me
        self.entries: ShownEntries = ShownEntries()
        self.finder = Finder(self.entries)
        self.start: datetime | None = None
        """T+0 for the T+ column: when the incident was declared."""
        self.show_elapsed = False
        self.typing = False
        """The search prompt has the keys (after ``/``, until Enter or Esc)."""
        self._origin = 0
        self._away_from = 0
        self._multi_day = False
        self._frame_style: RichStyle | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(CACHED_LINES)

    # --- content ---------------------------------------------------------------

    def set_entries(self, entries: Sequence[TimelineEntry], start: datetime | None = None) -> None:
        """Show ``entries`` (the state's timeline: kept by reference and never copied, so a
        100,000-entry incident costs no more than the rows on screen; entries the state
        gains later arrive through ``append``). ``start`` is T+0. Search and filter stay."""
        self.entries = ShownEntries(entries)
        self.start = start
        self.finder.reset(self.entries)
        self._multi_day = bool(self.entries) and self.entries[0].at.date() != self.entries[-1].at.date()
        self._cache.clear()
        self.cursor = len(self.finder) - 1
        self.auto_follow = True
        self.virtual_size = Size(0, len(self.finder))
        self._follow_end()
        self._announce()
        self._describe()
        self.call_after_refresh(self._index_in_idle_time)  # after the paint: it never delays one

    def append(self, entry: TimelineEntry) -> None:
        """Add one entry at the bottom; follow it unless the user has moved up (then count it)."""
        self.entries.append(entry)
        if not self._multi_day and entry.at.date() != self.entries[0].at.date():
            self._multi_day = True
            self._cache.clear()
        if not self.finder.appended():
            return
        self.virtual_size = Size(0, len(self.finder))
        if self.auto_follow:
            self.cursor = len(self.finder) - 1
            self._follow_end()
            self._announce()
        else:
            self._count_new()
            self.refresh()
        if self.finder.searching:
            self._describe()

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
        index = self._entry_index(seq)
        if index is None:
            return
        for key in [key for key in self._cache.keys() if key[0] == index]:
            self._cache.discard(key)
        row = self.finder.row_of(index)
        if row is not None:
            self.refresh_lines(row - int(self.scroll_offset.y), 1)
            if row == self.cursor:
                self._announce()

    def restyle(self) -> None:
        self._cache.clear()
        self.refresh()

    @property
    def following(self) -> bool:
        return self.auto_follow

    @property
    def highlighted(self) -> TimelineEntry | None:
        if 0 <= self.cursor < len(self.finder):
            return self.entries[self.finder.entry_index(self.cursor)]
        return None

    def index_of(self, seq: int) -> int | None:
        """The row showing entry ``seq`` (``None``: no such entry, or the filter hides it)."""
        index = self._entry_index(seq)
        return None if index is None else self.finder.row_of(index)

    def _entry_index(self, seq: int) -> int | None:
        index = bisect.bisect_left(self.entries, seq, key=_seq)
        return index if index < len(self.entries) and self.entries[index].seq == seq else None

    def watch_auto_follow(self, following: bool) -> None:
        if following:
            self.new_below = 0
        else:
            self._away_from = len(self.entries)

    def _count_new(self) -> None:
        """How many shown entries arrived since the user moved away from the bottom."""
        rows = self.finder.rows
        since = bisect.bisect_left(rows, self._away_from) if rows is not None else self._away_from
        self.new_below = max(len(self.finder) - since, 0)

    # --- cursor ------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        if not len(self.finder):
            return
        row = max(0, min(row, len(self.finder) - 1))
        self.cursor = row
        self.auto_follow = row == len(self.finder) - 1
        self._reveal_cursor()
        self.refresh()
        self._announce()
        if self.finder.searching:
            self._describe()

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
        """End (or a click on the "new below" marker): jump to the newest and follow again."""
        self.move_cursor(len(self.finder) - 1)
        self.auto_follow = True
        self._follow_end()

    def action_open_entry(self) -> None:
        entry = self.highlighted
        if entry is not None:
            self.post_message(self.Opened(entry, self.start))

    def action_toggle_elapsed(self) -> None:
        """T: show the time since the incident was declared (T+) beside the clock time."""
        self.show_elapsed = not self.show_elapsed
        self.restyle()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.auto_follow = False

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.call_after_refresh(self._resume_if_at_end)

    def _resume_if_at_end(self) -> None:
        if self.scroll_offset.y >= self.max_scroll_y and self.cursor == len(self.finder) - 1:
            self.auto_follow = True

    def on_click(self, event: events.Click) -> None:
        offset_ = event.get_content_offset(self)
        if offset_ is not None and not self.menu_clicked(offset_.y):
            self.move_cursor(int(self.scroll_offset.y) + offset_.y)

    def on_resize(self, event: events.Resize) -> None:
        # The pane shrinks when the detail line below wraps: keep the newest entry in view.
        self._cache.clear()
        self.call_after_refresh(self._scroll_to_end if self.auto_follow else self._reveal_cursor)

    def on_focus(self) -> None:
        self.refresh()  # the cursor row's look depends on focus (and so does its cache key)

    def on_blur(self) -> None:
        self.close_menu()  # the keys went elsewhere (tab, a form): the list and prompt would take none
        self.stop_typing()
        self.refresh()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self.highlighted))

    # --- drawing -----------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style  # once a frame, not once a line: it walks the DOM
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.menu is not None and (line := self.menu_line(y, width)) is not None:
            return line
        row = int(self.scroll_offset.y) + y
        base = self._frame_style or self.rich_style
        if not 0 <= row < len(self.finder):
            return Strip.blank(width, base)
        index = self.finder.entry_index(row)
        entry = self.entries[index]
        is_cursor = row == self.cursor
        # A row without a match looks the same whatever the query: typing redraws only the matches.
        query = self.finder.query if self.finder.is_match(index) else ""
        key = (index, width, entry.starred, is_cursor, self.has_focus, query, self.show_elapsed, self._multi_day)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._draw(entry, width, is_cursor, base, bool(query))
        return strip

    def stamp(self, at: datetime) -> str:
        """The time column: ``10:14``, with the date once the incident spans days, and T+ if asked."""
        shown = f"{at:%d %b %H:%M}" if self._multi_day else f"{at:%H:%M}"
        if self.show_elapsed and self.start is not None:
            from warroom.incident.keyframes import t_plus  # not at import: the board's frame is drawn before the domain loads

            shown += f" {t_plus(at, self.start)[:-3]}"  # T+01:23, whole minutes
        return shown

    def _draw(self, entry: TimelineEntry, width: int, is_cursor: bool, base: RichStyle, matched: bool) -> Strip:
        style = self.get_component_rich_style
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if entry.rejected:
            line.append(" ✗ ", style("timeline--refused"))
        elif entry.starred:
            line.append(" ★ ", style("timeline--starred"))
        else:
            line.append("   ")
        line.append(f"{self.stamp(entry.at)} ", style("timeline--time"))
        actor_style = style("timeline--me") if entry.actor == self.me else style("timeline--actor")
        line.append(f"{fit(safe_line(entry.actor), ACTOR_WIDTH):<{ACTOR_WIDTH}} ", actor_style)
        text = safe_line(entry.text)
        marks = [(len(line) + a, len(line) + b) for a, b in self.finder.spans(text)] if matched else []
        if entry.rejected:
            line.append(f"{text}  (refused: {safe_line(entry.rejected)})", style("timeline--refused"))
        elif entry.starred:
            line.append(text, style("timeline--starred"))
        else:
            line.append(text)
        for start, end in marks:
            line.stylize(style("timeline--match"), start, end)
        line.truncate(width, overflow="ellipsis", pad=True)
        if is_cursor:
            cursor_style = style("timeline--cursor")
            if not self.has_focus:
                cursor_style = RichStyle(underline=True)
            line.stylize(cursor_style)
        return strip_of(line, width, base)


def _seq(entry: TimelineEntry) -> int:
    return entry.seq

