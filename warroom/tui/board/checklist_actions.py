"""The board's checklist and field actions, as rows for ``action_table.ACTIONS``.

Ticking or unticking an item, adding one (the commander), and setting one of the
playbook's fields (``F`` on the board, ``f`` in the checklist view): each asks the rules
before a form opens and submits one event, like every other key of the board.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from warroom.incident import IncidentState
from warroom.incident import events as ev
from warroom.incident.playbook import CHECKLIST_ROLES, STAGES, ChecklistItem, FieldState, fill_template, parse_value, show_value, takes

from .action_row import Action, ActionRow, Ask, Refusal, Values
from ..screens.form_screen import Field, FormScreen

if TYPE_CHECKING:
    from ..board_api import Board


def first_update(state: IncidentState) -> str:
    """The playbook's first stakeholder update with its fields filled in, until a stakeholder update is sent."""
    if not state.first_update or state.last_stakeholder_update is not None:
        return ""
    return fill_template(state.first_update, state.fields)


def _item(board: Board, item: str) -> ChecklistItem:
    found = board.state.checklist.get(item)
    if found is None:
        raise Refusal(f"there is no checklist item {item}")
    return found


def _fields(board: Board) -> list[FieldState]:
    if not board.state.fields:
        raise Refusal("this incident has no fields: its playbook defines none" if board.state.playbook else "this incident has no playbook, so no fields")
    return list(board.state.fields.values())


def item_form() -> FormScreen:
    return FormScreen(
        "Add a checklist item",
        [
            Field("text", "Item", required=True, placeholder="what must not be forgotten", max_length=ev.MAX_TITLE, one_line=True),
            Field("role", "Whose", "choice", value="everyone", choices=tuple((r, r) for r in CHECKLIST_ROLES)),
            Field("stage", "Stage", "choice", value="mitigate", choices=tuple((s, s) for s in STAGES)),
            Field("required", "Before close?", "choice", value="no", choices=(("no", "optional"), ("yes", "required before close"))),
        ],
    )


def field_form(fields: list[FieldState]) -> FormScreen:
    """Each field offered with its value and what it takes; a value that will not do keeps the form open."""
    choices = tuple((f.name, f"{f.label}: {show_value(f.kind, f.value)}  ({takes(f.kind, f.choices)})") for f in fields)
    unset = next((f.name for f in fields if f.value is None), fields[0].name)
    by_name = {f.name: f for f in fields}

    def value_problem(values: dict[str, str]) -> tuple[str, str] | None:
        found = by_name[values["name"]]
        text = values.get("value", "").strip()
        try:
            parse_value(found.kind, text, found.choices) if text else None
        except ValueError as error:
            return "value", f"{found.label}: {error}"
        return None

    return FormScreen(
        "Set a field",
        [
            Field("name", "Field", "choice", value=unset, choices=choices),
            Field("value", "Value", placeholder="1200, yes/no, 2h30m, a choice's word; empty clears it", max_length=200, one_line=True),
        ],
        intro="Every board, the post-mortem's Impact section and (for public fields) the status page show it.",
        check=value_problem,
    )


def _field_body(ask: Ask, v: Values) -> Iterable[ev.Body]:
    found = ask.state.fields.get(v["name"])
    if found is None:
        raise Refusal(f"there is no field {v['name']}")
    text = v.get("value", "").strip()
    try:
        value = parse_value(found.kind, text, found.choices) if text else None
    except ValueError as error:
        ask.board.controller.refuse(f"{found.label}: {error}")
        return []
    return [ev.FieldSet(name=found.name, value=value)]


CHECKLIST_ACTIONS: dict[str, ActionRow] = {
    "checklist_tick": Action(
        target=_item,
        submit=lambda a, v: [ev.ChecklistTicked(item=a.target.id, done=not a.target.done)],
    ),
    "checklist_add": Action(
        probes=lambda a: [ev.ChecklistItemAdded(text="probe")],
        form=lambda a: item_form(),
        submit=lambda a, v: [
            ev.ChecklistItemAdded(text=v["text"], role=v["role"], stage=v["stage"], required=v["required"] == "yes")
        ],
    ),
    "set_field": Action(target=_fields, form=lambda a: field_form(a.target), submit=_field_body),
}
