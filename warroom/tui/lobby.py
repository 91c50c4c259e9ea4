"""The lobby: every open incident on one live screen, and the door to each board.

Real on-call life is several incidents at once. The lobby lists every open incident in the
store or on the server (severity, title, status, commander, age, who is on shift, unowned
and blocked work, the stakeholder update clock, drills marked), worst first, and follows
all of them with one watcher (``EventStore.watch_incidents``: one look at the folder, or one
stream from the server) instead of one follower per incident. It reads summaries only and
never folds a log itself.

Enter joins the highlighted incident: the ordinary board (``board/screen.py``, exactly what
``warroom join`` opens) is pushed over the lobby, ``from_lobby``, so q or Escape on that
board pop back here, where the cursor still is. While a board covers it the lobby stops
following. ``n`` declares a new incident from a form and joins it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from datetime import datetime, timezone
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.notifications import SeverityLevel
from textual.widgets import Static

from warroom.config import Config
from warroom.people import People
from warroom.room import Room
from warroom.safetext import safe_block, safe_line
from warroom.store import (
    EventStore,
    IncidentChanges,
    IncidentSummary,
    StoreError,
    StoreUnavailable,
)
from warroom.store.base import declare_next

from .footer import BoardFooter
from .keys import LOBBY_KEYS, bindings
from .model import lobbyrows
from .model.retry import keep_following
from .rowlist import RowList
from warroom.playbooks import LoadedPlaybooks

from .playbook_choice import declaration, loaded_playbooks, playbook_field, severity_field
from .board.screen import BoardScreen
from .screens.form_screen import Field, FormScreen
from .screens.fresh import FreshScreen

Clock = Callable[[], datetime]

TICK_SECONDS = 1.0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class LobbyTable(RowList):
    """One row per open incident, in the lobby's order; a change repaints only its row."""

    COLUMNS = lobbyrows.COLUMNS
    FLEX = "title"
    FLEX_WANT = 32  # a title is what tells incidents apart: the dropped columns go before it is cut below this
    SHORT = {"commander": "IC", "people": "On"}
    DROPS = ("age", "status", "people")  # the line under the table still says who is on shift

    def show(self, rows: list[lobbyrows.Row]) -> None:
        self.show_rows([(r.id, r.cells) for r in rows])


def declare_fields(loaded: LoadedPlaybooks) -> list[Field]:
    from warroom.incident.events import MAX_TITLE

    return [
        Field("title", "Title", required=True, placeholder="what is broken, for whom", max_length=MAX_TITLE),
        severity_field(),
        Field("drill", "Drill?", "choice", value="no", choices=(("no", "a real incident"), ("yes", "a drill"))),
        playbook_field(loaded),
    ]


