"""How a board draws: everything once when it joins, then only what each new event touched.

Each event type says which parts of the board it redraws (``Body.redraws``); ``sync``
collects them over the entries applied since the last draw and redraws one workstream
row, one responder row, one timeline line -- never the whole board. What others did to
you pops up as a toast (``model/toasts.py``). Clock-driven values (time on shift, update due,
staleness, fatigue) refresh on two timers. A mixin of ``screens.board.BoardScreen``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

from warroom.incident import events as ev
from warroom.incident.state import TimelineEntry
from warroom.notify import records_for_folder

from .keys import role_key_ids
from .model.catchup import catch_up
from .screens.info import CatchUpScreen, ConfirmScreen
from .toast_placement import arrange as arrange_toasts
from .model.toasts import About, Seen, toast_for
from .widgets.deliveries import failing_lines, failing_on_server


class Drawing:
    """Mixed into ``BoardScreen`` (``self`` is the board)."""

    def _draw_all(self) -> None:
        state, now = self.state, self.clock()
        self.header.show(state, self.me)
        self.workstreams.show(state, self.me, now, self.policy)
        self.responders.show(state, self.me, now, self.policy)
        self.summary.show(state, self.me, now, self.policy)
        self.broadcasts.show(state)
        self.timeline.set_entries(state.timeline, state.declared_at)
        self.footer.put_first(role_key_ids(state.roles_of(self.me)))
        self._seen = {ws.id: Seen.of(ws) for ws in state.workstreams.values()}
        self._commander = state.commander
        self._shown_seq = state.seq
        self._reloads_drawn = self.room.reloads
        self._remind(now)

    def sync(self) -> None:
        """Draw the entries applied since the last draw, touching only what they changed."""
        if not self.ready:
            return
        if self.room.reloads != self._reloads_drawn:
            self._draw_all()
            self.notify("the log was replaced (warroom import --replace); reloaded", severity="warning", timeout=20)
            return
        state = self.state
        fresh = state.timeline[bisect.bisect_right(state.timeline, self._shown_seq, key=lambda e: e.seq) :]
        if not fresh:
            return
        self._shown_seq = state.seq
        dirty = _Dirty()
        for entry in fresh:
            self.timeline.append(entry)
            if not entry.rejected:
                dirty.add(entry)
                self._toast(entry)
                self._offer_join(entry)
        dirty.workstreams.update(ws_id for ws_id in state.workstreams if ws_id not in self._seen)  # just opened
        self._redraw(dirty)
        self._commander = state.commander

    def _redraw(self, dirty: _Dirty) -> None:
        state, now = self.state, self.clock()
        if "rows" in dirty.parts:
            dirty.workstreams = set(state.workstreams)
            dirty.people = set(state.responders)
        for ws_id in sorted(dirty.workstreams):
            ws = state.workstream(ws_id)
            if ws is None:
                continue
            dirty.people.update(h for h in (self._seen.get(ws_id, Seen()).owner, ws.owner) if h)
            self.workstreams.show_one(state, ws, self.me, now, self.policy)
            self._seen[ws_id] = Seen.of(ws)
        for handle in sorted(dirty.people):
            self.responders.show_one(state, handle, self.me, now, self.policy)
        if "header" in dirty.parts:
            self.header.show(state, self.me)
        if "command" in dirty.parts:
            self.summary.show(state, self.me, now, self.policy)
            self.footer.put_first(role_key_ids(state.roles_of(self.me)))
        if "broadcasts" in dirty.parts:
            self.broadcasts.show(state)
        if "stars" in dirty.parts:
            self.timeline.restyle()
        self._remind(now)
        self._withdraw_stale_toasts()

    def _tick(self) -> None:
        """Every second: the clock-driven lines of the commander pane, and the update reminder."""
        if self.ready:
            now = self.clock()
            self.summary.show(self.state, self.me, now, self.policy)
            self._remind(now)
            arrange_toasts(self.app.screen)  # a toast that expired lets an older one show

    def _remind(self, now: datetime) -> None:
        reminder = self.reminder.check(self.state, self.me, now, self.policy)
        self.header.overdue = reminder.header
        if self._reminder_toast is not None and (reminder.alert or not reminder.header):
            self.app.withdraw(self._reminder_toast)  # the update was sent or snoozed: no longer owed
            self._reminder_toast = None
        if reminder.alert:
            self._reminder_toast = self.notify(reminder.alert, title="stakeholder update", severity="warning", timeout=30)
            if self.config.ui.bell:
                self.app.bell()

    def _withdraw_stale_toasts(self) -> None:
        """Take down each toast whose condition no longer holds ("set status mitigated" once it is)."""
        state, kept = self.state, []
        for notification, lasts_while in self._condition_toasts:
            if lasts_while(state):
                kept.append((notification, lasts_while))
            else:
                self.app.withdraw(notification)
        self._condition_toasts = kept

    def _slow_tick(self) -> None:
        """Every 30 s: time since update, staleness, time on shift and fatigue."""
        if self.ready:
            now = self.clock()
            self._show_deliveries()
            self.workstreams.show(self.state, self.me, now, self.policy)
            self.responders.show(self.state, self.me, now, self.policy)

    def _show_deliveries(self) -> None:
        """The commander's line about failing notification targets (nobody else's business)."""
        store = self.room.store
        folder = getattr(store, "folder", None)
        if self.state.commander != self.me:
            self.deliveries.show([])
        elif folder is not None:
            self.deliveries.show(failing_lines(records_for_folder(folder)))
        else:
            self.run_worker(self._server_deliveries(store), group="deliveries", exclusive=True, exit_on_error=False)

    async def _server_deliveries(self, store: object) -> None:
        self.deliveries.show(await failing_on_server(store))

    def refresh_clocks(self) -> None:
        """Run both timers' work now (tests and a resumed terminal)."""
        self._tick()
        self._slow_tick()

    def _restyle(self) -> None:
        self.workstreams.restyle()
        self.responders.restyle()
        self.timeline.restyle()
        if self.ready:
            self.header.show(self.state, self.me)
            self.broadcasts.show(self.state)

    def _toast(self, entry: TimelineEntry) -> None:
        """Pop up what others did that you must know now: broadcasts and things done to you."""
        state = self.state
        ws = state.workstream(entry.workstream) if entry.workstream else None
        seen = self._seen.get(entry.workstream or "", Seen())
        toast = toast_for(About(entry, state, self.me, ws, seen, self._commander))
        if toast is not None:
            shown = self.notify(toast.message, title=toast.title, severity=toast.severity, timeout=toast.timeout)  # type: ignore[arg-type]
            if toast.lasts_while is not None:
                self._condition_toasts.append((shown, toast.lasts_while))

    def _offer_join(self, entry: TimelineEntry) -> None:
        """A merge just closed this incident as a duplicate: offer to carry on in the other one."""
        other, state = self.state.duplicate_of, self.state
        if entry.type != "incident_linked" or other is None or state.closed_at != entry.at:
            return

        def answered(join: bool | None) -> None:
            if join:
                self.join_other(other)

        question = ConfirmScreen(
            f"{state.id} is a duplicate of {other}",
            f"{state.id} is closed: the work goes on in {other}. Join {other} now?",
            yes=f"Join {other}",
            no="Stay here",
            undoable=True,
        )
        self.app.push_screen(question, answered)

    def show_catch_up(self, since: int, title: str) -> None:
        summary = catch_up(self.state, self.me, since, self.clock())
        if summary:
            self.app.push_screen(CatchUpScreen(title, summary.text_lines()))


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
