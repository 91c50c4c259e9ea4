"""The vocabulary of an incident: every fact the log can hold, as pydantic models.

An incident *is* its event log, so these models are the one format shared by the
file store, the server, the exports and every board. Each kind of event is a body
with a literal ``type``; all bodies form one discriminated union, here, and so does the
registry of types. A client makes an ``EventDraft`` (its own UUID, its actor, the body);
the authority that stores it adds the envelope's ``seq`` and ``at`` and returns a
``StoredEvent``.

The bodies live in one module per family (``lifecycle``, ``publishing``, ``people``,
``workstreams``, ``words``, ``action_items``, ``checklists``, ``alerts``) over the field
types and the ``Body`` of ``base``; every name is re-exported here, so importers write
``from warroom.incident import events as ev; ev.NoteAdded`` and never name a family.

Start-up: every model here is built on first use (``defer_build``), not at import. A
join parses ``StoredEvent`` only, which builds the bodies inside its one validator; the
bodies' own validators, ``EventDraft``'s and their serializers wait until something
makes or sends an event. No ``from __future__ import annotations`` in this package (nor
in ``policy`` and ``warroom.config``): pydantic would have to ``eval`` every field's
annotation string when the class is made.
"""

from datetime import datetime, timezone
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Union, get_args
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import SchemaValidator, core_schema

from warroom.limits import MAX_TEXT, MAX_TITLE

from ..blank import is_blank
from ..collector import collector_paused
from .action_items import ActionItemAdded, ActionItemEdited, ActionItemStatusSet
from .alerts import AlertFired, AlertLink, AlertResolved
from .base import (
    ACTION_ITEM_ID_PATTERN, ACTION_KINDS, ACTION_STATUSES, ActionItemId, ActionKind, ActionStatus,
    AlertFingerprint, AlertGroup, AlertLabelName, AlertLabelValue, AlertLine, Audience, Body, COMPONENT_IMPACTS,
    ComponentImpact, ComponentName, HANDLE_PATTERN, Handle, INCIDENT_ID_PATTERN, INCIDENT_STATUSES, IncidentId,
    IncidentStatus, KEY_TIMES, KeyTime, LINK_KINDS, LinkKind, Note, ROLES, Role, SHIFTS, Severity, Shift, StoredTime,
    Text, Title, UtcTime, WORKSTREAM_ID_PATTERN, WORKSTREAM_STATUSES, WorkstreamId, WorkstreamStatus, canonical_handle,
    canonical_incident_id, valid_handle, valid_incident_id,
)
from .checklists import ChecklistItemAdded, ChecklistTicked, FieldSet
from .lifecycle import (
    IncidentClosed, IncidentDeclared, IncidentLinked, IncidentRenamed, IncidentReopened, KeyTimeSet,
    PolicyChanged, SeverityChanged, StatusChanged,
)
from .people import (
    CommandAssumed, CommandHandoverAccepted, CommandHandoverDeclined, CommandHandoverOffered, ResponderJoined,
    RoleAssigned, RoleCleared, ShiftChanged,
)
from .publishing import DEFAULT_PUBLIC_TITLE, ComponentImpactSet, IncidentPublished
from .words import BroadcastSent, DecisionMade, EntryStarred, NoteAdded, UpdateSnoozed
from .workstreams import (
    HandoffAccepted, HandoffDeclined, HandoffOffered, WorkstreamClaimed, WorkstreamOpened, WorkstreamReleased,
    WorkstreamStatusSet,
)

__all__ = [
    "ACTION_ITEM_ID_PATTERN", "ACTION_KINDS", "ACTION_STATUSES", "ActionItemAdded", "ActionItemEdited",
    "ActionItemId", "ActionItemStatusSet", "ActionKind", "ActionStatus", "AlertFingerprint", "AlertFired",
    "AlertGroup", "AlertLabelName", "AlertLabelValue", "AlertLine", "AlertLink", "AlertResolved", "Audience",
    "BODY_BY_TYPE", "BODY_TYPES", "Body", "BroadcastSent", "COMPONENT_IMPACTS", "ChecklistItemAdded",
    "ChecklistTicked", "CommandAssumed", "CommandHandoverAccepted", "CommandHandoverDeclined",
    "CommandHandoverOffered", "ComponentImpact", "ComponentImpactSet", "ComponentName", "DEFAULT_PUBLIC_TITLE",
    "DecisionMade", "EVENT_TYPES", "EntryStarred", "EventBody", "EventDraft", "FieldSet", "HANDLE_PATTERN",
    "Handle", "HandoffAccepted", "HandoffDeclined", "HandoffOffered", "INCIDENT_ID_PATTERN", "INCIDENT_STATUSES",
    "IncidentClosed", "IncidentDeclared", "IncidentId", "IncidentLinked", "IncidentPublished", "IncidentRenamed",
    "IncidentReopened", "IncidentStatus", "KEY_TIMES", "KeyTime", "KeyTimeSet", "LINK_KINDS", "LinkKind",
    "MAX_TEXT", "MAX_TITLE", "Note", "NoteAdded", "PolicyChanged", "ROLES", "ResponderJoined", "Role",
    "RoleAssigned", "RoleCleared", "SHIFTS", "Severity", "SeverityChanged", "Shift", "ShiftChanged",
    "StatusChanged", "StoredEvent", "StoredTime", "Text", "Title", "UpdateSnoozed", "UtcTime", "WORKSTREAM_ID_PATTERN",
    "WORKSTREAM_STATUSES", "WorkstreamClaimed", "WorkstreamId", "WorkstreamOpened", "WorkstreamReleased",
    "WorkstreamStatus", "WorkstreamStatusSet", "canonical_handle", "canonical_incident_id", "dump_stored",
    "is_blank", "parse_stored", "parse_stored_array", "parse_stored_lines", "utcnow", "valid_handle", "valid_incident_id",
]


