"""How a board draws: everything once when it joins, then only what each new event touched.

Each event type says which parts of the board it redraws (``Body.redraws``); ``sync``
collects them over the entries applied since the last draw and redraws one workstream
row, one responder row, one timeline line -- never the whole board. What others did to
you pops up as a toast (``model/toasts.py``). Clock-driven values (time on shift, update due,
staleness, fatigue) refresh on two timers. A collaborator the board owns (``BoardScreen.drawing``), seeing the board through ``DrawnBoard``.
"""

from __future__ import annotations

import bisect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from textual.notifications import Notification

from warroom.config import Config
from warroom.incident import IncidentState
from warroom.incident import events as ev
from warroom.incident.state import TimelineEntry
from warroom.notify import records_for_folder
from warroom.room import Room

from ..board_api import Acting
from ..footer import BoardFooter
from ..keys import role_key_ids
from ..model.catchup import catch_up
from ..model.reminder import UpdateReminder
from ..model.toasts import About, Seen, toast_for
from ..screens.info import CatchUpScreen, ConfirmScreen
from ..toast_placement import arrange as arrange_toasts
from ..widgets import TimelineView, WorkstreamTable
from ..widgets.commander import BroadcastFeed, CommandSummary
from ..widgets.deliveries import DeliveryHealth, failing_lines, failing_on_server
from ..widgets.header import BoardHeader
from ..widgets.responders import ResponderTable


class DrawnBoard(Acting, Protocol):
    """The board as its drawing sees it (``board.screen.BoardScreen``): the room, the panes and toasts."""

    room: Room
    config: Config
    clock: Callable[[], datetime]
    ready: bool
    header: BoardHeader
    workstreams: WorkstreamTable
    responders: ResponderTable
    summary: CommandSummary
    broadcasts: BroadcastFeed
    timeline: TimelineView
    footer: BoardFooter
    deliveries: DeliveryHealth

    def run_worker(self, work: Awaitable[None], *, group: str, exclusive: bool, exit_on_error: bool) -> Any: ...

    def join_other(self, incident_id: str) -> None: ...


