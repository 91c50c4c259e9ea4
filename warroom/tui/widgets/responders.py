"""The Responders pane: who is here, in which role, on shift or not, and for how long."""

from __future__ import annotations

from datetime import datetime

from warroom.incident import IncidentState, Policy
from warroom.incident.state import Responder

from warroom.words import fatigue_word

from ..format import coarse_duration, roles_label, shift_label
from .table import BoardTable, Cell

_SHIFT_STYLE = {"on": "$shift-on", "break": "$shift-break", "off": "$shift-off"}
_FATIGUE_STYLE = {"limit": "$fatigue-limit bold", "warn": "$fatigue-warn"}


def responder_cells(state: IncidentState, r: Responder, me: str, now: datetime, policy: Policy) -> tuple[Cell, ...]:
    handle: Cell = (f"▸ {r.handle} (you)", "$you bold") if r.handle == me else f"  {r.handle}"
    roles = roles_label(state, r.handle)
    role: Cell = (roles, "bold") if "commander" in roles else roles
    shift: Cell = (shift_label(r), _SHIFT_STYLE.get(r.shift, ""))
    if r.shift == "off":
        on: Cell = "-"
    else:
        fatigue = r.fatigue(now, policy)
        spent = coarse_duration(r.time_on_shift(now))
        on = (f"{spent} {fatigue_word(fatigue)}", _FATIGUE_STYLE[fatigue]) if fatigue else spent
    owned = len(state.owned_by(r.handle))
    return (handle, role, shift, on, str(owned) if owned else "-")


class ResponderTable(BoardTable):
    """One row per responder, keyed by handle; your own row is marked."""

    COLUMNS = (("handle", "Responder"), ("role", "Role"), ("shift", "Shift"), ("on", "On shift"), ("owns", "Owns"))

    def show(self, state: IncidentState, me: str, now: datetime, policy: Policy) -> None:
        for r in state.responders.values():
            self.sync_row(r.handle, responder_cells(state, r, me, now, policy))

    def show_one(self, state: IncidentState, handle: str, me: str, now: datetime, policy: Policy) -> None:
        r = state.responders.get(handle)
        if r is not None:
            self.sync_row(handle, responder_cells(state, r, me, now, policy))
