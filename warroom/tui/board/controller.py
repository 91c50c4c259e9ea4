"""The one runner of the board's actions, and the one way the board submits an event.

``action_table.ACTIONS`` says what each key does; ``BoardController.run`` does it the same way
for all of them: refuse if the board is still loading, find the target, ask the rules,
ask the question (a form or a yes/no), build the bodies, submit each, then follow up.
A refusal, a store that is away, or a bad answer becomes a toast, never a traceback.
Kept apart from the App so the App only composes, follows and draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from inspect import isawaitable
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from warroom.incident import events as ev
from warroom.store import Queued, Rejected, StoreError, StoreUnavailable
from warroom.words import validation_problem

from .action_table import ACTIONS, Action, Ask, Refusal, Values
from ..model.catchup import since_for
from ..textual_private import message_clock

if TYPE_CHECKING:
    from ..board_api import Board, Shared


class BoardController:
    def __init__(self, board: Board) -> None:
        self.board = board
        self.room = board.room

    # --- the runner ------------------------------------------------------------------

    async def run(self, name: str, **arguments: Any) -> None:
        """Run the action ``name`` (a key of ``ACTIONS``) start to end."""
        if not self.can_act():
            return
        ask = Ask(self.room, self.board, since=since_for(self.room.state, self.room.actor))
        row = ACTIONS[name]
        action = row if isinstance(row, Action) else row(ask)
        if action.target is not None:
            try:
                ask.target = action.target(self.board, **arguments)
            except Refusal as refusal:
                if refusal.reason:
                    self.refuse(refusal.reason, action)
                return
        if action.probes is not None and (reason := self._probe(action.probes(ask))) is not None:
            self.refuse(reason, action)
            follow = action.when_refused(ask, reason) if action.when_refused else None
            if follow is not None:
                screen, then, then_arguments = follow
                self.board.app.push_screen(screen, partial(self._follow_up, then, then_arguments))
            return
        if action.confirm is not None and (question := action.confirm(ask)) is not None:
            self.board.app.push_screen(question, partial(self._confirmed, action, ask))
        else:
            await self._ask_words(action, ask)

    async def _ask_words(self, action: Action, ask: Ask) -> None:
        form = action.form(ask) if action.form is not None else None
        if form is not None:
            self.board.app.push_screen(form, partial(self._answered, action, ask))
        else:
            await self._complete(action, ask, {})

    def _probe(self, bodies: Iterable[ev.Body]) -> str | None:
        """Refused only if every probe is: the last one's reason."""
        reason = None
        for body in bodies:
            reason = self.room.refusal(body)
            if reason is None:
                return None
        return reason

    async def _follow_up(self, name: str, arguments: dict[str, Any], yes: bool | None) -> None:
        if yes:
            await self.run(name, **arguments)

    async def _confirmed(self, action: Action, ask: Ask, yes: bool | None) -> None:
        if yes:
            await self._ask_words(action, ask)

    async def _answered(self, action: Action, ask: Ask, values: Values | None) -> None:
        if not values:
            return
        ask.answers = values
        if action.confirm_answers is not None and (question := action.confirm_answers(ask, values)) is not None:
            self.board.app.push_screen(question, partial(self._answers_confirmed, action, ask, values))
        else:
            await self._complete(action, ask, values)

    async def _answers_confirmed(self, action: Action, ask: Ask, values: Values, yes: bool | None) -> None:
        """Yes submits; no asks again with the answers kept, so nothing typed is lost."""
        if yes:
            await self._complete(action, ask, values)
        else:
            ask.revisit = action.revisit
            await self._ask_words(action, ask)

    async def _complete(self, action: Action, ask: Ask, values: Values) -> None:
        if action.run is not None:
            await action.run(ask, values)
            return
        accepted: list[bool] = []
        try:
            for body in action.submit(ask, values):
                accepted.append(await self.submit(body))
        except ValidationError as error:
            self.refuse(validation_problem(error))
            return
        if accepted and all(accepted) and action.done is not None:
            result = action.done(ask)
            if isawaitable(result):
                await result

    # --- the pieces every action shares -----------------------------------------------

    def can_act(self) -> bool:
        if not self.board.ready:
            self.board.notify("still loading the incident…")
        return self.board.ready

    def refuse(self, reason: str, action: Action | None = None) -> None:
        """``action``: refused before its form opened (what is typed next was meant for the form)."""
        if action is not None and action.form is not None:
            cast("Shared", self.board.app).typed_blind_before = message_clock()
        self.board.notify(reason, title="refused", severity="warning")

    def body(self, make: Any) -> ev.Body | None:
        """``make()``, or ``None`` after saying what was wrong with the answers."""
        try:
            return make()
        except ValidationError as error:
            self.refuse(validation_problem(error))
            return None

    async def submit(self, body: ev.Body, *, quiet: bool = False) -> bool:
        """Submit through the room; a refusal becomes a notification, never a traceback."""
        board = self.board
        try:
            await self.room.submit(body)
        except Rejected as error:
            if not quiet:
                self.refuse(error.reason)
            board.sync()
            return False
        except Queued as error:
            board.offline = True
            board.notify(f"offline: {error}", title="queued", severity="warning")
            return False
        except StoreUnavailable as error:
            board.offline = True
            board.notify(f"offline: not sent ({error})", severity="error")
            return False
        except StoreError as error:
            board.notify(str(error), severity="error")
            return False
        board.sync()
        if self.room.state.closed and isinstance(body, (ev.ActionItemAdded, ev.ActionItemEdited, ev.ActionItemStatusSet)):
            await board.action_export()  # added after close: the exports must say so too
        return True
