"""Modals that stay open over the live board while others act, and keep up with it.

The action items list and a workstream's story both show what the incident says now; rather
than each watching the state its own way, they compare the board's state seq a few times a
second (one integer) and redraw only when it moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import ModalScreen

if TYPE_CHECKING:
    from ..board_api import Board

REDRAW_SECONDS = 0.25


class LiveModal(ModalScreen[None]):
    """Subclasses draw in ``redraw`` (calling ``drawn``) and close with ``action_close``."""

    def __init__(self, board: Board) -> None:
        super().__init__()
        self.board = board
        """The live board this modal is open over (and acts through)."""
        self._drawn_seq = -1

    @property
    def moved(self) -> bool:
        """The incident moved on since the last redraw."""
        return self.board.state.seq != self._drawn_seq

    def on_mount(self) -> None:
        self.redraw()
        self.set_interval(REDRAW_SECONDS, self._redraw_if_moved)

    def _redraw_if_moved(self) -> None:
        if self.moved:
            self.redraw()

    def redraw(self) -> None:
        raise NotImplementedError

    def drawn(self) -> None:
        """``redraw`` showed the state as it is now."""
        self._drawn_seq = self.board.state.seq

    def action_close(self) -> None:
        self.dismiss(None)
