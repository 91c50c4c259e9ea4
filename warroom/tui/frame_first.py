"""The board's frame on screen first: ``warroom join`` on a terminal, before the CLI and the domain load.

The App starts on ``BoardFrame``: the board's own header (the incident, "loading…") and its
four empty panes, in the theme and keys the config file names. Only Textual and the board's
widgets are imported by then (no pydantic, no event models, no parser: ``cli/early.py``).
Once that frame is on screen (Textual's ``Ready``), the CLI's own work runs in a thread
(parse, settings, checks, importing the board) and the board takes the frame's place, loading
the incident as it always does; a failure ends the App and is said as any command says it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget

from .footer import BoardFooter
from .keys import BOARD_KEYS, PANE_KEYS, bindings
from .layout import PANES, TITLES, PaneSwitcher
from .widgets.header import BoardHeader

if TYPE_CHECKING:
    from warroom.session import Session
    from warroom.store import EventStore

    from .app import WarroomApp


class BoardFrame(Screen[None]):
    """The board before it exists: its header ("loading…"), its four panes, empty, laid out as the
    board's (``app.tcss``, the narrow layout too) and its keys in the footer. Plain containers,
    not the panes' widgets: fewer widgets to style and draw before the first frame."""

    BINDINGS: ClassVar = [*bindings(BOARD_KEYS), *bindings(PANE_KEYS)]

    def __init__(self, incident_id: str, me: str) -> None:
        super().__init__()
        self.header = BoardHeader(incident_id, me, id="header")
        self.panes = PaneSwitcher(self)

    def compose(self) -> ComposeResult:
        yield self.header
        with Vertical(id="workstreams-pane", classes="pane"):
            yield _Focus()  # the board starts with the Workstreams pane focused
        with Horizontal(id="middle"):
            yield Vertical(id="commander-pane", classes="pane")
            yield Vertical(id="responders-pane", classes="pane")
        yield Vertical(id="timeline-pane", classes="pane")
        yield BoardFooter()

    def on_mount(self) -> None:
        for pane in PANES:
            self.query_one(f"#{pane}").border_title = TITLES[pane]
        self.header.show(None, self.header.me, loading=True)

    def on_resize(self, event: Resize) -> None:
        self.panes.fit(event.size)


class _Focus(Widget, can_focus=True):
    DEFAULT_CSS = "_Focus { height: 1fr; }"


def run_frame_first(incident_id: str, me: str, ui: tuple[str, Mapping[str, str]], prepare: Callable[[], tuple[Session, str]]) -> int:
    """Paint the frame of ``incident_id``'s board, then ``prepare`` (in a thread) the session
    and the incident to open; the exit code. Raises what ``prepare`` or opening raised."""
    from .app import WarroomApp

    opened: list[EventStore] = []

    async def open_board(app: WarroomApp) -> None:
        try:
            session, incident = await asyncio.to_thread(_prepared, prepare)
            from .launch import board_acting
            from .screens.board import BoardScreen

            app.configure(session.config)
            store = session.open_store()
            opened.append(store)
            board = BoardScreen(session.room(store, incident), session.config, acting=board_acting(session, store))
        except Exception as error:
            app.startup_error = error
            app.exit(return_code=1)
            return
        await app.switch_screen(board)

    async def run() -> WarroomApp:
        app = WarroomApp(lambda: BoardFrame(incident_id, me), ui=ui, then=open_board)
        try:
            await app.run_async()
        finally:
            for store in opened:
                try:
                    await store.aclose()
                except Exception:
                    pass
        return app

    app = asyncio.run(run())
    from .launch import finish

    return finish(app)


def _prepared(prepare: Callable[[], tuple[Session, str]]) -> tuple[Session, str]:
    """``prepare``, then the board's modules imported here too: off the event loop, which keeps the frame drawn."""
    prepared = prepare()
    from . import launch  # noqa: F401
    from .screens import board  # noqa: F401

    return prepared
