"""Events about workstreams: opened, claimed, released, handed off, and their status."""

from typing import Literal

from pydantic import Field

from .base import Body, Handle, Note, Title, WorkstreamId, WorkstreamStatus, is_false


class WorkstreamOpened(Body):
    type: Literal["workstream_opened"] = "workstream_opened"
    catch_up = True
    title: Title


class WorkstreamClaimed(Body):
    type: Literal["workstream_claimed"] = "workstream_claimed"
    toast = True
    workstream: WorkstreamId


class WorkstreamReleased(Body):
    type: Literal["workstream_released"] = "workstream_released"
    toast = True
    workstream: WorkstreamId


class HandoffOffered(Body):
    type: Literal["handoff_offered"] = "handoff_offered"
    toast = True
    catch_up = True
    workstream: WorkstreamId
    to: Handle
    note: Note = ""
    replace: bool = Field(False, exclude_if=is_false)
    """Replace the offer still pending on this workstream (without it, a second offer is refused)."""


class HandoffAccepted(Body):
    type: Literal["handoff_accepted"] = "handoff_accepted"
    toast = True
    catch_up = True
    workstream: WorkstreamId


class HandoffDeclined(Body):
    type: Literal["handoff_declined"] = "handoff_declined"
    toast = True
    catch_up = True
    workstream: WorkstreamId


class WorkstreamStatusSet(Body):
    type: Literal["workstream_status_set"] = "workstream_status_set"
    workstream: WorkstreamId
    status: WorkstreamStatus
    note: Note = ""
