"""Events about the people: responders joining, their shifts and roles, and who holds command."""

from typing import Annotated, Literal

from pydantic import Field

from .base import COMMAND, COMMAND_AND_ROWS, Body, Handle, Note, Role, Shift, is_none


class ResponderJoined(Body):
    type: Literal["responder_joined"] = "responder_joined"
    redraws = COMMAND


class ShiftChanged(Body):
    """Go on shift, take a break of ``minutes``, or go off shift."""

    type: Literal["shift_changed"] = "shift_changed"
    redraws = COMMAND_AND_ROWS
    shift: Shift
    minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    tz: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+\-/]*$")] | None = Field(None, exclude_if=is_none)
    """With ``on``: the responder's IANA time zone (``Europe/Berlin``), for out-of-hours insights.
    Only its shape is checked here: a zone this machine's tz database lacks counts as UTC."""


class RoleAssigned(Body):
    type: Literal["role_assigned"] = "role_assigned"
    redraws = COMMAND_AND_ROWS
    role: Role
    handle: Handle


class RoleCleared(Body):
    type: Literal["role_cleared"] = "role_cleared"
    redraws = COMMAND_AND_ROWS
    role: Role


# --- command -------------------------------------------------------------------


class CommandHandoverOffered(Body):
    type: Literal["command_handover_offered"] = "command_handover_offered"
    redraws = COMMAND
    toast = True
    catch_up = True
    to: Handle
    note: Note = ""


class CommandHandoverAccepted(Body):
    type: Literal["command_handover_accepted"] = "command_handover_accepted"
    redraws = COMMAND_AND_ROWS
    toast = True
    catch_up = True


class CommandHandoverDeclined(Body):
    type: Literal["command_handover_declined"] = "command_handover_declined"
    redraws = COMMAND
    toast = True


class CommandAssumed(Body):
    type: Literal["command_assumed"] = "command_assumed"
    redraws = COMMAND_AND_ROWS
    toast = True
    catch_up = True
