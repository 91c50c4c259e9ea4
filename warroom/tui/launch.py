"""Starting a board: what ``warroom join`` runs, and the board the lobby opens.

One store, opened once, in the board's own event loop, for the board and for any board
a merge's "join the other" opens after it. Who acts is asked while the incident loads,
not before the board starts (on a server: one round trip saved).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from warroom.safetext import safe_line
from warroom.store import EventStore, StoreUnavailable

from .app import WarroomApp

if TYPE_CHECKING:
    from warroom.session import Session


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
