"""The frame on screen first: ``warroom join`` and ``warroom lobby`` on a terminal, before the CLI and the domain load.

The App starts on ``BoardFrame`` (the board's own header, the incident and "loading…", and its
four panes, empty) or ``LobbyFrame`` (the lobby's header and its pane), in the theme and keys
the config file names. Only Textual and a few light modules are imported by then (no pydantic,
no event models, no parser: ``cli/early.py``). Once that frame is on screen (Textual's
``Ready``), the CLI's own work runs in a thread (parse, settings, checks, importing the board)
and the real screen takes the frame's place, loading as it always does; a failure ends the
App and is said as any command says it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from .footer import BoardFooter
from .keys import BOARD_KEYS, LOBBY_KEYS, PANE_KEYS, bindings
from .layout import TITLES, PaneSwitcher
from .screens.fresh import FreshScreen
from .widgets.header import BoardHeader

if TYPE_CHECKING:
    from warroom.session import Session
    from warroom.store import EventStore

    from .app import WarroomApp


class BoardFrame(FreshScreen[None]):
    """The board before it exists: its header ("loading…"), its four panes, empty, laid out as the
    board's (``app.tcss``, the narrow layout too) and its keys in the footer. Plain containers,
    not the panes' widgets: fewer widgets to style and draw before the first frame."""

    BINDINGS: ClassVar = [*bindings(BOARD_KEYS), *bindings(PANE_KEYS)]

    def __init__(self, incident_id: str, me: str) -> None:
        super().__init__()
        self.header = BoardHeader(incident_id, me, id="header")
        self.header.show(None, me, loading=True)
        self.panes = PaneSwitcher(self)

    def compose(self) -> ComposeResult:
        # Titled as they are made, not once mounted: a title set after the first layout lays
        # the frame out and draws it again (~10 ms of CPU before the board can start).
        yield self.header
        with _pane("workstreams-pane"):
            yield _Focus()  # the board starts with the Workstreams pane focused
        with Horizontal(id="middle"):
            yield _pane("commander-pane")
            yield _pane("responders-pane")
        yield _pane("timeline-pane")
        yield BoardFooter()

    def on_resize(self, event: Resize) -> None:
        self.panes.fit(event.size)


class LobbyFrame(FreshScreen[None]):
    """The lobby before it exists: its header ("loading…"), its pane and its keys (``lobby.tcss``)."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings(LOBBY_KEYS)]

    def __init__(self, me: str) -> None:
        super().__init__()
        self.me = me

    def compose(self) -> ComposeResult:
        yield Static(" · ".join(["warroom lobby", *([self.me] if self.me else []), "loading…"]), id="lobby-header", markup=False)
        with Vertical(id="incidents-pane", classes="pane"):
            yield _Focus()
        yield BoardFooter()

    def on_mount(self) -> None:
        self.query_one("#incidents-pane").border_title = "Open incidents"


def _pane(pane_id: str) -> Vertical:
    pane = Vertical(id=pane_id, classes="pane")
    pane.border_title = TITLES[pane_id]
    return pane


class _Focus(Widget, can_focus=True):
    """Where the board's first focus will be, drawing nothing (a bare ``Widget`` draws its own name)."""

    DEFAULT_CSS = "_Focus { height: 1fr; }"

    def render(self) -> str:
        return ""


def run_frame_first(
    incident_id: str | None, me: str, ui: tuple[str, Mapping[str, str]], prepare: Callable[[], tuple[Session, str | None]]
) -> int:
    """Paint the frame of ``incident_id``'s board (``None``: the lobby's), then ``prepare`` (in a
    thread) the session and the incident to open; the exit code. Raises what ``prepare`` or
    opening raised."""
    from .app import WarroomApp

    opened: list[EventStore] = []

    async def open_screen(app: WarroomApp) -> None:
        try:
            session, incident = await asyncio.to_thread(_prepared, prepare)
            from .launch import board_screen, lobby_screen

            app.configure(session.config)
            store = session.open_store()
            opened.append(store)
            if incident is None:
                screen = lobby_screen(session, store)
                screen.call_after_refresh(gc.enable)  # turned off while starting (``cli/early.py``)
            else:
                board = screen = board_screen(session, store, incident)
        except Exception as error:
            app.startup_error = error
            app.exit(return_code=1)
            return
        if incident is not None:
            await board.load_before_mount()  # drawn once, loaded; it turns the collector on again once drawn
        await app.switch_screen(screen)

    def frame() -> Screen[None]:
        return LobbyFrame(me) if incident_id is None else BoardFrame(incident_id, me)

    async def run() -> WarroomApp:
        app = WarroomApp(frame, ui=ui, then=open_screen)
        try:
            await app.run_async()
        finally:
            gc.enable()  # turned off while starting (``cli/early.py``)
            for store in opened:
                try:
                    await store.aclose()
                except Exception:
                    pass
        return app

    app = asyncio.run(run())
    from .launch import finish

    return finish(app)


def _prepared(prepare: Callable[[], tuple[Session, str | None]]) -> tuple[Session, str | None]:
    """``prepare``, then the screens' modules imported here too: off the event loop, which keeps the frame drawn."""
    prepared = prepare()
    from . import launch  # noqa: F401
    from .board import screen  # noqa: F401

    if prepared[1] is None:
        from . import lobby  # noqa: F401

    return prepared
