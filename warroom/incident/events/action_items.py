"""Events about action items, the follow-ups for after the incident (worked on after close too)."""

from datetime import date
from typing import Literal

from pydantic import Field

from .base import (
    ActionItemId,
    ActionKind,
    ActionStatus,
    Body,
    Handle,
    Note,
    Text,
    is_none,
)


class ActionItemAdded(Body):
    """A follow-up for after the incident; the fold numbers them A-1, A-2 ... in log order."""

    type: Literal["action_item_added"] = "action_item_added"
    text: Text
    owner: Handle | None = None
    kind: ActionKind = "corrective"
    due: date | None = Field(None, exclude_if=is_none)


class ActionItemEdited(Body):
    """An action item's words, owner and due date as they now read (each given in full: ``None``
    owner or due clears it). Kind and status keep their own events. Allowed after close, like
    the item's status: follow-ups are refined once the incident is over."""

    type: Literal["action_item_edited"] = "action_item_edited"
    item: ActionItemId
    text: Text
    owner: Handle | None = None
    due: date | None = Field(None, exclude_if=is_none)


class ActionItemStatusSet(Body):
    """Follow an action item through: in progress, done, won't do (with a reason), or open again.
    Allowed after the incident is closed: that is when action items are worked on."""

    type: Literal["action_item_status_set"] = "action_item_status_set"
    item: ActionItemId
    status: ActionStatus
    reason: Note = ""