class LobbyScreen(FreshScreen[None]):
    """Every open incident; Enter pushes the highlighted one's board over it."""

    TITLE = "warroom lobby"
    BINDINGS: ClassVar = bindings(LOBBY_KEYS)

    def __init__(
        self,
        store: EventStore,
        me: str,
        config: Config | None = None,
        *,
        clock: Clock = utcnow,
        acting: Callable[[], Awaitable[str]] | None = None,
        board_acting: Callable[[], Awaitable[str]] | None = None,
        view: str = "all",
    ) -> None:
        """``acting``: who acts, asked once while the list loads; ``board_acting``: what each
        board opened from here asks (as ``warroom join`` would)."""
        super().__init__(id="lobby")
        self.store = store
        self.me = me
        self.config = config or Config()
        self.clock = clock
        self._acting = acting
        self._board_acting = board_acting
        self.summaries: dict[str, IncidentSummary] = {}
        """Every incident's latest summary (closed ones too: the filters drop them)."""
        self.view = view
        self._highlight: str | None = None
        """Put the cursor on this incident once it is listed (the board we came back from)."""
        self.loaded = False
        """True once the first complete list has arrived."""
        self.changes = 0
        """Batches of changes drawn so far (tests and the bench wait on it)."""
        self._people = People()
        self._notes: dict[str, str] = {}
        """Incidents listed under another they are linked to: how (``caused-by INC-41``)."""
        self.offline = False
        self.notices: list[str] = []
        self._covered = False
        """A board is over the lobby (it is not following meanwhile)."""
        self.header = Static(id="lobby-header", markup=False)
        self.table = LobbyTable(id="incidents")
        self.detail = Static(id="lobby-detail", markup=False)

    def compose(self) -> ComposeResult:
        yield self.header
        with Vertical(id="incidents-pane", classes="pane"):
            yield self.table
        yield self.detail
        yield BoardFooter()

    def on_mount(self) -> None:
        self.query_one("#incidents-pane").border_title = "Open incidents"
        self.table.focus()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.table.restyle())
        self.draw()
        self._tick = self.set_interval(TICK_SECONDS, self.draw, name="tick")
        self.call_after_refresh(self._start)

    def on_screen_suspend(self) -> None:
        """A board covers the lobby: stop following every incident until it is back (a form
        over the lobby leaves it following)."""
        if isinstance(self.app.screen, BoardScreen):
            self._covered = True
            self._tick.pause()
            self.workers.cancel_group(self, "watch")

    def on_screen_resume(self) -> None:
        if self._covered:  # back from a board
            self._covered = False
            self._tick.resume()
            self.draw()
            self._watch()

    # --- following every incident ---------------------------------------------------

    @work(exclusive=True, group="start", exit_on_error=False)
    async def _start(self) -> None:
        if self._acting is not None:
            try:
                self.me = await self._acting()
            except StoreUnavailable:
                pass
            except Exception as error:  # who acts was refused (``--as`` against another's token)
                self.app.exit(None, return_code=1, message=safe_line(f"warroom: {error}"))
                return
        self._watch()

    @work(exclusive=True, group="watch", exit_on_error=False)
    async def _watch(self) -> None:
        def offline() -> None:
            self.offline = True
            self.draw()

        def failed(error: StoreError) -> None:
            self.say(f"store: {error}", severity="error")

        await keep_following(self.store.watch_incidents, self._apply, offline=offline, failed=failed)

    def _apply(self, changes: IncidentChanges) -> None:
        """Take a batch of changed summaries; redraw only their rows unless the list itself moved."""
        whole = changes.complete or bool(changes.gone) or not self.loaded
        if changes.complete:
            self.summaries = {}
        for summary in changes.summaries:
            old = self.summaries.get(summary.id)
            if old is None or lobbyrows.placement(old) != lobbyrows.placement(summary):
                whole = True
            self.summaries[summary.id] = summary
        for gone in changes.gone:
            self.summaries.pop(gone, None)
        self.loaded = True
        self.offline = False
        self.changes += 1
        if whole:
            self.draw()
            return
        now = self.clock()
        people = self._people = People(self.summaries.values())
        for summary in changes.summaries:
            if self.table.has_row(summary.id):
                self.table.sync_row(summary.id, lobbyrows.row(summary, self._notes.get(summary.id, ""), now, people).cells)
        self._draw_header(now, self.table.row_count)
        self._draw_detail(now, people)

    # --- drawing ----------------------------------------------------------------------

    def draw(self) -> None:
        now = self.clock()
        people = self._people = People(self.summaries.values())
        shown = lobbyrows.ordered(lobbyrows.shown(self.summaries.values(), self.view, self.me))
        self._notes = {summary.id: note for summary, note in shown if note}
        rows = [lobbyrows.row(summary, note, now, people) for summary, note in shown]
        self.table.show(rows)
        if self._highlight is not None and (keys := [r.id for r in rows]) and self._highlight in keys:
            self.table.move_cursor(row=keys.index(self._highlight), animate=False)
            self._highlight = None
        self._draw_header(now, len(rows))
        self._draw_detail(now, people)

    def _draw_header(self, now: datetime, showing: int) -> None:
        open_ = [s for s in self.summaries.values() if not s.closed]
        overdue = sum(1 for s in open_ if s.update_due is not None and s.update_due <= now)
        parts = [f"warroom lobby · {self.me}", f"{len(open_)} open"]
        if self.view != "all":
            parts.append(f"showing {showing}: {lobbyrows.FILTER_WORDS[self.view]}")
        if overdue:
            parts.append(f"{overdue} update{'s' if overdue != 1 else ''} OVERDUE")
        late = sum(s.overdue_actions(now.date()) for s in self.summaries.values())  # closed ones' too: items outlive them
        if late:
            parts.append(f"{late} action item{'s' if late != 1 else ''} overdue")
        if self.offline:
            parts.append("offline — reconnecting")
        elif not self.loaded:
            parts.append("loading…")
        _update(self.header, safe_line(" · ".join(parts) + f" · {self.store.location}"))
        self.header.set_class(bool(overdue), "-overdue")

    def _draw_detail(self, now: datetime, people: People) -> None:
        key = self.table.highlighted_key
        summary = self.summaries.get(key) if key else None
        if summary is None:
            if not self.loaded:
                text = "Looking at every incident…"
            elif self.view == "all":
                text = "No open incidents. n declares one."
            else:
                text = f"Nothing open {lobbyrows.FILTER_WORDS[self.view]}. a shows every open incident."
        else:
            text = lobbyrows.people_line(summary, now, people, across=self.config.ui.fatigue_across_incidents)
        _update(self.detail, safe_block(text))

    @on(RowList.Highlighted, "#incidents")
    def _highlighted(self) -> None:
        self._draw_detail(self.clock(), self._people)

    def say(self, message: str, *, severity: SeverityLevel = "information") -> None:
        self.notices.append(message)
        self.notify(safe_block(message), severity=severity, markup=False)

    # --- keys ---------------------------------------------------------------------------

    @on(RowList.Selected, "#incidents")
    def _selected(self) -> None:
        self.action_join()

    def action_join(self) -> None:
        key = self.table.highlighted_key
        if key is not None:
            self.join(key)

    def join(self, incident_id: str) -> None:
        """Push ``incident_id``'s board over the lobby (q or Escape there come back here)."""
        self._highlight = incident_id
        room = Room(self.store, incident_id, self.me, self.config.policy)
        self.app.push_screen(BoardScreen(room, self.config, acting=self._board_acting, from_lobby=True))

    def action_quit(self) -> None:
        self.app.exit(0)

    def action_insights(self) -> None:
        """Insights across every incident (Escape there comes back here)."""
        from .screens.insights import InsightsScreen  # textual-plotext loads only when asked for

        self.app.push_screen(InsightsScreen(self.store, self.config, clock=self.clock))

    def action_view(self, view: str) -> None:
        self.view = view
        self.draw()
        self.say(f"showing {lobbyrows.FILTER_WORDS[view]}")

    def action_declare(self) -> None:
        loaded = loaded_playbooks(lambda problem: self.say(problem, severity="warning"))
        self.app.push_screen(
            FormScreen("Declare an incident", declare_fields(loaded), intro="You become its commander; its board opens."),
            partial(self._declare, loaded),
        )

    async def _declare(self, loaded: LoadedPlaybooks, values: dict[str, str] | None) -> None:
        if values is None:
            return
        policy = self.config.policy
        try:
            incident_id = await declare_next(
                self.store,
                self.me,
                lambda incident_id: declaration(
                    incident_id, values, loaded, policy, drill=values.get("drill") == "yes", published=self.config.status.publish_on_declare
                ),
            )
        except StoreError as error:
            self.say(f"not declared: {error}", severity="error")
            return
        except ValueError as error:  # pydantic: a title the rules refuse
            self.say(f"not declared: {error}", severity="error")
            return
        self.join(incident_id)


def _update(widget: Static, text: str) -> None:
    """Change ``widget``'s text only if it changed: an update relayouts the screen, and a
    relayout repaints every visible row of a long table (hundreds of ms on a busy machine)."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text  # type: ignore[attr-defined]  # our own mark on Textual's widget: the text it shows
        widget.update(text)
