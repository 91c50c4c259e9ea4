"""The board: one responder's live, keyboard-first view of one incident.

``WarroomApp`` holds a ``Room`` and acts only through it: every key builds an event
body, asks the room's rules first (so a refusal is instant and names the reason),
then submits. A worker follows the store; each new event redraws only what it
touched -- one workstream row, one responder row, one timeline line -- never the
whole board. Clock-driven values (time on shift, update due) refresh on timers.
``run_board`` is what ``warroom join`` calls.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer

from warroom.config import DEFAULT_THEME, Config, resolve_export_folder, user_themes_dir
from warroom.incident import IncidentState, Policy, fold
from warroom.incident import events as ev
from warroom.incident.state import TimelineEntry, Workstream
from warroom.room import Room
from warroom.store import Queued, Rejected, StoreError, StoreUnavailable, UnknownIncident

from .catchup import catch_up, since_for
from .commands import BoardCommands
from .keys import BOARD_KEYS, KEY_IDS, PANE_KEYS, bindings
from .screens.forms import (
    action_item_form,
    break_form,
    broadcast_form,
    close_form,
    command_handover_form,
    declare_form,
    handoff_form,
    NOBODY,
    note_form,
    open_workstream_form,
    role_form,
    severity_form,
    snooze_form,
    workstream_status_form,
)
from .screens.info import CatchUpScreen, ConfirmScreen, HelpScreen
from .themes import load_themes, variable_defaults
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

if TYPE_CHECKING:
    from warroom.cli import CliContext

Clock = Callable[[], datetime]
Simulation = Callable[["WarroomApp"], Awaitable[None]]

# Events that change who holds what (rows of both tables) or the commander pane.
_PEOPLE = frozenset(
    {
        "responder_joined",
        "shift_changed",
        "role_assigned",
        "role_cleared",
        "command_handover_offered",
        "command_handover_accepted",
        "command_handover_declined",
        "command_assumed",
    }
)
_INCIDENT = frozenset({"incident_declared", "severity_changed", "status_changed", "incident_closed", "key_time_set"})
_COMMAND = _PEOPLE | _INCIDENT | frozenset({"broadcast_sent", "update_snoozed"})
_EVERY_ROW = frozenset(
    {"shift_changed", "incident_closed", "command_handover_accepted", "command_assumed", "role_assigned", "role_cleared"}
)

TICK_SECONDS = 1.0
SLOW_TICK_SECONDS = 30.0
RECONNECT_MAX_SECONDS = 10.0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BoardScreen(Screen):
    """The one screen of the board; it owns the pane keys (tab / shift+tab)."""

    BINDINGS: ClassVar = [
        *bindings(PANE_KEYS),
        Binding("ctrl+c,super+c", "screen.copy_text", "Copy selected text", show=False, id="copy_text"),
    ]


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
    ) -> None:
        super().__init__()
        self.room = room
        self.config = config or Config()
        self.me = room.actor
        self.clock = clock
        self.export_folder = export_folder
        self.simulation = simulation
        self.offer_declare = offer_declare
        self.ready = False
        """True once the board has loaded, joined and drawn the incident."""
        self.offline = False
        self.notices: list[tuple[SeverityLevel, str]] = []
        """Every notification shown, in order (what a responder was told)."""
        self.exported: list[Path] = []
        self.exit_message: str | None = None
        self._shown_seq = 0
        self._snapshots: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._commander: str | None = None
        self._startup_problems: list[str] = []

        loaded = load_themes(themes_dir if themes_dir is not None else user_themes_dir())
        for theme in loaded.themes.values():
            self.register_theme(theme)
        self.warroom_themes = sorted(loaded.themes)
        self._startup_problems.extend(f"theme: {problem}" for problem in loaded.problems)
        chosen = self.config.ui.theme
        if chosen not in loaded.themes:
            if DEFAULT_THEME in loaded.themes and chosen != DEFAULT_THEME:
                self._startup_problems.append(f"theme {chosen!r} is not available; using {DEFAULT_THEME}")
            chosen = DEFAULT_THEME
        self.theme = chosen

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
        self.header = BoardHeader(id="header")
        self.workstreams = WorkstreamTable(id="workstreams")
        self.responders = ResponderTable(id="responders")
        self.summary = CommandSummary(id="command-summary")
        self.broadcasts = BroadcastFeed(id="broadcasts")
        self.timeline = TimelineView(self.me, id="timeline")
        self.detail = TimelineDetail(id="timeline-detail")
        yield self.header
        with Vertical(id="workstreams-pane", classes="pane"):
            yield self.workstreams
        with Horizontal(id="middle"):
            with CommanderPane(id="commander-pane", classes="pane"):
                yield self.summary
                yield self.broadcasts
            with Vertical(id="responders-pane", classes="pane"):
                yield self.responders
        with Vertical(id="timeline-pane", classes="pane"):
            yield self.timeline
            yield self.detail
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#workstreams-pane").border_title = "Workstreams"
        self.query_one("#commander-pane").border_title = "Commander"
        self.query_one("#responders-pane").border_title = "Responders"
        self.query_one("#timeline-pane").border_title = "Timeline"
        self.header.show(self.state, self.room.incident_id, self.me, self.offline, loading=True)
        for problem in self._startup_problems:
            self.notify(problem, severity="warning", timeout=15)
        self.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self.workstreams.focus()
        # Paint the (empty) board first, then load: a long incident never shows a blank terminal.
        self.call_after_refresh(self._start)

    def _watch_connection(self) -> None:
        """With a server store: queue actions while offline, and show the link's state as it changes."""
        store = self.room.store
        if not hasattr(store, "on_status"):
            return
        store.queue_offline = True  # type: ignore[attr-defined]
        store.on_status(lambda online: self._set_offline(not online))  # type: ignore[attr-defined]
        store.on_refused(  # type: ignore[attr-defined]
            lambda late: self.notify(f"refused when the server came back: {late.reason}", title="refused", severity="error", timeout=20)
        )

    @work(exclusive=True, group="start", exit_on_error=False)
    async def _start(self) -> None:
        self._watch_connection()
        try:
            await self.room.load()
        except UnknownIncident as error:
            if self.offer_declare:
                self.push_screen(declare_form(self.room.incident_id), self._declared)
            else:
                self._leave(str(error))
            return
        except StoreUnavailable:
            self._set_offline(True)
        except StoreError as error:
            self._leave(str(error))
            return
        await self._join()

    async def _declared(self, values: dict[str, str] | None) -> None:
        if values is None:
            self._leave(f"{self.room.incident_id} was not declared")
            return
        body = self._body(lambda: ev.IncidentDeclared(
            incident_id=self.room.incident_id, title=values["title"], severity=int(values["severity"])
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
        if state.declared and not state.closed:
            if responder is None:
                await self._submit(ev.ResponderJoined(), quiet=True)
            elif responder.shift == "off":
                if await self._submit(ev.ShiftChanged(shift="on"), quiet=True):
                    self.notify("you are on shift again (leaving the board does not take you off)")
            elif responder.shift == "break":
                self.notify(f"you are on a break until {_hhmm(responder.back_at)}: press o to come back")
        elif state.closed:
            self.notify(f"{state.id} is closed: the board is read-only (e exports it)", severity="warning")
        self._draw_all()
        self.ready = True
        self.set_interval(TICK_SECONDS, self._tick, name="tick")
        self.set_interval(SLOW_TICK_SECONDS, self._slow_tick, name="slow-tick")
        if responder is not None or since == 0:
            self._show_catch_up(since, "While you were away" if responder is not None else f"Catching up on {state.id}")
        self._follow()
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
                    if self.offline:
                        self._set_offline(False)
                    delay = 0.25
                    self._sync()
            except StoreUnavailable:
                self._set_offline(True)
            except StoreError as error:
                self.notify(f"store: {error}", severity="error")
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)
            await self._reconnect()

    async def _reconnect(self) -> None:
        """One attempt to catch up after the store failed; the hook an HTTP store resumes through."""
        try:
            await self.room.load()
        except StoreUnavailable:
            return
        except StoreError:
            return
        self._set_offline(False)
        self._sync()

    def _set_offline(self, offline: bool) -> None:
        if offline != self.offline:
            self.offline = offline
            self.header.show(self.state, self.room.incident_id, self.me, offline)

    # --- drawing -------------------------------------------------------------------

    def _draw_all(self) -> None:
        state, now = self.state, self.clock()
        self.header.show(state, self.room.incident_id, self.me, self.offline)
        self.workstreams.show(state, self.me, now, self.policy)
        self.responders.show(state, self.me, now, self.policy)
        self.summary.show(state, self.me, now, self.policy)
        self.broadcasts.show(state)
        self.timeline.set_entries(state.timeline)
        self._snapshots = {ws.id: _snapshot(ws) for ws in state.workstreams.values()}
        self._commander = state.commander
        self._shown_seq = state.seq

    def _sync(self) -> None:
        """Draw the entries applied since the last draw, touching only what they changed."""
        if not self.ready:
            return
        state = self.state
        timeline = state.timeline
        start = bisect.bisect_right(timeline, self._shown_seq, key=lambda e: e.seq)
        fresh = timeline[start:]
        if not fresh:
            return
        self._shown_seq = state.seq
        now = self.clock()
        touched_ws: set[str] = set()
        touched_people: set[str] = set()
        command = header = broadcasts = every_row = restar = False
        for entry in fresh:
            self.timeline.append(entry)
            if entry.rejected:
                continue
            kind = entry.type
            touched_people.add(entry.actor)
            if entry.workstream:
                touched_ws.add(entry.workstream)
            if kind in _COMMAND:
                command = True
            if kind in _INCIDENT:
                header = True
            if kind == "broadcast_sent":
                broadcasts = True
            if kind == "entry_starred":
                restar = True
            if kind in _EVERY_ROW:
                every_row = True  # offers lapse, roles move (to or from someone other than the actor), spans end
            self._toast(entry)
        for ws in state.workstreams.values():
            if ws.id not in self._snapshots:
                touched_ws.add(ws.id)  # just opened
        if every_row:
            touched_ws = set(state.workstreams)
            touched_people = set(state.responders)
        for ws_id in sorted(touched_ws):
            ws = state.workstream(ws_id)
            if ws is None:
                continue
            before = self._snapshots.get(ws_id, (None, None, None))
            touched_people.update(h for h in (before[0], ws.owner) if h)
            self.workstreams.show_one(ws, self.me, now, self.policy, state.closed)
            self._snapshots[ws_id] = _snapshot(ws)
        for handle in sorted(touched_people):
            self.responders.show_one(state, handle, self.me, now, self.policy)
        if header:
            self.header.show(state, self.room.incident_id, self.me, self.offline)
        if command:
            self.summary.show(state, self.me, now, self.policy)
        if broadcasts:
            self.broadcasts.show(state)
        if restar:
            self.timeline.restyle()
        self._commander = state.commander

    def _tick(self) -> None:
        """Every second: the clock-driven lines of the commander pane."""
        if self.ready:
            self.summary.show(self.state, self.me, self.clock(), self.policy)

    def _slow_tick(self) -> None:
        """Every 30 s: time since update, staleness, time on shift and fatigue."""
        if self.ready:
            now = self.clock()
            self.workstreams.show(self.state, self.me, now, self.policy)
            self.responders.show(self.state, self.me, now, self.policy)

    def refresh_clocks(self) -> None:
        """Run both timers' work now (tests and a resumed terminal)."""
        self._tick()
        self._slow_tick()

    def _restyle(self) -> None:
        self.workstreams.restyle()
        self.responders.restyle()
        self.timeline.restyle()
        if self.ready:
            self.header.show(self.state, self.room.incident_id, self.me, self.offline)
            self.broadcasts.show(self.state)

    def _toast(self, entry: TimelineEntry) -> None:
        """Pop up what others did that you must know now: broadcasts and things done to you."""
        if entry.actor == self.me:
            return
        state, kind, me = self.state, entry.type, self.me
        ws = state.workstream(entry.workstream) if entry.workstream else None
        before = self._snapshots.get(entry.workstream or "", (None, None, None))
        if kind == "broadcast_sent":
            self.notify(entry.text.split(": ", 1)[-1], title=f"broadcast from {entry.actor}", timeout=15)
        elif kind == "handoff_offered" and ws and ws.pending and ws.pending.to == me:
            note = f"\n“{ws.pending.note}”" if ws.pending.note else ""
            self.notify(
                f"{entry.actor} offers you {ws.id} “{ws.title}”{note}\ny accept · Y decline",
                title="hand-off for you",
                severity="warning",
                timeout=30,
            )
        elif kind == "command_handover_offered" and state.command_offer and state.command_offer.to == me:
            note = f"\n“{state.command_offer.note}”" if state.command_offer.note else ""
            self.notify(
                f"{entry.actor} offers you command{note}\ny accept · Y decline",
                title="command for you",
                severity="warning",
                timeout=30,
            )
        elif kind in ("workstream_claimed", "workstream_released") and before[0] == me and ws:
            verb = "took" if kind == "workstream_claimed" else "released"
            self.notify(f"{entry.actor} {verb} your {ws.id} “{ws.title}”", title="your workstream", severity="warning")
        elif kind in ("handoff_accepted", "handoff_declined") and before[2] == me and ws:
            verb = "accepted" if kind == "handoff_accepted" else "declined"
            self.notify(f"{entry.actor} {verb} {ws.id} “{ws.title}”", title="hand-off")
        elif kind in ("command_handover_accepted", "command_assumed") and self._commander == me:
            self.notify(f"{entry.actor} is now in command", title="command", severity="warning")
        elif kind == "command_handover_declined" and self._commander == me:
            self.notify(f"{entry.actor} declined command", title="command")
        elif kind in ("severity_changed", "status_changed", "incident_closed"):
            self.notify(f"{entry.actor} {entry.text}", title=state.id)

    def _show_catch_up(self, since: int, title: str) -> None:
        summary = catch_up(self.state, self.me, since)
        if summary:
            self.push_screen(CatchUpScreen(title, summary.lines, summary.earlier))

    # --- acting --------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:  # type: ignore[override]
        """Show a toast (plain text: user words are never markup) and remember it."""
        self.notices.append((severity, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _refuse(self, reason: str) -> None:
        self.notify(reason, title="refused", severity="warning")

    def _body(self, make: Callable[[], ev.Body]) -> ev.Body | None:
        try:
            return make()
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"] if not isinstance(p, int)) or "input"
            self._refuse(f"{where}: {first['msg']}")
            return None

    def _refused(self, body: ev.Body) -> bool:
        """Check ``body`` against the rules now; say why if refused (before any form opens)."""
        reason = self.room.refusal(body)
        if reason is not None:
            self._refuse(reason)
            return True
        return False

    async def _submit(self, body: ev.Body | None, *, quiet: bool = False) -> bool:
        """Submit through the room; a refusal becomes a notification, never a traceback."""
        if body is None:
            return False
        try:
            await self.room.submit(body)
        except Rejected as error:
            if not quiet:
                self._refuse(error.reason)
            self._sync()
            return False
        except Queued as error:
            self._set_offline(True)
            self.notify(f"offline: {error}", title="queued", severity="warning")
            return False
        except StoreUnavailable as error:
            self._set_offline(True)
            self.notify(f"offline: not sent ({error})", severity="error")
            return False
        except StoreError as error:
            self.notify(str(error), severity="error")
            return False
        self._sync()
        return True

    def _ask(self, screen: Screen, then: Callable[[Any], Awaitable[None] | None]) -> None:
        self.push_screen(screen, then)

    def _can_act(self) -> bool:
        if not self.ready:
            self.notify("still loading the incident…")
        return self.ready

    def highlighted_workstream(self) -> Workstream | None:
        key = self.workstreams.highlighted_key
        ws = self.state.workstream(key) if key else None
        if ws is None:
            self._refuse("no workstream highlighted: open one with n" if not self.state.workstreams else "no workstream highlighted")
        return ws

    def _on_shift_others(self) -> list[str]:
        return [r.handle for r in self.state.on_shift() if r.handle != self.me]

    async def action_open_workstream(self) -> None:
        if not self._can_act() or self._refused(ev.WorkstreamOpened(title="probe")):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values and await self._submit(self._body(lambda: ev.WorkstreamOpened(title=values["title"]))):
                self.workstreams.move_cursor(row=self.workstreams.row_count - 1)

        self._ask(open_workstream_form(), then)

    async def action_claim(self) -> None:
        if not self._can_act() or (ws := self.highlighted_workstream()) is None:
            return
        claim = ev.WorkstreamClaimed(workstream=ws.id)
        if ws.owner in (None, self.me) or self.room.refusal(claim) is not None:
            await self._submit(claim)  # claims, or says why not
            return

        async def take_over(yes: bool | None) -> None:
            if yes:
                await self._submit(claim)

        # Only the commander gets here: taking work from someone is allowed, never by accident.
        self._ask(ConfirmScreen(f"{ws.id} is owned by {ws.owner}", f"Take {ws.id} over from {ws.owner}?", yes="Take over"), take_over)

    async def action_release(self) -> None:
        if self._can_act() and (ws := self.highlighted_workstream()):
            await self._submit(ev.WorkstreamReleased(workstream=ws.id))

    async def action_hand_off(self, ws_id: str | None = None) -> None:
        if not self._can_act():
            return
        ws = self.state.workstream(ws_id) if ws_id else self.highlighted_workstream()
        if ws is None:
            return
        candidates = self._on_shift_others()
        if self._refused(ev.HandoffOffered(workstream=ws.id, to=candidates[0] if candidates else self.me)):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(
                    self._body(lambda: ev.HandoffOffered(workstream=ws.id, to=values["to"], note=values["note"]))
                )

        self._ask(handoff_form(ws.id, ws.title, candidates), then)

    def _offer_for_me(self) -> str | None:
        """What y / Y answer: the highlighted workstream if offered to you, else command, else any."""
        key = self.workstreams.highlighted_key
        ws = self.state.workstream(key) if key else None
        if ws and ws.pending and ws.pending.to == self.me:
            return ws.id
        if self.state.command_offer and self.state.command_offer.to == self.me:
            return "command"
        offered = self.state.pending_for(self.me)
        return offered[0].id if offered else None

    async def action_accept(self) -> None:
        await self._answer(accept=True)

    async def action_decline(self) -> None:
        await self._answer(accept=False)

    async def _answer(self, *, accept: bool) -> None:
        if not self._can_act():
            return
        offer = self._offer_for_me()
        if offer is None:
            self._refuse("nothing has been offered to you")
            return
        if offer == "command":
            body: ev.Body = ev.CommandHandoverAccepted() if accept else ev.CommandHandoverDeclined()
        else:
            body = ev.HandoffAccepted(workstream=offer) if accept else ev.HandoffDeclined(workstream=offer)
        if await self._submit(body):
            self.clear_notifications()  # the offer's toast has been answered

    async def action_workstream_status(self, ws_id: str | None = None) -> None:
        if not self._can_act():
            return
        ws = self.state.workstream(ws_id) if ws_id else self.highlighted_workstream()
        if ws is None or self._refused(ev.WorkstreamStatusSet(workstream=ws.id, status=ws.status, note="probe")):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(
                    self._body(lambda: ev.WorkstreamStatusSet(workstream=ws.id, status=values["status"], note=values["note"]))
                )

        self._ask(workstream_status_form(ws.id, ws.title, ws.status), then)

    @on(TimelineView.Highlighted)
    def _timeline_highlighted(self, message: TimelineView.Highlighted) -> None:
        self.detail.show(message.entry)

    @on(WorkstreamTable.Chosen)
    async def _workstream_chosen(self, message: WorkstreamTable.Chosen) -> None:
        await self.action_workstream_status(message.workstream)

    async def action_note(self) -> None:
        if not self._can_act():
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(self._body(lambda: ev.NoteAdded(text=values["text"])))

        self._ask(note_form(), then)

    async def action_star(self) -> None:
        if not self._can_act():
            return
        entry = self.timeline.highlighted
        if entry is None:
            self._refuse("the timeline is empty")
            return
        following = self.timeline.auto_follow
        if await self._submit(ev.EntryStarred(target=entry.seq, starred=not entry.starred)):
            # The star's own line was just appended: keep the cursor on the entry starred.
            self.timeline.move_cursor(self.timeline.index_of(entry.seq) or 0)
            self.timeline.auto_follow = following

    async def action_take_break(self) -> None:
        if not self._can_act() or self._refused(ev.ShiftChanged(shift="break", minutes=15)):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(self._body(lambda: ev.ShiftChanged(shift="break", minutes=int(values["minutes"]))))

        self._ask(break_form(), then)

    async def action_toggle_shift(self) -> None:
        if not self._can_act():
            return
        shift = self.state.shift_of(self.me) or "on"
        if shift != "on":
            since = since_for(self.state, self.me)
            if await self._submit(ev.ShiftChanged(shift="on")):
                self.notify("you are on shift")
                self._show_catch_up(since, "While you were away")
            return
        body = ev.ShiftChanged(shift="off")
        reason = self.room.refusal(body)
        if reason is None:
            if await self._submit(body):
                self.notify("you are off shift; the board stays open (q leaves it)")
            return
        owned = self.state.owned_by(self.me)
        if owned:
            first = owned[0]

            async def hand_off(yes: bool | None) -> None:
                if yes:
                    await self.action_hand_off(first.id)

            self._refuse(reason)
            self._ask(ConfirmScreen("You still own work", f"{reason}.", yes=f"Hand off {first.id}"), hand_off)
        elif self.state.commander == self.me and not self.state.closed:

            async def hand_over(yes: bool | None) -> None:
                if yes:
                    await self.action_command()

            self._refuse(reason)
            self._ask(ConfirmScreen("You are in command", f"{reason}.", yes="Hand over command"), hand_over)
        else:
            self._refuse(reason)

    async def action_broadcast(self) -> None:
        if not self._can_act():
            return
        if self.room.refusal(ev.BroadcastSent(text="probe", audience="stakeholders")) is not None:
            if self._refused(ev.BroadcastSent(text="probe")):
                return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(self._body(lambda: ev.BroadcastSent(text=values["text"], audience=values["audience"])))

        self._ask(broadcast_form(), then)

    async def action_command(self) -> None:
        if not self._can_act():
            return
        state = self.state
        if state.commander != self.me:
            if await self._submit(ev.CommandAssumed()):
                self.notify("you are in command")
            return
        candidates = self._on_shift_others()
        if not candidates:
            self._refuse("nobody else is on shift to take command")
            return
        if self._refused(ev.CommandHandoverOffered(to=candidates[0])):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(self._body(lambda: ev.CommandHandoverOffered(to=values["to"], note=values["note"])))

        self._ask(command_handover_form(candidates), then)

    async def action_severity(self) -> None:
        if not self._can_act():
            return
        state = self.state
        if self._refused(ev.SeverityChanged(severity=1 if state.severity != 1 else 2)):
            return

        async def then(values: dict[str, str] | None) -> None:
            if not values:
                return
            severity, status = int(values["severity"]), values["status"]
            if severity != self.state.severity:
                await self._submit(ev.SeverityChanged(severity=severity))
            if status != self.state.status:
                await self._submit(self._body(lambda: ev.StatusChanged(status=status)))

        self._ask(severity_form(state.severity, state.status), then)

    async def action_assign_role(self) -> None:
        if not self._can_act():
            return
        probe = next((r for r in ev.ROLES if self.state.roles.get(r) != self.me), "deputy")
        if self._refused(ev.RoleAssigned(role=probe, handle=self.me)):
            return

        async def then(values: dict[str, str] | None) -> None:
            if not values:
                return
            role, handle = values["role"], values["handle"]
            if handle == NOBODY:
                await self._submit(ev.RoleCleared(role=role))  # type: ignore[arg-type]
            else:
                await self._submit(self._body(lambda: ev.RoleAssigned(role=role, handle=handle)))

        self._ask(role_form([r.handle for r in self.state.on_shift()]), then)

    async def action_snooze(self) -> None:
        if not self._can_act() or self._refused(ev.UpdateSnoozed(minutes=10)):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(self._body(lambda: ev.UpdateSnoozed(minutes=int(values["minutes"]))))

        self._ask(snooze_form(), then)

    async def action_action_item(self) -> None:
        if not self._can_act():
            return

        async def then(values: dict[str, str] | None) -> None:
            if values:
                await self._submit(
                    self._body(
                        lambda: ev.ActionItemAdded(text=values["text"], owner=values["owner"] or None, kind=values["kind"])
                    )
                )

        self._ask(action_item_form(), then)

    async def action_close_incident(self) -> None:
        if not self._can_act() or self._refused(ev.IncidentClosed()):
            return

        async def then(values: dict[str, str] | None) -> None:
            if values and await self._submit(self._body(lambda: ev.IncidentClosed(summary=values["summary"]))):
                await self.action_export()

        self._ask(close_form(self.state.id), then)

    async def action_export(self) -> None:
        if not self._can_act():
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
        rows = [(self.key_label(k.id), k.description, k.palette) for k in BOARD_KEYS + PANE_KEYS]
        self.push_screen(HelpScreen(rows))

    def key_label(self, binding_id: str) -> str:
        """The key(s) bound to ``binding_id`` now, as a person would type them."""
        key = next(k for k in BOARD_KEYS + PANE_KEYS if k.id == binding_id)
        names = self._keymap.get(binding_id, key.keys).split(",")
        return " / ".join(self.get_key_display(Binding(name.strip(), "")) for name in names)

    def switch_theme(self, name: str) -> None:
        self.theme = name
        self.notify(f"theme: {name}")


def _snapshot(ws: Workstream) -> tuple[str | None, str | None, str | None]:
    pending = ws.pending
    return (ws.owner, pending.to if pending else None, pending.offered_by if pending else None)


def _hhmm(at: datetime | None) -> str:
    return at.strftime("%H:%M UTC") if at else "later"


def run_board(ctx: CliContext, incident_id: str) -> int:
    """``warroom join``: open the board for ``incident_id`` as ``ctx.handle``; returns the exit code."""
    import sys

    handle = asyncio.run(_acting_handle(ctx))
    store = ctx.open_store()
    app = WarroomApp(room=ctx.room(store, incident_id, handle), config=ctx.config)
    try:
        app.run()
    finally:
        try:
            asyncio.run(store.aclose())
        except Exception:
            pass
    if app.exit_message:
        print(f"warroom: {app.exit_message}", file=sys.stderr)
    return app.return_code or 0


async def _acting_handle(ctx: CliContext) -> str:
    """Who this board acts as: on a server the token's owner (asked once, before the board
    starts its own event loop); if the server cannot be reached yet, the configured handle."""
    store = ctx.open_store()
    try:
        return await ctx.acting_handle(store)
    except StoreUnavailable:
        return ctx.handle
    finally:
        await store.aclose()
