"""The timeline's search and filter keys: ``/`` (typed into the pane title), n / N, ``f`` (a list over the pane's foot), Esc.

A mixin of ``TimelineView``, kept apart so the view stays about scrolling and drawing. What
matches is worked out by ``tui.model.find.Finder``; these methods only move the cursor, say in
the pane title what is active, and hand the keys back to the board when nothing is. The
filter index is built here too, a slice at a time on a timer once the entries are drawn, so
the first ``f`` finds it ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from warroom.safetext import safe_line

from ..model.find import Filter, choices
from ..textual_private import forward_key
from .filter_list import MOVES, FilterList

if TYPE_CHECKING:
    from collections.abc import Sequence

    from warroom.incident.state import IncidentState

    from textual.scroll_view import ScrollView
    from textual.timer import Timer

    from warroom.incident.state import TimelineEntry

    from ..model.find import Finder

    _Base = ScrollView  # what ``TimelineView`` is besides these keys
else:
    _Base = object

INDEX_SLICE = 4000
"""Entries indexed for filtering per slice of idle time (a few ms each, between keys)."""
INDEX_EVERY = 0.02
"""Seconds between those slices: 100,000 entries are indexed in about half a second."""


SEARCH_FOOTER = (("enter", "enter", "done (then n/N)"), ("escape", "esc", "clear"))
LIST_FOOTER = (("up", "↑↓", "move"), ("enter", "enter", "add / take off"), ("", "a-z", "narrow"), ("escape", "esc", "back"))
"""What the footer says while the search prompt or the ``f`` list has the keys: (key, shown as, what it does)."""


class KeysTaken(Message):
    """The timeline's prompt or list has the keys (``keys``: what the footer should say), or
    gave them back (``None``)."""

    def __init__(self, keys: tuple[tuple[str, str, str], ...] | None) -> None:
        super().__init__()
        self.keys = keys


class FindingKeys(_Base):
    if TYPE_CHECKING:  # the view's own, which these keys use (``TimelineView``; not imported: it imports this)
        entries: Sequence[TimelineEntry]
        finder: Finder
        cursor: int
        me: str
        auto_follow: bool

        @property
        def highlighted(self) -> TimelineEntry | None: ...

        def move_cursor(self, row: int) -> None: ...

        def _announce(self) -> None: ...

        def _count_new(self) -> None: ...

        def _follow_end(self) -> None: ...

        def _reveal_cursor(self) -> None: ...

    _indexing: Timer | None = None
    menu: FilterList | None = None
    """The ``f`` list while it is open: the view draws it on its bottom rows and it has the keys."""

    @property
    def has_keys(self) -> bool:
        """The search prompt or the ``f`` list is taking the keys (they are words, not commands)."""
        return self.typing or self.menu is not None

    def _index_in_idle_time(self) -> None:
        """Index the entries for filtering a slice at a time, so the first ``f`` finds it done
        (``set_entries`` calls this after the paint: it never delays one)."""
        if self._indexing is None:
            self._indexing = self.set_interval(INDEX_EVERY, self._index_slice, name="timeline-index")

    def _index_slice(self) -> None:
        if self.finder.index_some(INDEX_SLICE) and self._indexing is not None:
            self._indexing.stop()
            self._indexing = None

    def action_search(self) -> None:
        """``/``: type a search; each key moves to the first match from where the cursor was."""
        self.screen.set_focus(self)  # now, not after a refresh: keys typed straight after `/` are the search's
        self.close_menu()
        self.typing = True
        self.post_message(KeysTaken(SEARCH_FOOTER))
        self._origin = self.finder.entry_index(self.cursor) if self.highlighted else 0
        self.finder.set_query("")
        self.finder.prepare_search()
        self.refresh()
        self._describe()

    def on_key(self, event: events.Key) -> None:
        if self.menu is not None:
            if not self._menu_key(event.key, event.character if event.is_printable else None):
                return
        elif not self.typing:
            return
        else:
            self._search_key(event.key, event.character if event.is_printable else None)
        event.stop()
        event.prevent_default()

    def _search_key(self, key: str, character: str | None) -> None:
        query = self.finder.query
        if key == "escape":
            self.stop_typing()
            self._search_for("")
        elif key == "enter":
            self.stop_typing()
        elif key == "backspace":
            self._search_for(query[:-1])
        elif character:
            self._search_for(query + character)

    def on_paste(self, event: events.Paste) -> None:
        if (self.typing or self.menu is not None) and event.text:
            event.stop()
            pasted = safe_line(event.text.splitlines()[0] if event.text.strip() else "")
            if self.menu is not None:
                self.menu.narrow(self.menu.typed + pasted)
                self.refresh()
            else:
                self._search_for(self.finder.query + pasted)

    def stop_typing(self) -> None:
        if self.typing:
            self.typing = False
            self._describe()
            self.post_message(KeysTaken(None))

    def _search_for(self, query: str) -> None:
        self.finder.set_query(query)
        found = self.finder.next_match(self._origin - 1, 1) if query else None
        if found is not None:
            self._go_to(found)
        self.refresh()
        self._describe()

    def _go_to(self, index: int) -> None:
        row = self.finder.row_of(index)
        if row is not None:
            self.move_cursor(row)

    def _step(self, step: int) -> None:
        here = self.finder.entry_index(self.cursor) if self.highlighted else -1
        found = self.finder.next_match(here, step)
        if found is not None:
            self._go_to(found)

    def action_next_match(self) -> None:
        self._step(1)

    def action_previous_match(self) -> None:
        self._step(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False lets the key fall through to the board: n opens a workstream when nothing is searched.
        if action in ("next_match", "previous_match"):
            return self.finder.searching
        if action == "clear_find":
            return self.finder.searching or self.finder.filter.active
        return True

    def action_clear_find(self) -> None:
        """Esc: clear the search; with no search, clear the filter."""
        if self.finder.searching:
            self._search_for("")
        else:
            self.apply_filter(Filter())

    def choose_filter(self, state: IncidentState) -> None:
        """``f``: offer what to filter by (people and workstreams from ``state``) in a list over
        the foot of the view, which has the keys until Enter adds the choice or Esc (or any key
        that is not the list's: tab, ctrl+p) closes it."""
        self.screen.set_focus(self)  # now, as `/` does: keys typed straight after `f` are the list's
        self.stop_typing()
        current = self.finder.filter
        self.menu = FilterList(choices(state, self.me, current), current.describe())
        self.refresh()
        self.post_message(KeysTaken(LIST_FOOTER))

    def _menu_key(self, key: str, character: str | None) -> bool:
        """A key while the ``f`` list is open; False: not the list's (it closes, the key goes on)."""
        menu = self.menu
        assert menu is not None
        if key in MOVES:
            page = max(self.scrollable_content_region.height - self.menu_top() - 2, 1) if key.startswith("page") else 1
            menu.move(MOVES[key] * page)
        elif key == "backspace":
            menu.narrow(menu.typed[:-1])
        elif character and key != "tab":
            menu.narrow(menu.typed + character)
        else:
            self.close_menu()
            if key == "enter" and menu.choice is not None:
                self.apply_filter(self.finder.filter.choose(menu.choice))
            return key in ("enter", "escape")
        self.refresh()
        return True

    def menu_clicked(self, y: int) -> bool:
        """A click on row ``y`` of the view: on a choice of the open list, add it; above the
        list, close it. False: the click is the timeline's."""
        if self.menu is None:
            return False
        row = y - self.menu_top()
        if row < 0:
            self.close_menu()
            return False
        choice = self.menu.choice_at(row)
        if choice is not None:
            self.close_menu()
            self.apply_filter(self.finder.filter.choose(choice))
        return True

    def close_menu(self) -> None:
        if self.menu is not None:
            self.menu = None
            self.refresh()
            self.post_message(KeysTaken(None))

    def menu_top(self) -> int:
        """The row of the view where the open ``f`` list starts (it runs to the bottom)."""
        room = self.scrollable_content_region.height
        return room - self.menu.height(room) if self.menu is not None else room

    def menu_line(self, y: int, width: int) -> Strip | None:
        """Row ``y`` of the view when the ``f`` list covers it (``None``: the timeline shows there)."""
        menu, top = self.menu, self.menu_top()
        if menu is None or y < top:
            return None
        style = self.get_component_rich_style
        styles = {part: style(f"timeline--menu-{part}") for part in ("base", "title", "hint", "cursor")}
        return menu.lines(width, self.scrollable_content_region.height - top, styles)[y - top]

    def apply_filter(self, new: Filter) -> None:
        """Show only what ``new`` lets through, keeping the highlighted entry if it is shown."""
        here = self.finder.entry_index(self.cursor) if self.highlighted else None
        self.finder.set_filter(new)
        self.virtual_size = Size(0, len(self.finder))
        if self.auto_follow or here is None:
            self.cursor = len(self.finder) - 1
            self._follow_end()
        else:
            self.cursor = self.finder.row_near(here) if len(self.finder) else -1
            self.call_after_refresh(self._reveal_cursor)
            self._count_new()
        self.refresh()
        self._announce()
        self._describe()

    def _describe(self) -> None:
        finder = self.finder
        parts = ["Timeline"]
        if finder.filter.active:
            parts.append(f"filter: {finder.filter.describe()} ({len(finder):,} of {len(self.entries):,})")
        if self.typing or finder.searching:
            here = finder.entry_index(self.cursor) if self.highlighted else -1
            total = len(finder.matches)
            number = finder.match_number(here)
            where = f"{number} of {total}" if number and finder.matches[number - 1] == here else f"{total} matches"
            parts.append(f"/{finder.query}{'▏' if self.typing else ''} {where}")
            if not self.typing:
                parts.append("n/N")
        if finder.searching or finder.filter.active:
            parts.append("esc clears")
        self.pane_title = safe_line(" · ".join(parts))


class KeysToSearch:
    """Mixed into the Apps that show a timeline (the board, the replay).

    Keys typed straight after ``/`` or ``f`` from another pane (a fast typist, a burst from
    the terminal) were sent to that pane before the timeline took focus; they reach the App
    without passing through the timeline. They are the search's (or the list's), so they go
    there instead of to a board key (``b`` would take a break). Runs before the App's bindings."""

    SEARCH_KEYS = frozenset({"escape", "enter", "backspace"})
    LIST_KEYS = SEARCH_KEYS | frozenset(MOVES)

    def on_key(self, event: events.Key) -> None:
        timeline = self.screen.focused  # type: ignore[attr-defined]  # a mixin of the App, which has .screen
        if not isinstance(timeline, FindingKeys):
            return
        keys = self.LIST_KEYS if timeline.menu is not None else self.SEARCH_KEYS if timeline.typing else None
        if keys is not None and (event.key in keys or (event.is_printable and event.character)):
            event.stop()
            event.prevent_default()
            forward_key(timeline, event)
