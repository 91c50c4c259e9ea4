"""Replay: the board as it was at any moment of the incident, read-only, with a time bar.

The review meeting's question is "what did we know at 10:14, and who was holding what?".
``ReplayScreen`` answers it with the live board's own four panes (the same widgets, fed
the state at the moment from ``keyframes.History`` instead of the room's state) and
every clock-driven number -- time on shift, fatigue, "update due", staleness -- computed
at the replayed moment, never now. Nothing here writes: each key that would change the
incident is bound on this screen to a refusal that says so, ahead of the board's own.

It opens two ways: ``warroom replay INC-42 --at ...`` (``launch.run_replay``, no live board
behind it), and ``ctrl+r`` on a live board, at the highlighted timeline entry, where Esc
goes back to the live board (which kept following the store meanwhile).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from warroom.incident.keyframes import BadMoment, History, Moment
from warroom.safetext import safe_line
from warroom.store import StoreError

from ..keys import BOARD_KEYS, PANE_KEYS, REPLAY_KEY_IDS, bindings
from ..widgets import TimelineView, WorkstreamTable
from .panes import PanesScreen

if TYPE_CHECKING:
    from textual.timer import Timer

    from ..board_api import Board

OVER_A_BOARD = frozenset({"help", "palette_alt", "quit", "quit_now"})
"""Board keys this screen answers itself, as the board would (help only over a live board)."""

SPEEDS = (1, 10, 60)
"""Play speeds: replayed seconds per real second."""
PLAY_TICK = 0.25
BAR_WIDTH = 20
"""Cells of the bar from the declaration to the last event."""
HINT = "   Esc back  [ ] { } < > step  g go to  space play  + - speed"
HINT_SHORT = "   Esc back"
READ_ONLY = "replay is read-only: {what} is refused (Esc goes back to the live board)"
READ_ONLY_ALONE = "replay is read-only: {what} is refused (join the incident to act: warroom join)"


class TimeBar(Static):
    """``REPLAY T+01:23:45 · #312 of 1,204 · 10:14:07 UTC`` and the play state."""

    DEFAULT_CSS = """
    TimeBar { height: 1; background: $warning 30%; color: $foreground; padding: 0 1; }
    """

    text = ""

    def show(self, history: History, moment: Moment, playing: bool, speed: int) -> None:
        self.text = f"REPLAY {history.describe(moment)}"
        self._progress = history.progress(moment)
        self._play = (f"▶ {speed}×" if playing else f"❚❚ {speed}×", "bold" if playing else "dim")
        self._paint()

    def on_resize(self) -> None:
        if self.text:
            self._paint()

    def _paint(self) -> None:
        """The widest telling that fits: the key hint shrinks, then the bar, rather than be cut at the edge."""
        width = self.content_size.width
        for bar, hint in ((BAR_WIDTH, HINT), (BAR_WIDTH, HINT_SHORT), (BAR_WIDTH // 2, HINT_SHORT), (BAR_WIDTH // 2, "")):
            done = round(self._progress * bar)
            content = Content.assemble(
                (self.text, "bold"),
                "  ",
                ("━" * done, "$primary"),
                ("●", "bold $primary"),
                ("─" * (bar - done), "dim"),
                "  ",
                self._play,
                (hint, "dim"),
            )
            if not width or content.cell_length <= width:
                break
        self.update(content)


class GoToScreen(ModalScreen[Moment | None]):
    """``g``: a seq, T+ or a time; a bad one is explained under the field and nothing moves."""

    DEFAULT_CSS = """
    GoToScreen { align: center middle; }
    GoToScreen > Vertical { width: 70; max-width: 95%; height: auto; background: $panel; border: thick $primary; padding: 0 1; }
    GoToScreen #goto-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="replay.goto_cancel")]

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Go to #SEQ, T+HH:MM[:SS] or a UTC time (10:14, 10:14:07)")
            yield Input(placeholder="#312   T+01:23   10:14:07", id="goto-input")
            yield Label("", id="goto-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            board = getattr(self.app, "board", None)
            now = board.clock() if board is not None else datetime.now(timezone.utc)  # the live board's clock, when under it
            moment = self.history.moment(event.value, now=now)
        except BadMoment as error:
            self.query_one("#goto-error", Label).update(safe_line(str(error)))
            return
        self.dismiss(moment)

    @on(Input.Changed)
    def _changed(self) -> None:
        self.query_one("#goto-error", Label).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)


def _refusals() -> list[Binding]:
    """Every board key but help, palette and quit, bound here (same ids, so ``[ui] keymap`` applies)
    to a refusal: they change the incident, or open a view of it as it is now."""
    return [
        Binding(k.keys, f"refuse('{k.id}')", k.description, show=False, id=k.id, key_display=k.key_display)
        for k in BOARD_KEYS
        if k.id not in REPLAY_KEY_IDS
    ]


class ReplayScreen(PanesScreen):
    """The four panes at one moment, and the keys that move the moment (stacked when small, as on the board)."""

    BINDINGS: ClassVar = [
        Binding("escape", "leave", "back", id="replay.leave"),  # first: the footer shows it even at 80 columns
        *bindings(PANE_KEYS),
        *bindings(tuple(k for k in BOARD_KEYS if k.id in OVER_A_BOARD)),
        *_refusals(),
        Binding("right_square_bracket", "step(1)", "event ▸", id="replay.next_event", key_display="]", priority=True),
        Binding("left_square_bracket", "step(-1)", "◂ event", id="replay.previous_event", key_display="[", priority=True),
        Binding("right_curly_bracket", "jump(60)", "minute ▸", id="replay.next_minute", key_display="}", priority=True),
        Binding("left_curly_bracket", "jump(-60)", "◂ minute", id="replay.previous_minute", key_display="{", priority=True),
        Binding("greater_than_sign", "jump(600)", "10 min ▸", id="replay.next_ten", key_display=">", priority=True),
        Binding("less_than_sign", "jump(-600)", "◂ 10 min", id="replay.previous_ten", key_display="<", priority=True),
        Binding("g", "go_to", "go to", id="replay.go_to", priority=True),
        Binding("space", "play", "play", id="replay.play", priority=True),
        Binding("plus,equals_sign", "speed(1)", "faster", show=False, id="replay.faster", key_display="+", priority=True),
        Binding("minus", "speed(-1)", "slower", show=False, id="replay.slower", key_display="-", priority=True),
        *(
            Binding(k.keys, k.action, k.description, show=False, id=k.id, key_display=k.key_display)
            for k in BOARD_KEYS
            if k.action.startswith("timeline(")  # search, filter, T+: on this screen's timeline
        ),
    ]

    read_only = True
    """The palette offers no key that acts while this screen is on top."""

    TITLE_SUFFIX = " (replay)"

    def __init__(self, history: History, incident_id: str, me: str, moment: Moment, *, alone: bool = False) -> None:
        super().__init__(incident_id, me, id="replay")
        self.bar = TimeBar(id="time-bar")
        self.history = history
        self.incident_id = incident_id
        self.me = me
        self.moment = moment
        self.alone = alone
        self.playing = False
        self.speed = SPEEDS[0]
        self.state = history.state_at(moment.seq)
        self._shown_seq = -1
        self._player: Timer | None = None

    def under_header(self) -> ComposeResult:
        yield self.bar

    def on_mount(self) -> None:
        self.title_panes()
        self.draw()
        self.timeline.focus()

    # --- drawing -------------------------------------------------------------------

    def draw(self) -> None:
        """Every pane at ``self.moment``: the state after its seq, every clock at its time."""
        if self.moment.seq != self._shown_seq:
            self.state = self.history.state_at(self.moment.seq)
        state, now, me = self.state, self.moment.at, self.me
        policy = state.policy
        self.header.show(state, me)
        self.bar.show(self.history, self.moment, self.playing, self.speed)
        self.workstreams.keep_only(set(state.workstreams))
        self.workstreams.show(state, me, now, policy)
        self.responders.keep_only(set(state.responders))
        self.responders.show(state, me, now, policy)
        self.summary.show(state, me, now, policy)
        self.broadcasts.show(state)
        if self.moment.seq != self._shown_seq:
            self.timeline.set_entries(state.timeline, self.history.start)  # T+ as the time bar counts it
            self._shown_seq = self.moment.seq

    def go(self, moment: Moment) -> None:
        self.moment = moment
        self.draw()

    @property
    def header_text(self) -> str:
        """What the time bar says first (``REPLAY T+... · #312 of 1,204 · 10:14:07 UTC``)."""
        return self.bar.text

    # --- moving in time --------------------------------------------------------------

    def _not_while_searching(self) -> None:
        """The time keys are priority bindings (the timeline has its own ``g``), so while a
        search is being typed, or the ``f`` list narrowed, they let the key through to it instead."""
        if self.timeline.has_keys:
            raise SkipAction()

    def action_step(self, events: int) -> None:
        self._not_while_searching()
        self._pause()
        self.go(self.history.step(self.moment, events))

    def action_jump(self, seconds: int) -> None:
        self._not_while_searching()
        self._pause()
        self.go(self.history.at_time(self.moment.at + timedelta(seconds=seconds)))

    def action_go_to(self) -> None:
        self._not_while_searching()
        self._pause()

        def chosen(moment: Moment | None) -> None:
            if moment is not None:
                self.go(moment)

        self.app.push_screen(GoToScreen(self.history), chosen)

    def action_play(self) -> None:
        self._not_while_searching()
        if self.playing:
            self._pause()
            self.draw()
            return
        if self.moment.at >= self.history.end:
            self.moment = self.history.at_seq(0) if self.history.declared_at is None else self.history.at_time(self.history.declared_at)
        self.playing = True
        self._player = self.set_interval(PLAY_TICK, self._advance, name="replay-play")
        self.draw()

    def action_speed(self, step: int) -> None:
        self._not_while_searching()
        index = SPEEDS.index(self.speed) + step
        self.speed = SPEEDS[max(0, min(index, len(SPEEDS) - 1))]
        self.draw()

    def _advance(self) -> None:
        later = self.moment.at + timedelta(seconds=PLAY_TICK * self.speed)
        if later >= self.history.end:
            self._pause()
            later = self.history.end
        self.go(self.history.at_time(later))

    def _pause(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player = None
        self.playing = False

    # --- read-only ----------------------------------------------------------------

    def action_timeline(self, what: str) -> None:
        """/ search, f filter, T the T+ column: on the replayed timeline (the live board's are under it)."""
        if what == "filter":
            self.timeline.choose_filter(self.state)
        else:
            getattr(self.timeline, f"action_{what}")()

    def action_refuse(self, key_id: str) -> None:
        key = next((k for k in BOARD_KEYS if k.id == key_id), None)
        what = (key.palette or key.description) if key else key_id
        self.refuse(what)

    def refuse(self, what: str) -> None:
        message = (READ_ONLY_ALONE if self.alone else READ_ONLY).format(what=what)
        self.app.notify(message, title="replay", severity="warning")

    @on(WorkstreamTable.Chosen)
    def _no_status(self, message: WorkstreamTable.Chosen) -> None:
        message.stop()  # the live board would open the story of the workstream as it is now
        self.refuse("workstream: its story")

    @on(TimelineView.Highlighted)
    def _highlighted(self, message: TimelineView.Highlighted) -> None:
        message.stop()  # this screen's detail line, not the live board's
        self.detail.show(message.entry)

    def action_leave(self) -> None:
        self._pause()
        if self.alone:
            self.app.exit()
        else:
            self.dismiss()

    def action_quit(self) -> None:
        """q: alone, the App ends; over a board, the board closes as its own q would."""
        self._pause()
        board = getattr(self.app, "board", None)
        if self.alone or board is None:
            self.app.exit()
        else:
            board.leave()

    def action_help(self) -> None:
        self.app.show_help()  # type: ignore[attr-defined]  # a WarroomApp's screen

    def action_command_palette(self) -> None:
        self.app.action_command_palette()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help":
            return not self.alone  # the board's help, over the board
        return True


def highlighted_seq(timeline: TimelineView) -> int | None:
    """The seq of the live timeline's highlighted entry (``None`` when it is empty)."""
    entry = timeline.highlighted
    return entry.seq if entry is not None else None


async def open_replay(board: Board) -> None:
    """``ctrl+r`` on a live board: replay from the highlighted timeline entry; Esc comes back."""
    if isinstance(board.app.screen, ReplayScreen):
        return
    try:
        history = await board.room.history()
    except StoreError as error:  # the store did not answer: the live board carries on
        board.notify(f"replay: could not read the log: {error}", severity="error")
        return
    seq = highlighted_seq(board.timeline)
    moment = history.at_seq(seq if seq is not None else history.last_seq)
    await board.app.push_screen(ReplayScreen(history, board.room.incident_id, board.me, moment))


__all__ = ["ReplayScreen", "TimeBar", "highlighted_seq", "open_replay"]
