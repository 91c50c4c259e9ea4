"""The Workstreams pane: who owns what, its status, and how long since anyone said anything."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from ..model.format import Cell, away_label, coarse_duration, owner_label
from .panetable import PaneTable

if TYPE_CHECKING:
    from warroom.incident import IncidentState, Policy
    from warroom.incident.state import Workstream


def workstream_cells(state: IncidentState, ws: Workstream, me: str, now: datetime, policy: Policy) -> tuple[Cell, ...]:
    stale = not state.closed and ws.is_stale(now, policy)  # a closed incident has nothing left to chase
    title = ws.title  # the column takes the width there is, and cuts with an ellipsis
    if ws.pending:
        owner: Cell = (owner_label(ws), "$pending bold" if ws.pending.to == me else "$pending")
    elif ws.owner is None:
        owner = ("unowned", "$unowned italic")
    else:
        # An owner on a break still owns the work: say so, so nobody waits on them unknowingly.
        away = away_label(state.responders.get(ws.owner))
        label = f"{ws.owner} · {away}" if away else ws.owner
        if ws.owner == me:
            owner = (label, "$you bold")
        else:
            owner = (label, "$shift-break") if away else label
    if ws.status == "blocked":
        status: Cell = ("BLOCKED", "$blocked bold")
    elif ws.status == "done":
        status = ("done", "$refused")
    else:
        status = ws.status
    since = coarse_duration(now - ws.last_update())
    updated: Cell = (f"{since} STALE", "$stale bold") if stale else since
    ident: Cell = (ws.id, "$stale bold") if stale else (ws.id, "bold")
    return (ident, title, owner, status, updated)


class WorkstreamTable(PaneTable):
    """One row per workstream, keyed by its id (WS-1, WS-2 ...)."""

    DEFAULT_CSS = """
    /* What c, h, u, r and w act on stays plain when another pane has the focus (Textual's
       blurred cursor is a faint tint): the selected row keeps a solid, bold bar. */
    WorkstreamTable > .panetable--cursor {
        background: $primary-muted;
        color: $foreground;
        text-style: bold;
    }
    """
    COLUMNS = (("id", "ID"), ("title", "Workstream"), ("owner", "Owner"), ("status", "Status"), ("updated", "Updated"))
    FLEX = "title"

    class Chosen(Message):
        """Enter on a workstream: the board opens its story."""

        def __init__(self, workstream: str) -> None:
            super().__init__()
            self.workstream = workstream

    def show(self, state: IncidentState, me: str, now: datetime, policy: Policy) -> None:
        for ws in state.workstreams.values():
            self.sync_row(ws.id, workstream_cells(state, ws, me, now, policy))

    def show_one(self, state: IncidentState, ws: Workstream, me: str, now: datetime, policy: Policy) -> None:
        self.sync_row(ws.id, workstream_cells(state, ws, me, now, policy))

    def on_row_list_selected(self, event: PaneTable.Selected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.key))
