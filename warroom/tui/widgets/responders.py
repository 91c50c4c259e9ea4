"""The Responders pane: who is here, in which role, on shift or not, and for how long."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from warroom.people import Elsewhere, fatigue_level
from warroom.words import fatigue_word

from ..model.format import Cell, coarse_duration, roles_label, shift_label
from .panetable import PaneTable

if TYPE_CHECKING:
    from warroom.incident import IncidentState, Policy
    from warroom.incident.state import Responder

_SHIFT_STYLE = {"on": "$shift-on", "break": "$shift-break", "off": "$shift-off"}
_FATIGUE_STYLE = {"limit": "$fatigue-limit bold", "warn": "$fatigue-warn"}


def responder_cells(
    state: IncidentState, r: Responder, me: str, now: datetime, policy: Policy, elsewhere: Elsewhere | None = None
) -> tuple[Cell, ...]:
    """``elsewhere``: the other open incidents ``r`` is on shift in (and since when, counted
    into their time on shift when fatigue is counted across incidents)."""
    handle: Cell = (f"▸ {r.handle} (you)", "$you bold") if r.handle == me else f"  {r.handle}"
    roles = roles_label(state, r.handle)
    role: Cell = (roles, "bold") if state.commander == r.handle else roles
    label = shift_label(r)
    if elsewhere is not None and r.shift != "off":
        label = f"{label} · {elsewhere.words()}"
    shift: Cell = (label, _SHIFT_STYLE.get(r.shift, ""))
    if r.shift == "off":
        on: Cell = "-"
    else:
        spent_for = r.time_on_shift(now)
        if elsewhere is not None and elsewhere.since is not None:
            spent_for = max(spent_for, now - elsewhere.since)
        fatigue = fatigue_level(spent_for, policy.fatigue_warn, policy.fatigue_limit)
        spent = coarse_duration(spent_for)
        on = (f"{spent} {fatigue_word(fatigue)}", _FATIGUE_STYLE[fatigue]) if fatigue else spent
    owned = len(state.owned_by(r.handle))
    return (handle, role, shift, on, str(owned) if owned else "-")


class ResponderTable(PaneTable):
    """One row per responder, keyed by handle; your own row is marked."""

    COLUMNS = (("handle", "Responder"), ("role", "Role"), ("shift", "Shift"), ("on", "On shift"), ("owns", "Owns"))
    FLEX = "role"

    elsewhere: dict[str, Elsewhere] = {}
    """Responders also on shift in other open incidents (set by the board as it learns of them)."""

    def show(self, state: IncidentState, me: str, now: datetime, policy: Policy) -> None:
        for r in state.responders.values():
            self.sync_row(r.handle, responder_cells(state, r, me, now, policy, self.elsewhere.get(r.handle)))

    def show_one(self, state: IncidentState, handle: str, me: str, now: datetime, policy: Policy) -> None:
        r = state.responders.get(handle)
        if r is not None:
            self.sync_row(handle, responder_cells(state, r, me, now, policy, self.elsewhere.get(handle)))
