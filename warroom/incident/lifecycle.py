"""Closing and linking: what is still open when someone closes, and how a link reads from each side.

Closing is the commander's call, so nothing here refuses it: the board asks to confirm
and the CLI asks for ``--force`` when this list is not empty. A link between two incidents
is two events, one in each log; a link is one per pair of incidents (``rules.may_link``),
so writing either half again (a second run of ``warroom link``) can never record it twice.
The ids are fresh, not derived from the link: an id anyone can compute could be claimed
by a note first, making the link fail for ever.
"""

from __future__ import annotations

from .playbook import still_open_in_playbook
from .state import IncidentState

INVERSE_KIND = {
    "caused-by": "causes",
    "causes": "caused-by",
    "related": "related",
    "duplicate-of": "duplicated-by",
    "duplicated-by": "duplicate-of",
}
"""How the other log sees a link: if INC-43 was caused by INC-42, INC-42 causes INC-43."""


def still_open(state: IncidentState) -> list[str]:
    """What closing would leave behind: a status short of resolved, workstreams not done,
    offers nobody has answered, and the playbook's required items unticked and fields unset. Empty when the incident is ready to close."""
    lines = []
    if state.status != "resolved":
        lines.append(f"status is {state.status}, not resolved")
    for ws in state.workstreams.values():
        if ws.status != "done":
            lines.append(f'{ws.id} "{ws.title}" is {ws.status} ({ws.owner or "unowned"})')
    for ws in state.workstreams.values():
        if ws.pending is not None:
            lines.append(f"{ws.id} is offered to {ws.pending.to} (hand-off pending)")
    if state.command_offer is not None:
        lines.append(f"command is offered to {state.command_offer.to} (pending)")
    lines.extend(still_open_in_playbook(state.checklist, state.fields))
    return lines