class BoardDrawing:
    """The board's drawing, owned by ``BoardScreen`` as ``drawing``: what was last drawn (to
    redraw only what changed, and to word toasts about "your" work), the update reminder, and
    the toasts about a condition still on screen."""

    def __init__(self, board: DrawnBoard) -> None:
        self.board = board
        self.reminder = UpdateReminder()
        self._shown_seq = 0
        self._seen: dict[str, Seen] = {}
        """Each workstream as last drawn (for what a toast about "your" work means)."""
        self._commander: str | None = None
        self._reloads_drawn = 0
        self._reminder_toast: Notification | None = None
        """The OVERDUE toast on screen, withdrawn once the update is no longer owed."""
        self._condition_toasts: list[tuple[Notification, Callable[[IncidentState], bool]]] = []
        """Toasts about a condition, each with what must still hold for it to stay up."""

    def draw_all(self) -> None:
        state, now = self.board.state, self.board.clock()
        self.board.header.show(state, self.board.me)
        self.board.workstreams.show(state, self.board.me, now, self.board.policy)
        self.board.responders.show(state, self.board.me, now, self.board.policy)
        self.board.summary.show(state, self.board.me, now, self.board.policy)
        self.board.broadcasts.show(state)
        self.board.timeline.set_entries(state.timeline, state.declared_at)
        self.board.footer.put_first(role_key_ids(state.roles_of(self.board.me)))
        self._seen = {ws.id: Seen.of(ws) for ws in state.workstreams.values()}
        self._commander = state.commander
        self._shown_seq = state.seq
        self._reloads_drawn = self.board.room.reloads
        self._remind(now)

    def sync(self) -> None:
        """Draw the entries applied since the last draw, touching only what they changed."""
        if not self.board.ready:
            return
        if self.board.room.reloads != self._reloads_drawn:
            self.draw_all()
            self.board.notify("the log was replaced (warroom import --replace); reloaded", severity="warning", timeout=20)
            return
        state = self.board.state
        fresh = state.timeline[bisect.bisect_right(state.timeline, self._shown_seq, key=lambda e: e.seq) :]
        if not fresh:
            return
        self._shown_seq = state.seq
        dirty = _Dirty()
        for entry in fresh:
            self.board.timeline.append(entry)
            if not entry.rejected:
                dirty.add(entry)
                self._toast(entry)
                self._offer_join(entry)
        dirty.workstreams.update(ws_id for ws_id in state.workstreams if ws_id not in self._seen)  # just opened
        self._redraw(dirty)
        self._commander = state.commander

    def _redraw(self, dirty: _Dirty) -> None:
        state, now = self.board.state, self.board.clock()
        if "rows" in dirty.parts:
            dirty.workstreams = set(state.workstreams)
            dirty.people = set(state.responders)
        for ws_id in sorted(dirty.workstreams):
            ws = state.workstream(ws_id)
            if ws is None:
                continue
            dirty.people.update(h for h in (self._seen.get(ws_id, Seen()).owner, ws.owner) if h)
            self.board.workstreams.show_one(state, ws, self.board.me, now, self.board.policy)
            self._seen[ws_id] = Seen.of(ws)
        for handle in sorted(dirty.people):
            self.board.responders.show_one(state, handle, self.board.me, now, self.board.policy)
        if "header" in dirty.parts:
            self.board.header.show(state, self.board.me)
        if "command" in dirty.parts:
            self.board.summary.show(state, self.board.me, now, self.board.policy)
            self.board.footer.put_first(role_key_ids(state.roles_of(self.board.me)))
        if "broadcasts" in dirty.parts:
            self.board.broadcasts.show(state)
        if "stars" in dirty.parts:
            self.board.timeline.restyle()
        self._remind(now)
        self._withdraw_stale_toasts()

    def tick(self) -> None:
        """Every second: the clock-driven lines of the commander pane, and the update reminder."""
        if self.board.ready:
            now = self.board.clock()
            self.board.summary.show(self.board.state, self.board.me, now, self.board.policy)
            self._remind(now)
            arrange_toasts(self.board.app.screen)  # a toast that expired lets an older one show

    def _remind(self, now: datetime) -> None:
        reminder = self.reminder.check(self.board.state, self.board.me, now, self.board.policy)
        self.board.header.overdue = reminder.header
        if self._reminder_toast is not None and (reminder.alert or not reminder.header):
            self.board.withdraw(self._reminder_toast)  # the update was sent or snoozed: no longer owed
            self._reminder_toast = None
        if reminder.alert:
            self._reminder_toast = self.board.toast(reminder.alert, title="stakeholder update", severity="warning", timeout=30)
            if self.board.config.ui.bell:
                self.board.app.bell()

    def _withdraw_stale_toasts(self) -> None:
        """Take down each toast whose condition no longer holds ("set status mitigated" once it is)."""
        state, kept = self.board.state, []
        for notification, lasts_while in self._condition_toasts:
            if lasts_while(state):
                kept.append((notification, lasts_while))
            else:
                self.board.withdraw(notification)
        self._condition_toasts = kept

    def slow_tick(self) -> None:
        """Every 30 s: time since update, staleness, time on shift and fatigue."""
        if self.board.ready:
            now = self.board.clock()
            self._show_deliveries()
            self.board.workstreams.show(self.board.state, self.board.me, now, self.board.policy)
            self.board.responders.show(self.board.state, self.board.me, now, self.board.policy)

    def _show_deliveries(self) -> None:
        """The commander's line about failing notification targets (nobody else's business)."""
        store = self.board.room.store
        folder = getattr(store, "folder", None)
        if self.board.state.commander != self.board.me:
            self.board.deliveries.show([])
        elif folder is not None:
            self.board.deliveries.show(failing_lines(records_for_folder(folder)))
        else:
            self.board.run_worker(self._server_deliveries(store), group="deliveries", exclusive=True, exit_on_error=False)

    async def _server_deliveries(self, store: object) -> None:
        self.board.deliveries.show(await failing_on_server(store))

    def refresh_clocks(self) -> None:
        """Run both timers' work now (tests and a resumed terminal)."""
        self.tick()
        self.slow_tick()

    def restyle(self) -> None:
        self.board.workstreams.restyle()
        self.board.responders.restyle()
        self.board.timeline.restyle()
        if self.board.ready:
            self.board.header.show(self.board.state, self.board.me)
            self.board.broadcasts.show(self.board.state)

    def _toast(self, entry: TimelineEntry) -> None:
        """Pop up what others did that you must know now: broadcasts and things done to you."""
        state = self.board.state
        ws = state.workstream(entry.workstream) if entry.workstream else None
        seen = self._seen.get(entry.workstream or "", Seen())
        toast = toast_for(About(entry, state, self.board.me, ws, seen, self._commander))
        if toast is not None:
            shown = self.board.toast(toast.message, title=toast.title, severity=toast.severity, timeout=toast.timeout)
            if toast.lasts_while is not None:
                self._condition_toasts.append((shown, toast.lasts_while))

    def _offer_join(self, entry: TimelineEntry) -> None:
        """A merge just closed this incident as a duplicate: offer to carry on in the other one."""
        other, state = self.board.state.duplicate_of, self.board.state
        if entry.type != "incident_linked" or other is None or state.closed_at != entry.at:
            return

        def answered(join: bool | None) -> None:
            if join:
                self.board.join_other(other)

        question = ConfirmScreen(
            f"{state.id} is a duplicate of {other}",
            f"{state.id} is closed: the work goes on in {other}. Join {other} now?",
            yes=f"Join {other}",
            no="Stay here",
            undoable=True,
        )
        self.board.app.push_screen(question, answered)

    def show_catch_up(self, since: int, title: str) -> None:
        summary = catch_up(self.board.state, self.board.me, since, self.board.clock())
        if summary:
            self.board.app.push_screen(CatchUpScreen(title, summary.text_lines()))


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
