"""Starting the App: what ``warroom`` (the lobby), ``warroom join`` and ``warroom replay`` run.

One App and one store, opened once in the App's own event loop, for the lobby and every
board opened from it (and for the board a merge's "join the other" opens in place of
this one). Who acts is asked while the first screen loads, not before the App starts
(on a server: one round trip saved).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.safetext import safe_line
from warroom.store import EventStore, StoreUnavailable

from textual.screen import Screen

from .app import WarroomApp
from .board.screen import BoardScreen

if TYPE_CHECKING:
    from warroom.config import Config
    from warroom.incident.keyframes import History, Moment
    from warroom.session import Session


def board_acting(ctx: Session, store: EventStore) -> Callable[[], Awaitable[str]]:
    """Who a board acts as: the token's owner on a server; the configured handle while it is away."""

    async def acting() -> str:
        try:
            return await ctx.acting_handle(store)
        except StoreUnavailable:
            return ctx.handle  # the server cannot be reached yet: the configured handle

    return acting


def run_board(ctx: Session, incident_id: str) -> int:
    """``warroom join``: open the board for ``incident_id`` as ``ctx.handle``; returns the exit code."""
    return asyncio.run(_run(ctx, lambda store: board_screen(ctx, store, incident_id)))


def run_lobby(ctx: Session) -> int:
    """``warroom`` / ``warroom lobby``: the lobby, and the boards opened from it."""
    return asyncio.run(_run(ctx, lambda store: lobby_screen(ctx, store)))


def board_screen(ctx: Session, store: EventStore, incident_id: str) -> BoardScreen:
    """The board ``warroom join`` opens on ``store``."""
    return BoardScreen(ctx.room(store, incident_id), ctx.config, acting=board_acting(ctx, store))


def lobby_screen(ctx: Session, store: EventStore) -> Screen:
    """The lobby ``warroom`` opens on ``store``."""
    from .lobby import LobbyScreen

    async def acting() -> str:
        return await ctx.acting_handle(store)

    return LobbyScreen(store, ctx.handle, ctx.config, acting=acting, board_acting=board_acting(ctx, store))


async def _run(ctx: Session, first: Callable[[EventStore], Screen]) -> int:
    store = ctx.open_store()
    try:
        app = WarroomApp(lambda: first(store), ctx.config)
        await app.run_async()
    finally:
        try:
            await store.aclose()
        except Exception:
            pass
    return finish(app)


def finish(app: WarroomApp) -> int:
    """Once the App has ended: raise what stopped it opening, say why a board closed; the exit code."""
    if app.startup_error is not None:
        raise app.startup_error
    if app.exit_message:
        print(safe_line(f"warroom: {app.exit_message}"), file=sys.stderr)
    return app.return_code or 0


def run_replay(ctx: Session, history: History, incident_id: str, moment: Moment) -> int:
    """``warroom replay``: the history is read already (a bad ``--at`` failed before any screen)."""
    app = replay_app(history, incident_id, ctx.handle, moment, ctx.config)
    asyncio.run(app.run_async())
    return app.return_code or 0


def replay_app(history: History, incident_id: str, me: str, moment: Moment, config: Config | None = None, *, themes_dir: Path | None = None) -> WarroomApp:
    """The App showing a replay with no live board behind it (``warroom replay``): Esc or q end it."""
    from .screens.replay import ReplayScreen  # not for a board that never replays: start-up

    return WarroomApp(lambda: ReplayScreen(history, incident_id, me, moment, alone=True), config, themes_dir=themes_dir, title="warroom replay")


def lobby_app(store: EventStore, me: str, config: Config | None = None, *, themes_dir: Path | None = None, **lobby: Any) -> WarroomApp:
    """The App starting on the lobby (``warroom``); ``lobby``: ``LobbyScreen``'s options."""
    from .lobby import LobbyScreen  # not for ``warroom join``: start-up

    config = config or Config()
    return WarroomApp(lambda: LobbyScreen(store, me, config, **lobby), config, themes_dir=themes_dir)
