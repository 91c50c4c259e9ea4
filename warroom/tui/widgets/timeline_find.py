"""The timeline's search and filter keys: ``/`` (typed into the pane title), n / N, ``f`` (a list in the pane), Esc.

A mixin of ``TimelineView``, kept apart so the view stays about scrolling and drawing. What
matches is worked out by ``tui.find.Finder``; these methods only move the cursor, say in
the pane title what is active, and hand the keys back to the board when nothing is. The
filter index is built here too, a slice at a time on a timer once the entries are drawn, so
the first ``f`` finds it ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.geometry import Size

from warroom.incident.state import IncidentState
from warroom.safetext import safe_line

from ..find import Filter, choices
from .filter_picker import FilterPicker

if TYPE_CHECKING:
    from textual.timer import Timer

    from .timeline import TimelineView

    _Base = TimelineView
else:
    _Base = object

INDEX_SLICE = 4000
"""Entries indexed for filtering per slice of idle time (a few ms each, between keys)."""
INDEX_EVERY = 0.02
"""Seconds between those slices: 100,000 entries are indexed in about half a second."""


class FindingKeys(_Base):
    _indexing: Timer | None = None
    picker: FilterPicker | None = None
    """The ``f`` list, mounted under the timeline the first time it is wanted."""

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
        self.typing = True
        self._origin = self.finder.entry_index(self.cursor) if self.highlighted else 0
        self.finder.set_query("")
        self.finder.prepare_search()
        self.refresh()
        self._describe()

    def on_key(self, event: events.Key) -> None:
        if not self.typing:
            return
        query = self.finder.query
        if event.key == "escape":
            self.typing = False
            self._search_for("")
        elif event.key == "enter":
            self.typing = False
            self._describe()
        elif event.key == "backspace":
            self._search_for(query[:-1])
        elif event.is_printable and event.character:
            self._search_for(query + event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        if self.typing and event.text:
            event.stop()
            self._search_for(self.finder.query + safe_line(event.text.splitlines()[0] if event.text.strip() else ""))

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
        """``f``: offer what to filter by (people and workstreams from ``state``) in a list
        under the timeline; add the choice. Esc there gives the keys back to the timeline."""
        if self.picker is None:
            self.picker = FilterPicker(self._filter_chosen)
            self.parent.mount(self.picker, after=self)  # type: ignore[union-attr]
        current = self.finder.filter
        self.picker.open(choices(state, self.me, current), current.describe())

    def _filter_chosen(self, choice: str | None) -> None:
        self.focus()
        if choice is not None:
            self.apply_filter(self.finder.filter.choose(choice))

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

    Keys typed straight after ``/`` from another pane (a fast typist, a burst from the
    terminal) were sent to that pane before ``/`` gave the timeline focus; they reach the
    App without passing through the timeline. They are the search's, so they go there
    instead of to a board key (``b`` would take a break). Runs before the App's bindings."""

    SEARCH_KEYS = frozenset({"escape", "enter", "backspace"})

    def on_key(self, event: events.Key) -> None:
        timeline = self.screen.focused  # type: ignore[attr-defined]
        if not (isinstance(timeline, FindingKeys) and timeline.typing):
            return
        if event.key in self.SEARCH_KEYS or (event.is_printable and event.character):
            event.stop()
            event.prevent_default()
            timeline._forward_event(events.Key(event.key, event.character))
