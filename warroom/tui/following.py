"""How a board joins its incident and keeps up with the store.

Joining: load the incident (asking meanwhile who acts, on a server the token's owner),
offer to declare it when it does not exist, become a responder or come back on shift,
draw everything, then follow. Following: every new event is handed to ``sync`` (which
draws only what it touched); a store that goes away is retried with a growing wait and
the header says "offline" until it answers. Slowly, the other open incidents are looked
at too, for who else is on shift where. A mixin of ``screens.board.BoardScreen``, kept apart
from it so the screen only composes and acts.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual import work

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

from .model.catchup import since_for
from .model.retry import keep_following
from warroom.playbooks import LoadedPlaybooks

from .playbook_choice import declaration, loaded_playbooks, playbook_field, severity_field
from .screens.board_forms import declare_form

TICK_SECONDS = 1.0
SLOW_TICK_SECONDS = 30.0


class Following:
    """Mixed into ``BoardScreen`` (``self`` is the board)."""

    _playbooks: LoadedPlaybooks
    """What the declare form offered (an undeclared id's board asks to declare it)."""

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
                self._ask_to_declare()
            else:
                self._leave(str(error))
            return
        except StoreUnavailable:
            self.offline = True
        except StoreError as error:
            self._leave(str(error))
            return
        except Exception as error:  # who acts was refused (``--as`` against another's token): the caller raises it
            self.app.startup_error = error
            self._leave(str(error))
            return
        await self._join()

    def _act_as(self, actor: str) -> None:
        if actor != self.me:
            self.room.actor = self.timeline.me = actor

    def _ask_to_declare(self) -> None:
        self._playbooks = loaded_playbooks(lambda problem: self.notify(problem, severity="warning", markup=False))
        self.app.push_screen(declare_form(self.room.incident_id, severity_field(), playbook_field(self._playbooks)), self._declared)

    async def _declared(self, values: dict[str, str] | None) -> None:
        if values is None:
            self._leave(f"{self.room.incident_id} was not declared")
            return
        loaded = self._playbooks
        body = self.controller.body(
            lambda: declaration(self.room.incident_id, values, loaded, self.room.defaults, published=self.config.status.publish_on_declare)
        )
        if body is None:
            self._ask_to_declare()
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
        self.drawing.draw_all()
        self.ready = True
        self.set_interval(TICK_SECONDS, self.drawing.tick, name="tick")
        self.set_interval(SLOW_TICK_SECONDS, self.drawing.slow_tick, name="slow-tick")
        if responder is not None or since == 0:
            self.show_catch_up(since, "While you were away" if responder is not None else f"Catching up on {state.id}")
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What can wait until the joined board is on screen: following the store (from the seq
        drawn, so nothing is missed meanwhile) and the look at every other incident (on a file
        store it reads every log in the folder, this one's too, and would slow the first paint).

        What the join loaded (a long incident's state, events and timeline entries: hundreds of
        thousands of objects) lives as long as the board, so it leaves the collector's care:
        otherwise each full collection walks all of it again, and one landing inside a key
        press made that key take 1.6 s at 100,000 events."""
        gc.freeze()
        self._follow()
        self._watch_people()
        if self.simulation is not None:
            self.run_worker(self.simulation(self), group="simulation", exit_on_error=False)

    def on_unmount(self) -> None:
        # What the board froze goes back to the collector when it closes: the lobby opens board
        # after board in one App, and frozen cycles (every widget's) are never freed.
        gc.unfreeze()

    def _leave(self, message: str) -> None:
        self.leave(message, return_code=1)

    # --- following the store -------------------------------------------------------

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def _follow(self) -> None:
        def followed(_applied: object) -> None:
            self.offline = False
            self.sync()

        def offline() -> None:
            self.offline = True

        def failed(error: StoreError) -> None:
            self.notify(f"store: {error}", severity="error")

        await keep_following(self._room_events, followed, offline=offline, failed=failed, again=self._reconnect)

    async def _room_events(self) -> AsyncIterator[object]:
        """The room's own follow; a log replaced under it is drawn anew and followed on at once."""
        while True:
            try:
                async for applied in self.room.follow():
                    yield applied
                return
            except LogReplaced:
                self.sync()  # the room has folded the new log: draw it all

    PEOPLE_SECONDS: ClassVar[float] = 15.0
    """How often the board looks at the other open incidents (who else is on shift where)."""

    @work(exclusive=True, group="people", exit_on_error=False)
    async def _watch_people(self) -> None:
        """Responders also on shift in other open incidents: "also on INC-41", and their time on
        shift counted across incidents (``[ui] fatigue_across_incidents``). Polls the incident
        list slowly: shifts change in minutes, and a board must not cost the store much."""
        from warroom.people import People

        summaries: dict[str, IncidentSummary] = {}
        across = self.config.ui.fatigue_across_incidents
        first_look = True
        try:
            async for changes in EventStore.watch_incidents(self.room.store, every=self.PEOPLE_SECONDS):
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

def _hhmm(at: datetime | None) -> str:
    return at.strftime("%H:%M UTC") if at else "later"
