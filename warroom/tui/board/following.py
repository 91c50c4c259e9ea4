"""How a board joins its incident and keeps up with the store.

Joining: load the incident (asking meanwhile who acts, on a server the token's owner),
offer to declare it when it does not exist, become a responder or come back on shift,
draw everything, then follow. Following: every new event is handed to ``sync`` (which
draws only what it touched); a store that goes away is retried with a growing wait and
the header says "offline" until it answers. Slowly, the other open incidents are looked
at too, for who else is on shift where. A collaborator the board owns (``BoardScreen.following``),
seeing the board through ``FollowedBoard``; its workers and timers are the screen's, so they end
with it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, Protocol, cast

from textual.message_pump import Callback
from textual.timer import Timer, TimerCallback

from warroom.incident import events as ev
from warroom.store import (
    EventStore,
    IncidentSummary,
    LogReplaced,
    Rejected,
    StoreError,
    StoreUnavailable,
    UnknownIncident,
)

from ..model.catchup import since_for
from ..model.retry import keep_following
from warroom.playbooks import LoadedPlaybooks

from ..board_api import Board, Shared
from ..playbook_choice import declaration, loaded_playbooks, playbook_field, severity_field
from ..screens.board_forms import declare_form
from .drawing import BoardDrawing, DrawnBoard

TICK_SECONDS = 1.0
SLOW_TICK_SECONDS = 30.0


class FollowedBoard(Board, DrawnBoard, Protocol):
    """The board as its joining and following see it (``board.screen.BoardScreen``): what its
    parts and its drawing see, the drawing itself, and the screen's timers."""

    @property
    def drawing(self) -> BoardDrawing: ...

    def leave(self, message: str | None = None, return_code: int = 0) -> None: ...

    def set_interval(self, interval: float, callback: TimerCallback | None = None, *, name: str | None = None, repeat: int = 0, pause: bool = False) -> Timer: ...

    def call_after_refresh(self, callback: Callback, *args: Any, **kwargs: Any) -> bool: ...


