"""Events on the playbook's part of an incident: its checklist items ticked or added, its fields set."""

from typing import Literal

from ..playbook import ChecklistId, ChecklistRole, FieldName, FieldValue, Stage
from .base import COMMAND, Body, Title


class ChecklistTicked(Body):
    """Tick (``done``) or untick a checklist item; the timeline says who and when."""

    type: Literal["checklist_ticked"] = "checklist_ticked"
    redraws = COMMAND
    item: ChecklistId
    done: bool = True


class ChecklistItemAdded(Body):
    """The commander adds an item the playbook did not foresee; the fold numbers it next (C-n)."""

    type: Literal["checklist_item_added"] = "checklist_item_added"
    redraws = COMMAND
    text: Title
    role: ChecklistRole = "everyone"
    stage: Stage = "mitigate"
    required: bool = False


class FieldSet(Body):
    """Set one of the playbook's fields (customers affected, data lost ...); ``None`` clears it."""

    type: Literal["field_set"] = "field_set"
    redraws = frozenset({"command"})
    name: FieldName
    value: FieldValue = None
