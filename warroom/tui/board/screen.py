"""The board: one responder's live, keyboard-first view of one incident, as a screen.

``BoardScreen`` holds a ``Room`` and acts only through it: every key that changes the
incident is a row of ``action_table.ACTIONS`` run by ``controller.BoardController`` (rules
first, so a refusal is instant and names the reason; then the form; then submit). The
panes are ``PanesScreen``'s (shared with replay); the screen owns its two collaborators:
joining and following the store (``following.BoardFollowing``, as ``following``) and drawing
what each event touched (``drawing.BoardDrawing``, as ``drawing``), each seeing the board
through a Protocol. The App (``tui/app.py``) only holds what every screen shares: themes, keys,
toasts.
"""

from __future__ import annotations

import asyncio
from functools import partial
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.message import Message
from textual.notifications import Notification, SeverityLevel

from warroom.config import Config, resolve_export_folder
from warroom.incident import IncidentState, Policy, fold
from warroom.room import Room

from .action_targets import workstream_in_view
from .controller import BoardController
from .drawing import BoardDrawing
from .following import BoardFollowing
from ..keys import BOARD_KEYS, bindings
from ..widgets import TimelineView, WorkstreamTable
from ..screens.panes import PanesScreen

if TYPE_CHECKING:
    from ..board_api import Shared

