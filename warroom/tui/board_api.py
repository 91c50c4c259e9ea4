"""What the board's parts may ask of the board: the ``Board`` protocol.

The action table, its runner, the palette's commands, replay and the modals that stay open
over the board all act on "the board". Typed against the board's screen (or the App)
itself, each of them imported what imports them: a cycle, however lazy or type-only the
import. They depend on these shapes instead, which import none of them
(``tests/test_import_cycles.py`` keeps the board free of cycles).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Protocol

from textual.app import App
from textual.notifications import Notification, SeverityLevel
from textual.screen import Screen

from warroom.config import Config
from warroom.incident import IncidentState, Policy
from warroom.incident import events as ev
from warroom.room import Room

from .keys import BoardKey
from .widgets import TimelineView, WorkstreamTable


class Runs(Protocol):
    """The board's one runner of actions (``controller.BoardController``)."""

    async def run(self, name: str, **arguments: Any) -> None: ...

    def can_act(self) -> bool: ...

    def refuse(self, reason: str, action: Any = None) -> None: ...

    def body(self, make: Callable[[], ev.Body]) -> ev.Body | None: ...

    async def submit(self, body: ev.Body, *, quiet: bool = False) -> bool: ...


class Acting(Protocol):
    """What every part of the board asks of it: who acts, the incident now, its policy, toasts.

    ``app`` is Textual's App (push a screen, ring the bell); what only warroom's App has is
    ``Shared``, asked for by a cast where needed."""

    @property
    def app(self) -> App[Any]: ...

    @property
    def state(self) -> IncidentState: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def me(self) -> str: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None: ...

    def toast(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> Notification: ...

    def withdraw(self, notification: Notification) -> None: ...


class Board(Acting, Protocol):
    """The live board (``board.screen.BoardScreen``) as its parts see it."""

    room: Room
    ready: bool
    offline: bool
    timeline: TimelineView
    workstreams: WorkstreamTable
    clock: Callable[[], datetime]
    config: Config

    @property
    def controller(self) -> Runs: ...

    def sync(self) -> None: ...

    async def action_export(self) -> None: ...

    def show_catch_up(self, since: int, title: str) -> None: ...


class Shared(Protocol):
    """What the board's parts use of the App every screen shares (``app.WarroomApp``)."""

    typed_blind_before: float
    warroom_themes: Collection[str]
    startup_error: Exception | None

    @property
    def screen(self) -> Screen[Any]: ...

    def push_screen(self, screen: Any, callback: Any = None, wait_for_dismiss: bool = False) -> Any: ...

    def clear_notifications(self) -> None: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None: ...

    def toast(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> Notification: ...

    def withdraw(self, notification: Notification) -> None: ...

    def bell(self) -> None: ...

    def key_label(self, key: BoardKey) -> str: ...

    def show_help(self) -> None: ...

    def switch_theme(self, name: str) -> None: ...

    async def run_action(self, action: Any, default_namespace: Any = None) -> bool: ...
