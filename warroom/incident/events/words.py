"""Events that are words on the timeline: notes, decisions, stars, broadcasts, and snoozing the
next stakeholder update."""

from typing import Annotated, Literal

from pydantic import Field

from .base import Audience, Body, Note, Text, WorkstreamId, is_empty, is_false, is_none


class NoteAdded(Body):
    type: Literal["note_added"] = "note_added"
    text: Text
    star: bool = False
    workstream: WorkstreamId | None = Field(None, exclude_if=is_none)
    """The workstream the note is about, when posted against one (left out of the JSON when
    ``None``, so logs and exports written before it stay byte-identical)."""
    impact: bool = Field(False, exclude_if=is_false)
    """The note says what the incident did to users or the business (``note --impact``): the
    post-mortem's Impact section is built from these. Left out of the JSON when false."""


class DecisionMade(Body):
    """A decision the responders took, recorded as it was made: what, why, and what else was
    weighed. The review looks at each one (turning a rule off by hand may cause drift later)."""

    type: Literal["decision_made"] = "decision_made"
    catch_up = True
    text: Text
    why: Note = Field("", exclude_if=is_empty)
    alternatives: Note = Field("", exclude_if=is_empty)


class EntryStarred(Body):
    """Star (or unstar) an earlier timeline entry so the post-mortem picks it out."""

    type: Literal["entry_starred"] = "entry_starred"
    redraws = frozenset({"stars"})
    target: Annotated[int, Field(ge=1)]
    starred: bool = True


class BroadcastSent(Body):
    type: Literal["broadcast_sent"] = "broadcast_sent"
    redraws = frozenset({"command", "broadcasts"})
    toast = True
    catch_up = True
    text: Text
    audience: Audience = "responders"


class UpdateSnoozed(Body):
    """The commander pushes the next stakeholder update back by ``minutes``."""

    type: Literal["update_snoozed"] = "update_snoozed"
    redraws = frozenset({"command"})
    minutes: Annotated[int, Field(ge=1, le=240)]