Clock = Callable[[], datetime]
Simulation = Callable[["BoardScreen"], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BoardScreen(PanesScreen):
    BINDINGS: ClassVar = [*bindings(BOARD_KEYS), *PanesScreen.BINDINGS]

    class Closed(Message):
        """The board is done (q, or it could not open: ``message`` says why, ``return_code`` 1)."""

        def __init__(self, board: BoardScreen, message: str | None, return_code: int) -> None:
            super().__init__()
            self.board, self.message, self.return_code = board, message, return_code

    class Replaced(Message):
        """The board gives way to ``other`` (a merge's "join the other")."""

        def __init__(self, board: BoardScreen, other: BoardScreen) -> None:
            super().__init__()
            self.board, self.other = board, other


    def __init__(
        self,
        room: Room,
        config: Config | None = None,
        *,
        clock: Clock = utcnow,
        export_folder: Path | None = None,
        simulation: Simulation | None = None,
        offer_declare: bool = True,
        acting: Callable[[], Awaitable[str]] | None = None,
        from_lobby: bool = False,
    ) -> None:
        super().__init__(room.incident_id, room.actor)
        self.room = room
        self.config = config or Config()
        self.clock = clock
        self.export_folder = export_folder
        self.from_lobby = from_lobby
        """Opened from the lobby: q and Escape go back to it."""
        self.ready = False
        """True once the board has loaded, joined and drawn the incident."""
        self.exported: list[Path] = []
        self.controller = BoardController(self)
        self.drawing = BoardDrawing(self)
        """Draws what each event touched, the clocks, and the toasts (``drawing.py``)."""
        self.following = BoardFollowing(
            self, acting=acting, offer_declare=offer_declare, simulation=None if simulation is None else partial(simulation, self)
        )
        """Joins the incident and keeps up with the store (``following.py``)."""

    def on_mount(self) -> None:
        self.title_panes()
        self.header.show(self.state, self.me, loading=True)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.drawing.restyle())
        self.workstreams.focus()
        if self.following.loaded_before_mount:
            self.following.start()  # drawn once, loaded (the frame said "loading…")
        else:
            # Paint the (empty) board first, then load: a long incident never shows a blank terminal.
            self.call_after_refresh(self.following.start)

    async def load_before_mount(self) -> None:
        """Load the incident before the board is mounted (``frame_first.py``): it is then drawn once, loaded."""
        await self.following.load_before_mount()

    def on_unmount(self) -> None:
        self.following.closed()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:
        """A toast through the App (plain text unless asked: user words are never markup)."""
        self.toast(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def toast(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> Notification:
        """``notify``, returning the toast so it can be withdrawn."""
        return cast("Shared", self.app).toast(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def withdraw(self, notification: Notification) -> None:
        """Take a toast down (its condition is gone)."""
        cast("Shared", self.app).withdraw(notification)

    @property
    def state(self) -> IncidentState:
        """The incident as it is now (the room's fold)."""
        return self.room.state

    @property
    def offline(self) -> bool:
        """The store did not answer last time (the header says so until it does)."""
        return self.header.offline

    @offline.setter
    def offline(self, offline: bool) -> None:
        self.header.offline = offline

    @property
    def policy(self) -> Policy:
        return self.room.policy

    @property
    def me(self) -> str:
        """Who this board acts as."""
        return self.room.actor

    def sync(self) -> None:
        """Draw the entries applied since the last draw (``BoardDrawing.sync``)."""
        self.drawing.sync()

    def show_catch_up(self, since: int, title: str) -> None:
        self.drawing.show_catch_up(since, title)

    def refresh_clocks(self) -> None:
        """Run both timers' work now (tests and a resumed terminal)."""
        self.drawing.refresh_clocks()

    def join_other(self, incident_id: str) -> None:
        """Carry on in ``incident_id`` (a merge closed this one as its duplicate): its board
        replaces this one, on the same store, as the same responder, opened the same way."""
        room = Room(self.room.store, incident_id, self.me, self.room.defaults)
        other = BoardScreen(
            room, self.config, clock=self.clock, export_folder=self.export_folder,
            offer_declare=self.following.offer_declare, acting=self.following.acting, from_lobby=self.from_lobby,
        )
        self.post_message(self.Replaced(self, other))

    def leave(self, message: str | None = None, return_code: int = 0) -> None:
        """Close the board: back to the lobby when opened from it, else end the App."""
        self.post_message(self.Closed(self, message, return_code))

    # --- acting --------------------------------------------------------------------

    async def action_act(self, name: str) -> None:
        """Every key that changes the incident: one row of ``action_table.ACTIONS``, run by the controller."""
        await self.controller.run(name)

    async def action_replay(self) -> None:
        """``ctrl+r``: the board as it was at the highlighted timeline entry (Esc comes back)."""
        from ..screens.replay import open_replay

        await open_replay(self)

    def action_timeline(self, what: str) -> None:
        """The timeline's keys that work from any pane: / search, f filter, T the T+ column."""
        if what == "filter":
            self.timeline.choose_filter(self.state)
        else:
            getattr(self.timeline, f"action_{what}")()

    def action_command_palette(self) -> None:
        self.app.action_command_palette()

    @on(TimelineView.Highlighted)
    def _timeline_highlighted(self, message: TimelineView.Highlighted) -> None:
        self.detail.show(message.entry)

    @on(WorkstreamTable.Chosen)
    def _workstream_chosen(self, message: WorkstreamTable.Chosen) -> None:
        self.open_story(message.workstream)

    def action_story(self) -> None:
        ws_id = workstream_in_view(self)
        if ws_id is None:
            self.controller.refuse("no workstream highlighted: open one with n")
        else:
            self.open_story(ws_id)

    def action_action_items(self) -> None:
        """Every action item, with owner and kind; start / done / won't do / reopen from there (issue 10 item 8)."""
        if self.controller.can_act():
            from ..screens.actionitems import ActionItemsScreen

            self.app.push_screen(ActionItemsScreen(self))

    def action_checklist(self) -> None:
        """The playbook's checklist, your role's items first, and its fields (issue 24)."""
        if self.controller.can_act():
            from ..screens.checklist import ChecklistScreen

            self.app.push_screen(ChecklistScreen(self))

    def open_story(self, ws_id: str) -> None:
        """The workstream's story (issue 14): its title, owners, status changes and notes; c/h/u/t act on it."""
        if self.controller.can_act():
            from ..screens.story import StoryScreen

            self.app.push_screen(StoryScreen(self, ws_id))

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
        cast("Shared", self.app).show_help()

    def action_quit(self) -> None:
        """Leave the board (never going off shift); opened from the lobby, back to the lobby."""
        self.leave()

    def action_back(self) -> None:
        if self.from_lobby:
            self.leave()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.from_lobby
        return True