EventBody = Annotated[
    Union[
        IncidentDeclared,
        PolicyChanged,
        SeverityChanged,
        IncidentRenamed,
        StatusChanged,
        IncidentPublished,
        ComponentImpactSet,
        KeyTimeSet,
        IncidentClosed,
        IncidentReopened,
        IncidentLinked,
        ResponderJoined,
        ShiftChanged,
        RoleAssigned,
        RoleCleared,
        CommandHandoverOffered,
        CommandHandoverAccepted,
        CommandHandoverDeclined,
        CommandAssumed,
        WorkstreamOpened,
        WorkstreamClaimed,
        WorkstreamReleased,
        HandoffOffered,
        HandoffAccepted,
        HandoffDeclined,
        WorkstreamStatusSet,
        NoteAdded,
        DecisionMade,
        EntryStarred,
        BroadcastSent,
        UpdateSnoozed,
        ActionItemAdded,
        ActionItemEdited,
        ActionItemStatusSet,
        ChecklistTicked,
        ChecklistItemAdded,
        FieldSet,
        AlertFired,
        AlertResolved,
    ],
    Field(discriminator="type"),
]

BODY_TYPES: tuple[type[Body], ...] = get_args(get_args(EventBody)[0])  # the Union inside Annotated
EVENT_TYPES: tuple[str, ...] = tuple(cls.model_fields["type"].default for cls in BODY_TYPES)
BODY_BY_TYPE: dict[str, type[Body]] = dict(zip(EVENT_TYPES, BODY_TYPES))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class EventDraft(BaseModel):
    """What a client proposes: its own id (for idempotent retries), who acts, and what."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: UUID = Field(default_factory=uuid4)
    actor: Handle
    body: EventBody

    def stored(self, seq: int, at: datetime) -> "StoredEvent":
        return StoredEvent(seq=seq, at=at, id=self.id, actor=self.actor, body=self.body)


class StoredEvent(BaseModel):
    """An event as the authority stored it: numbered without gaps and stamped with its clock."""

    # cache_strings="keys": pydantic's default also caches short string values, to share repeated
    # ones, but a log's values are mostly unique (ids, times, texts) and handles are made anew when
    # lowered: caching them cost a tenth of a parse, for 4 % less memory. (Not in the docstring:
    # that is the schema's description.)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, cache_strings="keys")

    seq: Annotated[int, Field(ge=1)]
    id: UUID
    at: StoredTime
    actor: Handle
    body: EventBody

    @property
    def type(self) -> str:
        return self.body.type


def parse_stored(line: str | bytes) -> StoredEvent:
    """Parse one JSON line of a log; raises ``pydantic.ValidationError`` on anything malformed.

    Calls the validator itself, kept in a global once built: ``model_validate_json``'s keyword
    plumbing cost an eighth of a parse, and looking the validator up on the model class each
    time another 6 %, once per line of every log read."""
    validate = _validate_stored_json
    if validate is None:
        validate = _stored_json_validator()
    event: StoredEvent = validate(line)
    return event


def parse_stored_lines(lines: Iterable[str | bytes]) -> list[StoredEvent]:
    """``parse_stored`` over many lines (a page of rows, a log), with the collector kept out.

    The events stay alive and make no reference cycles, but in their numbers they set off
    full collections, each walking the whole heap: parsing a 100,000-line log in a fresh
    process ran seven, two thirds of its time. Raises ``parse_stored``'s error for the
    first line that is not a stored event."""
    validate = _validate_stored_json
    if validate is None:
        validate = _stored_json_validator()
    with collector_paused():
        return [validate(line) for line in lines]


def parse_stored_array(data: str | bytes) -> list[StoredEvent]:
    """A JSON array of stored events (a page the server sent) in one call, with the collector kept
    out as in ``parse_stored_lines``; raises ``pydantic.ValidationError`` naming the bad item.

    Its validator is built on first use over ``StoredEvent``'s own (which pydantic-core reuses:
    microseconds); a ``TypeAdapter(list[StoredEvent])`` built the whole schema a second time, ~28
    ms, at the import of the HTTP store, on an HTTP board's way to its first frame."""
    global _validate_stored_array
    validate = _validate_stored_array
    if validate is None:
        _stored_json_validator()
        items = StoredEvent.__pydantic_core_schema__
        config = core_schema.CoreConfig(cache_strings="keys")
        validate = _validate_stored_array = SchemaValidator(core_schema.list_schema(items), config).validate_json
    with collector_paused():
        events: list[StoredEvent] = validate(data)
    return events


_validate_stored_json: Callable[[str | bytes], Any] | None = None
_validate_stored_array: Callable[[str | bytes], Any] | None = None


def _stored_json_validator() -> Callable[[str | bytes], Any]:
    """``StoredEvent``'s JSON validator, built now if it was not (``defer_build``) and kept."""
    global _validate_stored_json
    validator = StoredEvent.__pydantic_validator__
    if not isinstance(validator, SchemaValidator):  # pydantic's stand-in until the model is first used
        StoredEvent.model_rebuild(force=True)
        validator = StoredEvent.__pydantic_validator__
    assert isinstance(validator, SchemaValidator)
    _validate_stored_json = validator.validate_json
    return _validate_stored_json


def dump_stored(event: StoredEvent) -> str:
    return event.model_dump_json()
