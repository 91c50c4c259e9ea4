"""What a board action is about: the highlighted workstream, the offer made to you, the entry
under the cursor, someone else on shift. Each raises ``Refusal`` (saying why) when there is nothing
to act on; ``action_table``'s rows name them as their ``target``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.incident import IncidentState
from warroom.incident.state import Workstream

from .action_row import Refusal

if TYPE_CHECKING:
    from ..board_api import Board


def workstream_in_view(board: Board) -> str | None:
    """The workstream a workstream key acts on, as the responder sees it: with the timeline
    focused, the highlighted entry's workstream when it has one; else the Workstreams pane's
    selected row (kept clearly marked when that pane is not focused)."""
    if board.timeline.has_focus:
        entry = board.timeline.highlighted
        if entry is not None and entry.workstream and board.state.workstream(entry.workstream) is not None:
            return entry.workstream
    return board.workstreams.highlighted_key


def highlighted_workstream(board: Board, ws_id: str | None = None) -> Workstream:
    """The workstream named by ``ws_id``, else the one in view (``workstream_in_view``)."""
    state = board.state
    if ws_id:
        ws = state.workstream(ws_id)
        if ws is None:
            raise Refusal(None)
        return ws
    key = workstream_in_view(board)
    ws = state.workstream(key) if key else None
    if ws is None:
        raise Refusal("no workstream highlighted: open one with n" if not state.workstreams else "no workstream highlighted")
    return ws


def offers_to(state: IncidentState, me: str) -> list[tuple[str, str]]:
    """Every offer waiting for ``me``, as (``"command"`` or a workstream id, who offered it and the note)."""
    offers = []
    if (command := state.command_offer) and command.to == me:
        offers.append(("command", _offer_label("command", command.offered_by, command.note)))
    for ws in state.pending_for(me):
        assert ws.pending is not None  # pending_for: the workstreams with an offer
        offers.append((ws.id, _offer_label(f"{ws.id} “{ws.title}”", ws.pending.offered_by, ws.pending.note)))
    return offers


def _offer_label(what: str, by: str | None, note: str) -> str:
    return f"{what}, from {by or 'nobody'}" + (f": {note}" if note else "")


def offer_for_me(board: Board) -> str | list[tuple[str, str]]:
    """What y / Y answer: the offer the highlighted row is about, else the only one, else every
    offer (the action then asks which)."""
    state, me = board.state, board.me
    key = board.workstreams.highlighted_key
    ws = state.workstream(key) if key else None
    if ws and ws.pending and ws.pending.to == me:
        return ws.id
    offers = offers_to(state, me)
    if not offers:
        raise Refusal("nothing has been offered to you")
    return offers[0][0] if len(offers) == 1 else offers


def highlighted_entry(board: Board):
    """The timeline entry under the cursor, and whether the timeline was following new entries."""
    entry = board.timeline.highlighted
    if entry is None:
        raise Refusal("the timeline is empty")
    return entry, board.timeline.auto_follow


def note_about(board: Board, ws_id: str | None = None):
    """The workstream a note may be about -- ``ws_id`` (from its story), else the highlighted row --
    and whether that is the default answer: only from its story. The board opens with the
    Workstreams pane focused, so a plain ``t`` must not file notes under whatever row is highlighted."""
    if ws_id:
        return board.state.workstream(ws_id), True
    key = board.workstreams.highlighted_key
    return (board.state.workstream(key) if key else None), False


def _anyone_else_on_shift(board: Board) -> bool:
    return any(r.handle != board.me for r in board.state.on_shift())


def someone_else_on_shift(board: Board) -> None:
    if not _anyone_else_on_shift(board):
        raise Refusal("nobody else is on shift to take command")


def workstream_to_hand_off(board: Board, ws_id: str | None = None) -> Workstream:
    """The workstream to hand off (``highlighted_workstream``), once someone else is on shift to take it."""
    ws = highlighted_workstream(board, ws_id)
    if not _anyone_else_on_shift(board):
        raise Refusal(f"nobody else is on shift to take {ws.id}: they join with `warroom join {board.state.id}`")
    return ws
