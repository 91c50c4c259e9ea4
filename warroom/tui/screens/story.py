"""The workstream story modal: Enter on a workstream row (or ``w``) opens it.

It acts on the workstream it shows, not on whatever row is highlighted underneath: its
claim / hand off / status / note keys carry the same binding ids as the board's (so a
remap in ``[ui.keymap]`` applies here too) and run the board's own actions with this
workstream as the target. It redraws itself whenever the incident moves on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from ..model.workstream_story import workstream_story
from .info import BOX_CSS
from .live import REDRAW_SECONDS, LiveModal

if TYPE_CHECKING:
    from ..board_api import Board

CLOCK_SECONDS = 30.0


class StoryScreen(LiveModal):
    DEFAULT_CSS = BOX_CSS.format(name="StoryScreen") + """
    StoryScreen > #box { height: 90%; }
    StoryScreen VerticalScroll { height: 1fr; max-height: 100%; }
    """
    BINDINGS: ClassVar = [
        Binding("escape,q", "close", "Close", id="story.close"),
        Binding("c", "act('claim')", "claim", id="claim"),
        Binding("h", "act('hand_off')", "hand off", id="hand_off"),
        Binding("u", "act('workstream_status')", "status", id="workstream_status"),
        Binding("t", "act('note')", "note", id="note"),
    ]

    def __init__(self, board: Board, ws_id: str) -> None:
        super().__init__(board)
        self.ws_id = ws_id
        self._ticks = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label(f"The story of {self.ws_id}", classes="box-title")
            with VerticalScroll():
                yield Static("", id="story-text")
            yield Static(
                "c: claim   h: hand off   u: status   t: note on it   esc: back to the board", classes="box-hint"
            )

    def _redraw_if_moved(self) -> None:
        """On every new event, and every half minute for the "ago"s."""
        self._ticks += 1
        if self.moved or self._ticks * REDRAW_SECONDS >= CLOCK_SECONDS:
            self.redraw()

    def redraw(self) -> None:
        board = self.board
        story = workstream_story(board.state, self.ws_id, board.clock())
        self.drawn()
        self._ticks = 0
        text = story.text() if story is not None else f"{self.ws_id} is not part of this incident"
        self.query_one("#story-text", Static).update(Content(text))

    @property
    def text(self) -> str:
        """What the story says now (for tests and for copying)."""
        story = workstream_story(self.board.state, self.ws_id, self.board.clock())
        return story.text() if story is not None else ""

    async def action_act(self, name: str) -> None:
        await self.board.controller.run(name, ws_id=self.ws_id)
