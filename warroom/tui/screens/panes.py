"""The board's four panes as a screen, for the live board and for replay alike.

A replay must look like the board it replays: the same header, the same four panes in the
same frames, the same timeline detail line, the same "↓ N new below" marker and delivery
line (both hidden until they have something to say). ``PanesScreen`` owns those widgets as
typed attributes and composes them; the live board (``board/screen.py``) and replay
(``screens/replay.py``) add only what is theirs. It also owns the pane keys (tab /
shift+tab) and the layout: ``layout.py`` says which panes show at which size, this screen
applies it as the terminal and focus move.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import Reactive
from textual.widget import Widget

from ..footer import BoardFooter
from ..keys import PANE_KEYS, bindings
from ..layout import PaneSwitcher
from ..textual_private import OneFrameScreen
from ..toast_placement import arrange as arrange_toasts
from ..widgets import (
    BoardHeader,
    BroadcastFeed,
    CommanderPane,
    CommandSummary,
    ResponderTable,
    TimelineDetail,
    TimelineView,
    WorkstreamTable,
)
from ..widgets.deliveries import DeliveryHealth
from ..widgets.timeline import NewBelow
from ..widgets.timeline_find import KeysTaken
from .fresh import FreshScreen

TITLES = (("#workstreams-pane", "Workstreams"), ("#commander-pane", "Commander"), ("#responders-pane", "Responders"))
"""The panes with a fixed title (the timeline's says what it shows: ``TimelineView.pane_title``)."""


class PanesScreen(FreshScreen[None], OneFrameScreen[None]):
    """The header, the four panes and the footer of one incident; tab / shift+tab step the
    panes of a narrow screen (``layout.py``), else move focus."""

    BINDINGS: ClassVar = [
        *bindings(PANE_KEYS),
        Binding("ctrl+c,super+c", "screen.copy_text", "Copy selected text", show=False, id="copy_text"),
    ]

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's own, but without its repaint of the whole screen on every focus change: what
    looks different with focus (the panes' ``:focus-within`` borders, the focused and the
    blurred widget) is restyled and redrawn by Textual anyway. A tab between panes drew every
    pane again for nothing: one full-screen render of two per tab, ~4 ms of its ~30 ms CPU at
    100,000 events (``bench/search.py``, the ``tab_*`` figures)."""

    TITLE_SUFFIX: ClassVar[str] = ""
    """Said after each pane's title (replay: " (replay)")."""

    def __init__(self, incident_id: str, me: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.header = BoardHeader(incident_id, me, id="header")
        self.workstreams = WorkstreamTable(id="workstreams")
        self.responders = ResponderTable(id="responders")
        self.summary = CommandSummary(id="command-summary")
        self.broadcasts = BroadcastFeed(id="broadcasts")
        self.timeline = TimelineView(me, id="timeline")
        self.detail = TimelineDetail(id="timeline-detail")
        self.new_below = NewBelow(self.timeline, id="timeline-new-below")
        self.deliveries = DeliveryHealth(id="delivery-health", classes="-hidden")
        self.footer = BoardFooter()
        self.panes = PaneSwitcher(self)
        self._stepping_to: Widget | None = None
        """The pane a tab is moving focus into (the focus lands a turn later, or after a refresh when
        the pane must be laid out first; a second tab counts from it)."""
        self._last_step: Widget | None = None
        """The pane the latest tab went to: only it takes the focus (an earlier step's may land later)."""

    def under_header(self) -> ComposeResult:
        """What goes between the header and the panes (replay: its time bar)."""
        yield from ()

    def compose(self) -> ComposeResult:
        yield self.header
        yield from self.under_header()
        with Vertical(id="workstreams-pane", classes="pane"):
            yield self.workstreams
        with Horizontal(id="middle"):
            with CommanderPane(id="commander-pane", classes="pane"):
                yield self.summary
                yield self.broadcasts
                yield self.deliveries
            with Vertical(id="responders-pane", classes="pane"):
                yield self.responders
        with Vertical(id="timeline-pane", classes="pane"):
            yield self.timeline
            yield self.new_below
            yield self.detail
        yield self.footer

    def title_panes(self) -> None:
        """Put each pane's title on its frame (the timeline's follows what it shows)."""
        suffix = self.TITLE_SUFFIX
        for pane, title in TITLES:
            self.query_one(pane).border_title = title + suffix
        timeline_pane = self.query_one("#timeline-pane")
        self.watch(self.timeline, "pane_title", lambda title: setattr(timeline_pane, "border_title", Content(title + suffix)))

    # --- layout and the pane keys ----------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        # Toasts are placed when they come and when the cursor moves, not here: placing them
        # asks for a layout, and where the terminal's size is unknown (no tty) Textual answers
        # a layout with a resize, which would never end.
        self.panes.fit(event.size)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        stepping_to = self._stepping_to
        if stepping_to is not None:
            if event.widget is not stepping_to and stepping_to not in event.widget.ancestors:
                return  # an earlier step's focus, landing late: the pane shown is the last step's
            self._stepping_to = None  # the step has landed: the next one counts from the focus again
        pane = self.panes.pane_of(event.widget)
        if pane is not None and pane != "workstreams-pane" and self.panes.narrow:
            self.panes.show(pane)
        arrange_toasts(self)

    def on_keys_taken(self, message: KeysTaken) -> None:
        """The timeline's search prompt or ``f`` list has the keys: the footer says its keys."""
        for footer in self.query(BoardFooter):
            footer.say(message.keys)
        arrange_toasts(self)  # clear of the f list

    @on(WorkstreamTable.Highlighted)
    @on(TimelineView.Highlighted)
    def _cursor_moved(self) -> None:
        arrange_toasts(self)

    @on(TimelineView.Opened)
    def _open_entry(self, message: TimelineView.Opened) -> None:
        from .entry import EntryScreen

        self.app.push_screen(EntryScreen(message.entry, message.start))

    def action_focus_next(self) -> None:
        """tab: narrow, show and focus the next pane; else the next widget."""
        if not self.step_pane(1):
            self.app.action_focus_next()

    def action_focus_previous(self) -> None:
        if not self.step_pane(-1):
            self.app.action_focus_previous()

    def step_pane(self, by: int) -> bool:
        """Narrow: show and focus the pane ``by`` away (tab / shift+tab); False when every pane shows."""
        if not self.panes.narrow:
            return False
        shown = self.panes.lower
        self._stepping_to = self._last_step = self.panes.step(self._stepping_to or self.focused, by)
        if self.panes.lower == shown:
            self._focus_in(self._stepping_to)  # a pane on screen already (Workstreams): no frame to wait for
        else:
            self.call_after_refresh(self._focus_in, self._stepping_to)  # focusable once laid out
        return True

    def _focus_in(self, pane: Widget) -> None:
        # ``_stepping_to`` is let go when the focus lands there (``on_descendant_focus``), not here:
        # Textual moves the focus a turn later, and a tab in between must count from this pane
        if pane is not self._last_step:
            return  # a later step is under way or done (tabs in a burst): it alone moves the focus
        if pane.can_focus:
            pane.focus()
            return
        first = next((widget for widget in self.focus_chain if pane in widget.ancestors), None)
        if first is not None:
            first.focus()
        elif pane is self._stepping_to:
            self._stepping_to = None  # nothing there to focus: the next step counts from the focus