class BoardFollowing:
    """The board's joining and following, owned by ``BoardScreen`` as ``following``: who acts
    (asked while the incident loads), whether an unknown id is offered to declare, and what runs
    once the board follows (the demo's simulated responders)."""

    PEOPLE_SECONDS: ClassVar[float] = 15.0
    """How often the board looks at the other open incidents (who else is on shift where)."""

    def __init__(
        self,
        board: FollowedBoard,
        *,
        acting: Callable[[], Awaitable[str]] | None = None,
        offer_declare: bool = True,
        simulation: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.board = board
        self.acting = acting
        """Who the board acts as, asked while the incident loads (on a server: the token's owner)."""
        self.offer_declare = offer_declare
        self.simulation = simulation
        self._playbooks = LoadedPlaybooks()
        """What the declare form offered (an undeclared id's board asks to declare it)."""

    def start(self) -> None:
        """Load the incident, join it, draw it, then follow it (in the board's worker ``start``)."""
        self.board.run_worker(self._start(), group="start", exclusive=True, exit_on_error=False)

    def closed(self) -> None:
        """The board is gone: what it froze goes back to the collector (the lobby opens board after
        board in one App, and frozen cycles, every widget's, are never freed)."""
        gc.unfreeze()

    def _watch_connection(self) -> None:
        """With a server store: queue actions while offline, and show the link's state as it changes."""
        board, store = self.board, self.board.room.store
        store.queue_offline = True
        store.on_status(lambda online: setattr(board, "offline", not online))
        store.on_refused(
            lambda late: board.notify(f"refused when the server came back: {late.reason}", title="refused", severity="error", timeout=20)
        )

    _loading: asyncio.Task[str | None] | None = None
    """The load begun before the board was mounted (``load_before_mount``), if it was."""

    async def load_before_mount(self) -> None:
        """Load the incident before the board is on screen (frame first: the frame says
        "loading…" meanwhile), so the board is drawn once, loaded, instead of empty and then
        again. Never raises: what went wrong is handled as usual once the board is mounted."""
        self._loading = asyncio.ensure_future(self._load())
        await asyncio.wait([self._loading])

    @property
    def loaded_before_mount(self) -> bool:
        return self._loading is not None

    async def _load(self) -> str | None:
        """Load the incident; who acts, when the board asks (``None``: as configured)."""
        room = self.board.room
        if self.acting is None:
            await room.load()
            return None
        actor, _ = await asyncio.gather(self.acting(), room.load())
        return actor

    async def _start(self) -> None:
        self._watch_connection()
        try:
            actor = await (self._loading if self._loading is not None else self._load())
            if actor is not None:
                self._act_as(actor)
        except UnknownIncident as error:
            if self.offer_declare:
                self._ask_to_declare()
            else:
                self._leave(str(error))
            return
        except StoreUnavailable:
            self.board.offline = True
        except StoreError as error:
            self._leave(str(error))
            return
        except Exception as error:  # who acts was refused (``--as`` against another's token): the caller raises it
            cast("Shared", self.board.app).startup_error = error
            self._leave(str(error))
            return
        await self._join()

    def _act_as(self, actor: str) -> None:
        if actor != self.board.me:
            self.board.room.actor = self.board.timeline.me = actor

    def _ask_to_declare(self) -> None:
        self._playbooks = loaded_playbooks(lambda problem: self.board.notify(problem, severity="warning", markup=False))
        form = declare_form(self.board.room.incident_id, severity_field(), playbook_field(self._playbooks))
        self.board.app.push_screen(form, self._declared)

    async def _declared(self, values: dict[str, str] | None) -> None:
        room, loaded = self.board.room, self._playbooks
        if values is None:
            self._leave(f"{room.incident_id} was not declared")
            return
        published = self.board.config.status.publish_on_declare
        body = self.board.controller.body(lambda: declaration(room.incident_id, values, loaded, room.defaults, published=published))
        if body is None:
            self._ask_to_declare()
            return
        try:
            await room.submit(body)
        except Rejected:
            await room.load()  # someone declared it a moment ago: join theirs
        except StoreError as error:
            self._leave(str(error))
            return
        await self._join()

    async def _join(self) -> None:
        """Become a responder (or come back on shift), draw everything, then follow."""
        board = self.board
        state, me = board.state, board.me
        since = since_for(state, me)
        responder = state.responders.get(me)
        submit = board.controller.submit
        if state.declared and not state.closed:
            if responder is None:
                await submit(ev.ResponderJoined(), quiet=True)
            elif responder.shift == "off":
                if await submit(ev.ShiftChanged(shift="on"), quiet=True):
                    board.notify("you are on shift again (leaving the board does not take you off)")
            elif responder.shift == "break":
                board.notify(f"you are on a break until {_hhmm(responder.back_at)}: press o to come back")
        elif state.closed and state.duplicate_of:
            other = state.duplicate_of
            board.notify(f"{state.id} is closed as a duplicate of {other}: carry on there (warroom join {other})", severity="warning")
        elif state.closed:
            board.notify(
                f"{state.id} is closed: it takes only action items (a) and a reopen by its commander (X); e exports it",
                severity="warning",
            )
        board.drawing.draw_all()
        board.ready = True
        board.set_interval(TICK_SECONDS, board.drawing.tick, name="tick")
        board.set_interval(SLOW_TICK_SECONDS, board.drawing.slow_tick, name="slow-tick")
        if responder is not None or since == 0:
            board.show_catch_up(since, "While you were away" if responder is not None else f"Catching up on {state.id}")
        board.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What can wait until the joined board is on screen: following the store (from the seq
        drawn, so nothing is missed meanwhile) and the look at every other incident (on a file
        store it reads every log in the folder, this one's too, and would slow the first paint).

        What the join loaded (a long incident's state, events and timeline entries: hundreds of
        thousands of objects) lives as long as the board, so it leaves the collector's care:
        otherwise each full collection walks all of it again, and one landing inside a key
        press made that key take 1.6 s at 100,000 events."""
        gc.freeze()
        gc.enable()  # a join started frame first ran without the collector until now (``cli/early.py``)
        run = self.board.run_worker
        run(self._follow(), group="follow", exclusive=True, exit_on_error=False)
        run(self._watch_people(), group="people", exclusive=True, exit_on_error=False)
        if self.simulation is not None:
            run(self.simulation(), group="simulation", exclusive=False, exit_on_error=False)

    def _leave(self, message: str) -> None:
        self.board.leave(message, return_code=1)

    # --- following the store -------------------------------------------------------

    async def _follow(self) -> None:
        board = self.board

        def followed(_applied: object) -> None:
            board.offline = False
            board.sync()

        def offline() -> None:
            board.offline = True

        def failed(error: StoreError) -> None:
            board.notify(f"store: {error}", severity="error")

        await keep_following(self._room_events, followed, offline=offline, failed=failed, again=self._reconnect)

    async def _room_events(self) -> AsyncIterator[object]:
        """The room's own follow; a log replaced under it is drawn anew and followed on at once."""
        while True:
            try:
                async for applied in self.board.room.follow():
                    yield applied
                return
            except LogReplaced:
                self.board.sync()  # the room has folded the new log: draw it all

    async def _watch_people(self) -> None:
        """Responders also on shift in other open incidents: "also on INC-41", and their time on
        shift counted across incidents (``[ui] fatigue_across_incidents``). Polls the incident
        list slowly: shifts change in minutes, and a board must not cost the store much."""
        from warroom.people import People

        board = self.board
        summaries: dict[str, IncidentSummary] = {}
        across = board.config.ui.fatigue_across_incidents
        first_look = True
        try:
            async for changes in EventStore.watch_incidents(board.room.store, every=self.PEOPLE_SECONDS):
                if first_look:
                    # A file store folded every log for it (this incident's too, a second time):
                    # that lives as long as the board, so it leaves the collector's care as the
                    # join's did (otherwise a full collection took 150 ms inside a key at 100,000 events).
                    first_look = False
                    gc.freeze()
                if changes.complete:
                    summaries.clear()
                summaries.update((s.id, s) for s in changes.summaries)
                for gone in changes.gone:
                    summaries.pop(gone, None)
                people = People(summaries.values())
                found = {}
                for handle in board.state.responders:
                    where = people.elsewhere(handle, board.state.id)
                    if where is not None:
                        found[handle] = where if across else replace(where, since=None)
                if found != board.responders.elsewhere:
                    board.responders.elsewhere = found
                    if board.ready:
                        board.responders.show(board.state, board.me, board.clock(), board.policy)
        except StoreError:
            return  # the board itself reports the store's trouble

    async def _reconnect(self) -> None:
        """One attempt to catch up after the store failed; the hook an HTTP store resumes through."""
        try:
            await self.board.room.load()
        except StoreError:  # StoreUnavailable included: the next attempt comes after a longer wait
            return
        self.board.offline = False
        self.board.sync()

def _hhmm(at: datetime | None) -> str:
    return at.strftime("%H:%M UTC") if at else "later"
