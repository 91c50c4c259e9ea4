"""The board: one responder's live, keyboard-first view of one incident.

``WarroomApp`` holds a ``Room`` and acts only through it: every key that changes the
incident is a row of ``actions.ACTIONS`` run by ``controller.BoardController`` (rules
first, so a refusal is instant and names the reason; then the form; then submit).
The App composes the panes and follows the store; each new event redraws only what
its type says it touches (``Body.redraws``) -- one workstream row, one responder row,
one timeline line -- never the whole board. Clock-driven values (time on shift, update due) refresh on timers.
``run_board`` is what ``warroom join`` calls.
"""

from __future__ import annotations

import asyncio
import bisect
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, Notify
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget

from warroom.config import Config, resolve_export_folder, user_themes_dir
from warroom.incident import IncidentState, Policy, fold
from warroom.incident import events as ev
from warroom.incident.state import TimelineEntry
from warroom.notify import records_for_folder
from warroom.room import Room
from warroom.safetext import safe_block, safe_line
from warroom.store import (
    EventStore,
    LogReplaced,
    Rejected,
    StoreError,
    StoreUnavailable,
    UnknownIncident,
)

from .catchup import catch_up, since_for
from .commands import BoardCommands
from .controller import BoardController
from .footer import BoardFooter
from .keys import BOARD_KEYS, KEY_IDS, PANE_KEYS, bindings
from .layout import PaneSwitcher
from .reminder import UpdateReminder
from .screens.forms import FormScreen, declare_form
from .screens.info import CatchUpScreen, ConfirmScreen, HelpScreen
from .themes import use_themes, variable_defaults
from .toast_stack import arrange as arrange_toasts
from .toasts import About, Seen, toast_for
from .widgets import (
    BoardHeader,
    BroadcastFeed,
    CommanderPane,
    CommandSummary,
    ResponderTable,
    TimelineDetail,
    TimelineView,
    WorkstreamTable,
)
from .widgets.deliveries import DeliveryHealth, failing_lines, failing_on_server
from .widgets.timeline import NewBelow

if TYPE_CHECKING:
    from warroom.session import Session

Clock = Callable[[], datetime]
Simulation = Callable[["WarroomApp"], Awaitable[None]]

TICK_SECONDS = 1.0
SLOW_TICK_SECONDS = 30.0
RECONNECT_MAX_SECONDS = 10.0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BoardScreen(Screen):
    """The one screen of the board; it owns the pane keys (tab / shift+tab) and the layout (``layout.py``)."""

    BINDINGS: ClassVar = [
        *bindings(PANE_KEYS),
        Binding("ctrl+c,super+c", "screen.copy_text", "Copy selected text", show=False, id="copy_text"),
    ]

    def on_mount(self) -> None:
        self.panes = PaneSwitcher(self)

    def on_key(self, event: events.Key) -> None:
        self.app._board_keys.add(event)  # see WarroomApp.on_key

    def on_resize(self, event: events.Resize) -> None:
        # Toasts are placed when they come and when the cursor moves, not here: placing them
        # asks for a layout, and where the terminal's size is unknown (no tty) Textual answers
        # a layout with a resize, which would never end.
        self.panes.fit(event.size)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        pane = self.panes.pane_of(event.widget)
        if pane is not None and pane != "workstreams-pane" and self.panes.narrow:
            self.panes.show(pane)
        arrange_toasts(self)

    @on(WorkstreamTable.RowHighlighted)
    @on(TimelineView.Highlighted)
    def _cursor_moved(self) -> None:
        arrange_toasts(self)

    def step_pane(self, by: int) -> bool:
        """Narrow: show and focus the pane ``by`` away (tab / shift+tab); False when every pane shows."""
        if not self.panes.narrow:
            return False
        self.call_after_refresh(self._focus_in, self.panes.step(self.focused, by))
        return True

    def _focus_in(self, pane: Widget) -> None:
        if pane.can_focus:
            pane.focus()
            return
        first = next((widget for widget in self.focus_chain if pane in widget.ancestors), None)
        if first is not None:
            first.focus()


class WarroomApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS: ClassVar = [
        *bindings(BOARD_KEYS),
        Binding("ctrl+c", "help_quit", "Quit help", show=False, system=True, id="quit_help"),
    ]
    COMMANDS: ClassVar = {BoardCommands}
    NOTIFICATION_TIMEOUT = 6

    def __init__(
        self,
        room: Room,
        config: Config | None = None,
        *,
        clock: Clock = utcnow,
        themes_dir: Path | None = None,
        export_folder: Path | None = None,
        simulation: Simulation | None = None,
        offer_declare: bool = True,
        acting: Callable[[], Awaitable[str]] | None = None,
        from_lobby: bool = False,
    ) -> None:
        super().__init__()
        self.room = room
        self.from_lobby = from_lobby
        """Opened from the lobby: q and Escape go back to it (``back_to_lobby``)."""
        self.back_to_lobby = False
        self._acting = acting
        """Who this board acts as, asked while the incident loads (on a server: the token's owner)."""
        self.startup_error: Exception | None = None
        self.config = config or Config()
        self.me = room.actor
        self.clock = clock
        self.export_folder = export_folder
        self.simulation = simulation
        self.offer_declare = offer_declare
        self.ready = False
        """True once the board has loaded, joined and drawn the incident."""
        self.notices: list[tuple[SeverityLevel, str]] = []
        """Every notification shown, in order (what a responder was told)."""
        self.exported: list[Path] = []
        self.next_incident: str | None = None
        """The incident to open when this board exits (a merge's "join the other"), if any."""
        self._board_keys: weakref.WeakSet[events.Key] = weakref.WeakSet()
        """Keys on their way up from a pane of the board (``on_key``: the form's, if one opened meanwhile)."""
        self.exit_message: str | None = None
        self.controller = BoardController(self)
        self._shown_seq = 0
        self._seen: dict[str, Seen] = {}
        """Each workstream as last drawn (for what a toast about "your" work means)."""
        self._commander: str | None = None
        self._startup_problems: list[str] = []
        self._reloads_drawn = 0
        self.reminder = UpdateReminder()

        self.warroom_themes, problems = use_themes(self, self.config.ui.theme, themes_dir if themes_dir is not None else user_themes_dir())
        self._startup_problems.extend(problems)

        keymap = dict(self.config.ui.keymap)
        unknown = sorted(set(keymap) - KEY_IDS)
        if unknown:
            self._startup_problems.append(f"[ui] keymap: unknown binding id(s) {', '.join(unknown)}")
        self.set_keymap({k: v for k, v in keymap.items() if k in KEY_IDS})

    # --- set-up --------------------------------------------------------------------

    @property
    def state(self) -> IncidentState:
        return self.room.state

    @property
    def policy(self) -> Policy:
        return self.room.policy

    def get_default_screen(self) -> Screen:
        return BoardScreen(id="board")

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults()

    def compose(self) -> ComposeResult:
        # The panes are kept by reference: events and timers reach them without a query,
        # whichever screen is on top.
        self.header = BoardHeader(self.room.incident_id, self.me, id="header")
        self.workstreams = WorkstreamTable(id="workstreams")
        self.responders = ResponderTable(id="responders")
        self.summary = CommandSummary(id="command-summary")
        self.broadcasts = BroadcastFeed(id="broadcasts")
        self.timeline = TimelineView(self.me, id="timeline")
        self.detail = TimelineDetail(id="timeline-detail")
        self.new_below = NewBelow(self.timeline, id="timeline-new-below")
        self.deliveries = DeliveryHealth(id="delivery-health", classes="-hidden")
        yield self.header
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
        yield BoardFooter(compact=True)

    def on_key(self, event: events.Key) -> None:
        """Letters typed straight after the key that opened a form (a fast typist, a burst from
        the terminal) were sent to a pane of the board before the form was on top: they are
        the form's, so they go there instead of nowhere."""
        if event in self._board_keys and isinstance(self.screen, FormScreen) and event.is_printable:
            event.stop()
            event.prevent_default()
            self.screen._forward_event(events.Key(event.key, event.character))

    def on_mount(self) -> None:
        self.query_one("#workstreams-pane").border_title = "Workstreams"
        self.query_one("#commander-pane").border_title = "Commander"
        self.query_one("#responders-pane").border_title = "Responders"
        timeline_pane = self.query_one("#timeline-pane")
        self.watch(self.timeline, "pane_title", lambda title: setattr(timeline_pane, "border_title", Content(title)))
        self.header.show(self.state, self.me, loading=True)
        for problem in self._startup_problems:
            self.notify(problem, severity="warning", timeout=15)
        self.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self.workstreams.focus()
        # Paint the (empty) board first, then load: a long incident never shows a blank terminal.
        self.call_after_refresh(self._start)

    @property
    def offline(self) -> bool:
        """The store did not answer last time (the header says so until it does)."""
        return self.header.offline

    @offline.setter
    def offline(self, offline: bool) -> None:
        self.header.offline = offline

    def _watch_connection(self) -> None:
        """With a server store: queue actions while offline, and show the link's state as it changes."""
        store = self.room.store
        store.queue_offline = True
        store.on_status(lambda online: setattr(self, "offline", not online))
        store.on_refused(
            lambda late: self.notify(f"refused when the server came back: {late.reason}", title="refused", severity="error", timeout=20)
        )

    @work(exclusive=True, group="start", exit_on_error=False)
    async def _start(self) -> None:
        self._watch_connection()
        try:
            if self._acting is not None:
                actor, _ = await asyncio.gather(self._acting(), self.room.load())
                self._act_as(actor)
            else:
                await self.room.load()
        except UnknownIncident as error:
            if self.offer_declare:
                self.push_screen(declare_form(self.room.incident_id), self._declared)
            else:
                self._leave(str(error))
            return
        except StoreUnavailable:
            self.offline = True
        except StoreError as error:
            self._leave(str(error))
            return
        except Exception as error:  # who acts was refused (``--as`` against another's token): the caller raises it
            self.startup_error = error
            self._leave(str(error))
            return
        await self._join()

    def _act_as(self, actor: str) -> None:
        if actor != self.me:
            self.me = self.room.actor = self.timeline.me = actor

    async def _declared(self, values: dict[str, str] | None) -> None:
        if values is None:
            self._leave(f"{self.room.incident_id} was not declared")
            return
        body = self.controller.body(lambda: ev.IncidentDeclared(
            incident_id=self.room.incident_id, title=values["title"], severity=int(values["severity"]),
            policy=self.room.defaults,
        ))
        if body is None:
            self.push_screen(declare_form(self.room.incident_id), self._declared)
            return
        try:
            await self.room.submit(body)
        except Rejected:
            await self.room.load()  # someone declared it a moment ago: join theirs
        except StoreError as error:
            self._leave(str(error))
            return
        await self._join()

    async def _join(self) -> None:
        """Become a responder (or come back on shift), draw everything, then follow."""
        state = self.state
        since = since_for(state, self.me)
        responder = state.responders.get(self.me)
        submit = self.controller.submit
        if state.declared and not state.closed:
            if responder is None:
                await submit(ev.ResponderJoined(), quiet=True)
            elif responder.shift == "off":
                if await submit(ev.ShiftChanged(shift="on"), quiet=True):
                    self.notify("you are on shift again (leaving the board does not take you off)")
            elif responder.shift == "break":
                self.notify(f"you are on a break until {_hhmm(responder.back_at)}: press o to come back")
        elif state.closed and state.duplicate_of:
            other = state.duplicate_of
            self.notify(f"{state.id} is closed as a duplicate of {other}: carry on there (warroom join {other})", severity="warning")
        elif state.closed:
            self.notify(
                f"{state.id} is closed: it takes only action items (a) and a reopen by its commander (X); e exports it",
                severity="warning",
            )
        self._draw_all()
        self.ready = True
        self.set_interval(TICK_SECONDS, self._tick, name="tick")
        self.set_interval(SLOW_TICK_SECONDS, self._slow_tick, name="slow-tick")
        if responder is not None or since == 0:
            self.show_catch_up(since, "While you were away" if responder is not None else f"Catching up on {state.id}")
        self._follow()
        self._watch_people()
        if self.simulation is not None:
            self.run_worker(self.simulation(self), group="simulation", exit_on_error=False)

    def _leave(self, message: str) -> None:
        self.exit_message = message
        self.exit(return_code=1)

    # --- following the store -------------------------------------------------------

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def _follow(self) -> None:
        delay = 0.25
        while True:
            try:
                async for _applied in self.room.follow():
                    self.offline = False
                    delay = 0.25
                    self.sync()
            except LogReplaced:
                self.sync()  # the room has folded the new log: draw it all
                continue
            except StoreUnavailable:
                self.offline = True
            except StoreError as error:
                self.notify(f"store: {error}", severity="error")
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)
            await self._reconnect()

    PEOPLE_SECONDS: ClassVar[float] = 15.0
    """How often the board looks at the other open incidents (who else is on shift where)."""

    @work(exclusive=True, group="people", exit_on_error=False)
    async def _watch_people(self) -> None:
        """Responders also on shift in other open incidents: "also on INC-41", and their time on
        shift counted across incidents (``[ui] fatigue_across_incidents``). Polls the incident
        list slowly: shifts change in minutes, and a board must not cost the store much."""
        from warroom.people import People

        summaries: dict[str, object] = {}
        across = self.config.ui.fatigue_across_incidents
        try:
            async for changes in EventStore.watch_incidents(self.room.store, every=self.PEOPLE_SECONDS):
                if changes.complete:
                    summaries.clear()
                summaries.update((s.id, s) for s in changes.summaries)
                for gone in changes.gone:
                    summaries.pop(gone, None)
                people = People(summaries.values())  # type: ignore[arg-type]
                found = {}
                for handle in self.state.responders:
                    where = people.elsewhere(handle, self.state.id)
                    if where is not None:
                        found[handle] = where if across else replace(where, since=None)
                if found != self.responders.elsewhere:
                    self.responders.elsewhere = found
                    if self.ready:
                        self.responders.show(self.state, self.me, self.clock(), self.policy)
        except StoreError:
            return  # the board itself reports the store's trouble

    async def _reconnect(self) -> None:
        """One attempt to catch up after the store failed; the hook an HTTP store resumes through."""
        try:
            await self.room.load()
        except StoreError:  # StoreUnavailable included: the next attempt comes after a longer wait
            return
        self.offline = False
        self.sync()

    # --- drawing -------------------------------------------------------------------

    def _draw_all(self) -> None:
        state, now = self.state, self.clock()
        self.header.show(state, self.me)
        self.workstreams.show(state, self.me, now, self.policy)
        self.responders.show(state, self.me, now, self.policy)
        self.summary.show(state, self.me, now, self.policy)
        self.broadcasts.show(state)
        self.timeline.set_entries(state.timeline, state.declared_at)
        self._seen = {ws.id: Seen.of(ws) for ws in state.workstreams.values()}
        self._commander = state.commander
        self._shown_seq = state.seq
        self._reloads_drawn = self.room.reloads
        self._remind(now)

    def sync(self) -> None:
        """Draw the entries applied since the last draw, touching only what they changed."""
        if not self.ready:
            return
        if self.room.reloads != self._reloads_drawn:
            self._draw_all()
            self.notify("the log was replaced (warroom import --replace); reloaded", severity="warning", timeout=20)
            return
        state = self.state
        fresh = state.timeline[bisect.bisect_right(state.timeline, self._shown_seq, key=lambda e: e.seq) :]
        if not fresh:
            return
        self._shown_seq = state.seq
        dirty = _Dirty()
        for entry in fresh:
            self.timeline.append(entry)
            if not entry.rejected:
                dirty.add(entry)
                self._toast(entry)
                self._offer_join(entry)
        dirty.workstreams.update(ws_id for ws_id in state.workstreams if ws_id not in self._seen)  # just opened
        self._redraw(dirty)
        self._commander = state.commander

    def _redraw(self, dirty: _Dirty) -> None:
        state, now = self.state, self.clock()
        if "rows" in dirty.parts:
            dirty.workstreams = set(state.workstreams)
            dirty.people = set(state.responders)
        for ws_id in sorted(dirty.workstreams):
            ws = state.workstream(ws_id)
            if ws is None:
                continue
            dirty.people.update(h for h in (self._seen.get(ws_id, Seen()).owner, ws.owner) if h)
            self.workstreams.show_one(ws, self.me, now, self.policy, state.closed)
            self._seen[ws_id] = Seen.of(ws)
        for handle in sorted(dirty.people):
            self.responders.show_one(state, handle, self.me, now, self.policy)
        if "header" in dirty.parts:
            self.header.show(state, self.me)
        if "command" in dirty.parts:
            self.summary.show(state, self.me, now, self.policy)
        if "broadcasts" in dirty.parts:
            self.broadcasts.show(state)
        if "stars" in dirty.parts:
            self.timeline.restyle()
        self._remind(now)

    def _tick(self) -> None:
        """Every second: the clock-driven lines of the commander pane, and the update reminder."""
        if self.ready:
            now = self.clock()
            self.summary.show(self.state, self.me, now, self.policy)
            self._remind(now)
            arrange_toasts(self.screen)  # a toast that expired lets an older one show

    def _remind(self, now: datetime) -> None:
        reminder = self.reminder.check(self.state, self.me, now, self.policy)
        self.header.overdue = reminder.header
        if reminder.alert:
            self.notify(reminder.alert, title="stakeholder update", severity="warning", timeout=30)
            if self.config.ui.bell:
                self.bell()

    def _slow_tick(self) -> None:
        """Every 30 s: time since update, staleness, time on shift and fatigue."""
        if self.ready:
            now = self.clock()
            self._show_deliveries()
            self.workstreams.show(self.state, self.me, now, self.policy)
            self.responders.show(self.state, self.me, now, self.policy)

    def _show_deliveries(self) -> None:
        """The commander's line about failing notification targets (nobody else's business)."""
        store = self.room.store
        folder = getattr(store, "folder", None)
        if self.state.commander != self.me:
            self.deliveries.show([])
        elif folder is not None:
            self.deliveries.show(failing_lines(records_for_folder(folder)))
        else:
            self.run_worker(self._server_deliveries(store), group="deliveries", exclusive=True, exit_on_error=False)

    async def _server_deliveries(self, store: object) -> None:
        self.deliveries.show(await failing_on_server(store))

    def refresh_clocks(self) -> None:
        """Run both timers' work now (tests and a resumed terminal)."""
        self._tick()
        self._slow_tick()

    def _restyle(self) -> None:
        self.workstreams.restyle()
        self.responders.restyle()
        self.timeline.restyle()
        if self.ready:
            self.header.show(self.state, self.me)
            self.broadcasts.show(self.state)

    def _toast(self, entry: TimelineEntry) -> None:
        """Pop up what others did that you must know now: broadcasts and things done to you."""
        state = self.state
        ws = state.workstream(entry.workstream) if entry.workstream else None
        seen = self._seen.get(entry.workstream or "", Seen())
        toast = toast_for(About(entry, state, self.me, ws, seen, self._commander))
        if toast is not None:
            self.notify(toast.message, title=toast.title, severity=toast.severity, timeout=toast.timeout)  # type: ignore[arg-type]

    def _offer_join(self, entry: TimelineEntry) -> None:
        """A merge just closed this incident as a duplicate: offer to carry on in the other one."""
        other, state = self.state.duplicate_of, self.state
        if entry.type != "incident_linked" or other is None or state.closed_at != entry.at:
            return

        def answered(join: bool | None) -> None:
            if join:
                self.next_incident = other
                self.exit()

        question = ConfirmScreen(
            f"{state.id} is a duplicate of {other}",
            f"{state.id} is closed: the work goes on in {other}. Join {other} now?",
            yes=f"Join {other}",
            no="Stay here",
        )
        self.push_screen(question, answered)

    def show_catch_up(self, since: int, title: str) -> None:
        summary = catch_up(self.state, self.me, since, self.clock())
        if summary:
            self.push_screen(CatchUpScreen(title, summary.text_lines()))

    # --- acting --------------------------------------------------------------------

    def _on_notify(self, event: Notify) -> None:
        super()._on_notify(event)
        self.call_later(arrange_toasts, self.screen)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:  # type: ignore[override]
        """Show a toast (plain text: user words are never markup, controls never raw) and remember it."""
        message, title = safe_block(message), safe_line(title)
        self.notices.append((severity, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    async def action_act(self, name: str) -> None:
        """Every key that changes the incident: one row of ``actions.ACTIONS``, run by the controller."""
        if getattr(self.screen, "read_only", False):  # a replay on top (the palette reaches here too)
            self.screen.refuse(name.replace("_", " "))
            return
        await self.controller.run(name)

    async def action_replay(self) -> None:
        """``ctrl+r``: the board as it was at the highlighted timeline entry (Esc comes back)."""
        from .replay import open_replay

        await open_replay(self)

    def action_timeline(self, what: str) -> None:
        """The timeline's keys that work from any pane: / search, f filter, T the T+ column."""
        on_top = getattr(self.screen, "action_timeline", None)
        if on_top is not None:  # a replay on top (the palette reaches here): its timeline, not the live one under it
            on_top(what)
            return
        if what == "filter":
            self.timeline.choose_filter(self.state)
        else:
            getattr(self.timeline, f"action_{what}")()

    @on(TimelineView.Highlighted)
    def _timeline_highlighted(self, message: TimelineView.Highlighted) -> None:
        self.detail.show(message.entry)

    @on(WorkstreamTable.Chosen)
    def _workstream_chosen(self, message: WorkstreamTable.Chosen) -> None:
        self.open_story(message.workstream)

    def action_story(self) -> None:
        ws_id = self.workstreams.highlighted_key
        if ws_id is None:
            self.controller.refuse("no workstream highlighted: open one with n")
        else:
            self.open_story(ws_id)

    def action_action_items(self) -> None:
        """Every action item, with owner and kind; start / done / won't do / reopen from there (issue 10 item 8)."""
        if self.controller.can_act():
            from .screens.actionitems import ActionItemsScreen

            self.push_screen(ActionItemsScreen())

    def open_story(self, ws_id: str) -> None:
        """The workstream's story (issue 14): its title, owners, status changes and notes; c/h/u/t act on it."""
        if self.controller.can_act():
            from .screens.story import StoryScreen

            self.push_screen(StoryScreen(ws_id))

    async def action_export(self) -> None:
        if not self.controller.can_act():
            return
        from warroom.export import export_incident  # loaded when first needed

        folder = self.export_folder or resolve_export_folder(self.config)
        try:
            events = await self.room.store.read(self.room.incident_id)

            def export() -> list[Path]:
                return list(export_incident(fold(events), events, folder))

            paths = await asyncio.to_thread(export)
        except Exception as error:  # an export bug must not take the board down
            self.notify(f"export failed: {error}", severity="error", timeout=20)
            return
        self.exported = paths
        listing = "\n".join(str(p) for p in paths) or str(folder)
        self.notify(f"exported to {folder}:\n{listing}", title="exported", timeout=30)

    def action_help(self) -> None:
        rows = [(self.key_label(k.id), k.description, k.palette, k.id) for k in BOARD_KEYS + PANE_KEYS]
        self.push_screen(HelpScreen(rows))

    def key_label(self, binding_id: str) -> str:
        """The key(s) bound to ``binding_id`` now, as a person would type them."""
        key = next(k for k in BOARD_KEYS + PANE_KEYS if k.id == binding_id)
        names = self._keymap.get(binding_id, key.keys).split(",")
        return " / ".join(self.get_key_display(Binding(name.strip(), "")) for name in names)

    def action_quit(self) -> None:  # type: ignore[override]
        """Leave the board (never going off shift); opened from the lobby, back to the lobby."""
        self.back_to_lobby = self.from_lobby
        self.exit()

    def action_back(self) -> None:
        if self.from_lobby and isinstance(self.screen, BoardScreen):  # Escape in a modal closes the modal
            self.action_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.from_lobby
        return True

    def action_focus_next(self) -> None:
        if not (isinstance(self.screen, BoardScreen) and self.screen.step_pane(1)):
            super().action_focus_next()

    def action_focus_previous(self) -> None:
        if not (isinstance(self.screen, BoardScreen) and self.screen.step_pane(-1)):
            super().action_focus_previous()

    def switch_theme(self, name: str) -> None:
        self.theme = name
        self.notify(f"theme: {name}")


@dataclass(slots=True)
class _Dirty:
    """What a batch of entries touched: workstream rows, responder rows, and board parts."""

    workstreams: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)

    def add(self, entry: TimelineEntry) -> None:
        self.people.add(entry.actor)
        if entry.workstream:
            self.workstreams.add(entry.workstream)
        self.parts |= ev.BODY_BY_TYPE[entry.type].redraws


def _hhmm(at: datetime | None) -> str:
    return at.strftime("%H:%M UTC") if at else "later"


def board_app(ctx: Session, store: EventStore, incident_id: str, *, from_lobby: bool = False) -> WarroomApp:
    """The board ``warroom join`` opens (the lobby opens the same one, ``from_lobby``)."""

    async def acting() -> str:
        try:
            return await ctx.acting_handle(store)
        except StoreUnavailable:
            return ctx.handle  # the server cannot be reached yet: the configured handle

    return WarroomApp(room=ctx.room(store, incident_id), config=ctx.config, acting=acting, from_lobby=from_lobby)


def run_board(ctx: Session, incident_id: str) -> int:
    """``warroom join``: open the board for ``incident_id`` as ``ctx.handle``; returns the exit code."""
    return asyncio.run(_run_board(ctx, incident_id))


async def _run_board(ctx: Session, incident_id: str) -> int:
    """One store, opened once, in the board's own event loop. Who acts is asked while the
    incident loads, not before the board starts (on a server: one round trip saved)."""
    import sys

    store = ctx.open_store()
    try:
        while True:  # a merge's "join the other" opens the next board on the same store
            app = board_app(ctx, store, incident_id)
            await app.run_async()
            if app.next_incident is None or app.startup_error is not None:
                break
            incident_id = app.next_incident
    finally:
        try:
            await store.aclose()
        except Exception:
            pass
    if app.startup_error is not None:
        raise app.startup_error
    if app.exit_message:
        print(safe_line(f"warroom: {app.exit_message}"), file=sys.stderr)
    return app.return_code or 0
