"""What a board action is: the ``Action`` row, the ``Ask`` it decides from, and ``Refusal``.

``action_table.py`` is the table of rows; ``controller.py`` runs them. Kept apart from both so
the table reads as a table and the runner depends only on these shapes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from warroom.incident import IncidentState, Policy
from warroom.incident import events as ev
from warroom.room import Room

from ..screens.form_screen import FormScreen
from ..screens.info import ConfirmScreen

if TYPE_CHECKING:
    from ..board_api import Board

Values = Mapping[str, str]


class Refusal(Exception):
    """An action cannot start; ``reason`` is said as a refusal toast (``None``: say nothing)."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason)
        self.reason = reason


class RoomView:
    """Read-through to ``self.room``: the incident as it is now, its policy, and who acts."""

    __slots__ = ()
    room: Room

    @property
    def state(self) -> IncidentState:
        return self.room.state

    @property
    def policy(self) -> Policy:
        return self.room.policy

    @property
    def me(self) -> str:
        return self.room.actor


@dataclass(slots=True)
class Ask(RoomView):
    """What an action decides from: the room (its live state), the board, and its target."""

    room: Room
    board: Board
    target: Any = None
    """What the action is about, as its ``target`` row found it (a workstream, an offer, an entry)."""
    since: int = 0
    """Where the responder's catch-up starts, taken when the key was pressed."""
    answers: Values = field(default_factory=dict)
    """The form's last answers (a form asked again after a "no" starts from them)."""
    revisit: str | None = None
    """The field a form asked again starts on: the one the "no" was about."""

    @property
    def others(self) -> list[str]:
        """Everyone else on shift: who work or command can go to."""
        return [r.handle for r in self.state.on_shift() if r.handle != self.me]


Follow = tuple[ConfirmScreen, str, dict[str, Any]]
"""A question to ask after a refusal, and the action (with arguments) to run on yes."""


@dataclass(frozen=True, slots=True)
class Action:
    submit: Callable[[Ask, Values], Iterable[ev.Body]]
    """The bodies to submit, in order, from the form's answers (``{}`` without a form)."""
    target: Callable[..., Any] | None = None
    """``(board, **arguments) -> target``; raises ``Refusal`` when there is nothing to act on."""
    probes: Callable[[Ask], Iterable[ev.Body]] | None = None
    """Bodies asked of the rules before anything opens; refused only if every one is (the last one's reason)."""
    form: Callable[[Ask], FormScreen | None] | None = None
    """The words to ask for (``None`` from it: nothing to ask this time)."""
    confirm: Callable[[Ask], ConfirmScreen | None] | None = None
    """A yes/no asked before the form (or before submitting, without one), when this returns one."""
    done: Callable[[Ask], object] | None = None
    """Run after every body was accepted."""
    when_refused: Callable[[Ask, str], Follow | None] | None = None
    confirm_answers: Callable[[Ask, Values], ConfirmScreen | None] | None = None
    """A yes/no asked about the form's answers before submitting; no asks the form again, filled in."""
    revisit: str | None = None
    """The field that form asked again starts on (what the yes/no was about)."""
    run: Callable[[Ask, Values], Awaitable[None]] | None = None
    """Instead of submitting bodies to this incident, do this with the answers (e.g. declare another)."""


ActionRow = Union[Action, Callable[[Ask], Action]]
"""An action, or a choice between actions made from the state when the key is pressed."""
