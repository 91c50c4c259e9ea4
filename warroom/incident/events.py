"""The vocabulary of an incident: every fact the log can hold, as pydantic models.

An incident *is* its event log, so these models are the one format shared by the
file store, the server, the exports and every board. Each kind of event is a body
with a literal ``type``; all bodies form one discriminated union. A client makes an
``EventDraft`` (its own UUID, its actor, the body); the authority that stores it
adds the envelope's ``seq`` and ``at`` and returns a ``StoredEvent``.

Start-up: every model here is built on first use (``defer_build``), not at import. A
join parses ``StoredEvent`` only, which builds the bodies inside its one validator; the
32 bodies' own validators, ``EventDraft``'s and their serializers wait until something
makes or sends an event. No ``from __future__ import annotations`` in this module (nor
in ``policy`` and ``warroom.config``): pydantic would have to ``eval`` every field's
annotation string when the class is made.
"""

import re
import unicodedata
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, get_args
from uuid import UUID, uuid4

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from warroom.limits import MAX_TEXT as MAX_TEXT, MAX_TITLE as MAX_TITLE

from .playbook import ChecklistId, ChecklistRole, FieldName, FieldValue, Playbook, Stage
from .policy import Policy

HANDLE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
INCIDENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
WORKSTREAM_ID_PATTERN = r"^WS-[1-9][0-9]{0,6}$"

DEFAULT_PUBLIC_TITLE = "Service disruption"
"""The public title of an incident published without one: says nothing of the internal title."""

# Ids and handles are case-insensitive, with one canonical form everywhere (log, files, URLs):
# incident ids upper case (``inc-7`` is ``INC-7``), handles lower case (``Alice`` is ``alice``).
# Canonicalised when validated, so an old log that mixed cases folds into one person.
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN, to_lower=True)]
IncidentId = Annotated[str, StringConstraints(pattern=INCIDENT_ID_PATTERN, to_upper=True)]
WorkstreamId = Annotated[str, Field(pattern=WORKSTREAM_ID_PATTERN)]

# Characters that draw nothing: a title of zero-width spaces, bidi marks or Hangul fillers is blank.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(char: str) -> bool:
    return char in _INVISIBLE_LETTERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


_VISIBLE_ASCII = re.compile(r"[!-~]")


def is_blank(text: str) -> bool:
    """True when ``text`` would show nothing: empty, spaces, controls, zero-width or bidi marks."""
    if _VISIBLE_ASCII.search(text):
        return False  # the usual case, found in C: checking each character in Python cost a fifth of a parse
    return all(_invisible(char) for char in text)  # stops at the first visible character


def _not_blank(text: str) -> str:
    if is_blank(text):
        raise ValueError("must not be blank")
    return text


def _is_none(value: object) -> bool:
    return value is None


def _is_false(value: object) -> bool:
    return value is False


def _is_empty(value: object) -> bool:
    return value == ""


# Alert text comes from machines we do not control: no control, bidi or zero-width
# characters (the intake escapes them visibly before it builds an event). Said as a
# pattern, so the OpenAPI schema says it too.
_UNSAFE_CHARS = r"\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_PRINTABLE_LINE = rf"^[^\n{_UNSAFE_CHARS}]*$"
_PRINTABLE_LINES = rf"^[^{_UNSAFE_CHARS}]*$"


Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE), AfterValidator(_not_blank)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_not_blank)]
Note = Annotated[str, Field(max_length=MAX_TEXT)]

ComponentName = Annotated[str, Field(min_length=1, max_length=80, pattern=_PRINTABLE_LINE), AfterValidator(_not_blank)]
AlertLine = Annotated[str, Field(min_length=1, max_length=200, pattern=_PRINTABLE_LINE)]
AlertGroup = Annotated[str, Field(min_length=1, max_length=520, pattern=_PRINTABLE_LINE)]
AlertFingerprint = Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE_LINE)]
AlertLabelName = Annotated[str, Field(min_length=1, max_length=100, pattern=_PRINTABLE_LINE)]
AlertLabelValue = Annotated[str, Field(max_length=500, pattern=_PRINTABLE_LINE)]
def _label_names_in_schema(schema: dict[str, Any]) -> None:
    """Pydantic publishes a key pattern as ``patternProperties``, which leaves other keys free in
    the schema while the model refuses them: say in the schema that every name must match."""
    schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": _PRINTABLE_LINE}
    schema["additionalProperties"] = False


ActionItemId = Annotated[str, Field(pattern=r"^A-[1-9][0-9]{0,5}$")]

Severity = Annotated[int, Field(ge=1, le=4)]
Shift = Literal["on", "break", "off"]
Role = Literal["deputy", "scribe", "comms"]
WorkstreamStatus = Literal["open", "active", "blocked", "done"]
IncidentStatus = Literal["investigating", "identified", "mitigated", "resolved"]
Audience = Literal["responders", "stakeholders"]
KeyTime = Literal["started", "detected", "mitigated", "resolved"]
ActionKind = Literal["detective", "preventative", "corrective"]
ActionStatus = Literal["open", "in_progress", "done", "wont_do"]
ComponentImpact = Literal["operational", "degraded", "partial", "major", "maintenance"]
COMPONENT_IMPACTS: tuple[ComponentImpact, ...] = ("operational", "degraded", "partial", "major", "maintenance")
LinkKind = Literal["caused-by", "causes", "related", "duplicate-of", "duplicated-by"]

SHIFTS: tuple[Shift, ...] = ("on", "break", "off")
ROLES: tuple[Role, ...] = ("deputy", "scribe", "comms")
WORKSTREAM_STATUSES: tuple[WorkstreamStatus, ...] = ("open", "active", "blocked", "done")
INCIDENT_STATUSES: tuple[IncidentStatus, ...] = ("investigating", "identified", "mitigated", "resolved")
KEY_TIMES: tuple[KeyTime, ...] = ("started", "detected", "mitigated", "resolved")
ACTION_KINDS: tuple[ActionKind, ...] = ("detective", "preventative", "corrective")
ACTION_STATUSES: tuple[ActionStatus, ...] = ("open", "in_progress", "done", "wont_do")
LINK_KINDS: tuple[LinkKind, ...] = ("caused-by", "related", "duplicate-of")
"""The kinds a person declares; ``causes`` and ``duplicated-by`` are how the other log sees them."""
ACTION_ITEM_ID_PATTERN = r"^A-[1-9][0-9]{0,5}$"

_INCIDENT_ID_RE = re.compile(INCIDENT_ID_PATTERN)
_HANDLE_RE = re.compile(HANDLE_PATTERN)


def valid_incident_id(value: str) -> bool:
    """True for ids safe to use as a file name: letters, digits, ``-`` and ``_`` only.
    (``fullmatch``: with ``match``, the pattern's ``$`` would let a trailing newline through.)"""
    return bool(_INCIDENT_ID_RE.fullmatch(value)) and ".." not in value


def valid_handle(value: str) -> bool:
    return bool(_HANDLE_RE.fullmatch(value))


def canonical_incident_id(value: str) -> str:
    """The one spelling of an incident id: upper case (``inc-7`` opens ``INC-7``)."""
    return value.upper()


def canonical_handle(value: str) -> str:
    """The one spelling of a handle: lower case (``Alice`` and ``alice`` are one responder)."""
    return value.lower()


def _as_utc(value: datetime) -> datetime:
    """Times are UTC everywhere; a time without a zone is taken to be UTC already."""
    zone = value.tzinfo
    if zone is None:
        return value.replace(tzinfo=timezone.utc)
    if zone is timezone.utc or not zone.utcoffset(value):
        return value  # already UTC (the common case, on every line of every log: keep it cheap)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("time is out of range") from None


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    if TYPE_CHECKING:
        type: str  # every event's discriminator: a Literal field of each subclass

    # How a board treats this kind of event (the domain itself never reads these):
    redraws: ClassVar[frozenset[str]] = frozenset()
    """Board parts beyond the actor's and the workstream's rows: "header", "command",
    "broadcasts", "stars", or "rows" (every row: offers lapse, roles move, spans end)."""
    toast: ClassVar[bool] = False
    """May pop up on other boards (the board decides whether it concerns its responder)."""
    catch_up: ClassVar[bool] = False
    """Always worth a line in a returning responder's catch-up, whoever it concerns."""


_HEADER_AND_COMMAND = frozenset({"header", "command"})
_COMMAND = frozenset({"command"})
_COMMAND_AND_ROWS = frozenset({"command", "rows"})


# --- the incident itself -------------------------------------------------------


class IncidentDeclared(Body):
    """Declare an incident; the declarer becomes commander -- unless an alert hook declared it
    (``alert_group`` set): then nobody is in command until a person takes it, and the hook is
    an integration, never a responder. ``detected_at`` is the alert's start (key time)."""

    type: Literal["incident_declared"] = "incident_declared"
    redraws = _HEADER_AND_COMMAND | {"rows"}  # a playbook opens workstreams
    incident_id: IncidentId
    title: Title
    severity: Severity = 3
    drill: bool = False
    alert_group: AlertGroup | None = Field(None, exclude_if=_is_none)
    detected_at: UtcTime | None = Field(None, exclude_if=_is_none)
    policy: Policy | None = Field(None, exclude_if=_is_none)
    """The incident's own policy, fixed here so every board computes the same cadence,
    fatigue and staleness; ``None`` (logs from before policies were recorded: left out of
    the JSON, so they stay byte-identical) means the defaults."""
    playbook: Playbook | None = Field(None, exclude_if=_is_none)
    """The whole playbook the incident was declared with, copied so a later edit of its file
    never changes this incident: the fold opens its workstreams and starts its checklist and fields."""
    published: bool = Field(False, exclude_if=_is_false)
    """Public at once, under this title (``[status] publish_on_declare``, a team's explicit
    choice); otherwise private until ``incident_published``. An alert hook never sets it."""


class PolicyChanged(Body):
    """The commander changes the incident's policy; local config never does."""

    type: Literal["policy_changed"] = "policy_changed"
    redraws = frozenset({"command", "rows"})
    catch_up = True
    policy: Policy


class SeverityChanged(Body):
    type: Literal["severity_changed"] = "severity_changed"
    redraws = _HEADER_AND_COMMAND
    toast = True
    catch_up = True
    severity: Severity


class IncidentRenamed(Body):
    """The commander gives the incident a better title than the one it was declared with (an
    alert's summary, a first guess); exports, the status page and the lobby show the new one."""

    type: Literal["incident_renamed"] = "incident_renamed"
    redraws = _HEADER_AND_COMMAND
    toast = True
    catch_up = True
    title: Title


class StatusChanged(Body):
    type: Literal["status_changed"] = "status_changed"
    redraws = _HEADER_AND_COMMAND
    toast = True
    catch_up = True
    status: IncidentStatus


class IncidentPublished(Body):
    """The commander or comms makes the incident public (the first one) or changes what the
    public reads: its own title and summary, never derived from the internal ones. ``None``
    keeps the field as it was; the first publish without a title uses ``DEFAULT_PUBLIC_TITLE``."""

    type: Literal["incident_published"] = "incident_published"
    redraws = _HEADER_AND_COMMAND
    toast = True
    catch_up = True
    title: Title | None = Field(None, exclude_if=_is_none)
    summary: Note | None = Field(None, exclude_if=_is_none)


class ComponentImpactSet(Body):
    """How the incident affects one of the team's public components (``[[component]]``);
    ``operational`` takes it off the incident's list."""

    type: Literal["component_impact_set"] = "component_impact_set"
    redraws = _COMMAND
    catch_up = True
    component: ComponentName
    impact: ComponentImpact


class KeyTimeSet(Body):
    """Correct one of the key times (when it really started, was detected, ...)."""

    type: Literal["key_time_set"] = "key_time_set"
    redraws = _HEADER_AND_COMMAND
    which: KeyTime
    time: UtcTime


class IncidentClosed(Body):
    type: Literal["incident_closed"] = "incident_closed"
    redraws = _HEADER_AND_COMMAND | {"rows"}
    toast = True
    catch_up = True
    summary: Note = ""


class IncidentReopened(Body):
    """The commander of a closed incident opens it again, saying why; it runs as before."""

    type: Literal["incident_reopened"] = "incident_reopened"
    redraws = _HEADER_AND_COMMAND | {"rows"}
    toast = True
    catch_up = True
    reason: Text


class IncidentLinked(Body):
    """This incident is linked to ``incident``; ``kind`` is seen from this side (this one was
    ``caused-by`` the other, or ``causes`` it). A link is two events, one in each log: the first
    by a commander of its incident, the second a ``mirror`` of it, which the authority stores only
    when the other log already holds the first. ``duplicate-of`` closes this incident (a merge)."""

    type: Literal["incident_linked"] = "incident_linked"
    redraws = _HEADER_AND_COMMAND | {"rows"}
    toast = True
    catch_up = True
    incident: IncidentId
    kind: LinkKind
    title: Annotated[str, Field(max_length=MAX_TITLE)] = ""
    """The other incident's title when linked (for the commander pane and the post-mortem)."""
    started: UtcTime | None = Field(None, exclude_if=_is_none)
    """The other incident's start when linked: the post-mortem says how far apart they began."""
    mirror: bool = Field(False, exclude_if=_is_false)


# --- people --------------------------------------------------------------------


class ResponderJoined(Body):
    type: Literal["responder_joined"] = "responder_joined"
    redraws = _COMMAND


class ShiftChanged(Body):
    """Go on shift, take a break of ``minutes``, or go off shift."""

    type: Literal["shift_changed"] = "shift_changed"
    redraws = _COMMAND_AND_ROWS
    shift: Shift
    minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    tz: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+\-/]*$")] | None = Field(None, exclude_if=_is_none)
    """With ``on``: the responder's IANA time zone (``Europe/Berlin``), for out-of-hours insights.
    Only its shape is checked here: a zone this machine's tz database lacks counts as UTC."""


class RoleAssigned(Body):
    type: Literal["role_assigned"] = "role_assigned"
    redraws = _COMMAND_AND_ROWS
    role: Role
    handle: Handle


class RoleCleared(Body):
    type: Literal["role_cleared"] = "role_cleared"
    redraws = _COMMAND_AND_ROWS
    role: Role


# --- command -------------------------------------------------------------------


class CommandHandoverOffered(Body):
    type: Literal["command_handover_offered"] = "command_handover_offered"
    redraws = _COMMAND
    toast = True
    catch_up = True
    to: Handle
    note: Note = ""


class CommandHandoverAccepted(Body):
    type: Literal["command_handover_accepted"] = "command_handover_accepted"
    redraws = _COMMAND_AND_ROWS
    toast = True
    catch_up = True


class CommandHandoverDeclined(Body):
    type: Literal["command_handover_declined"] = "command_handover_declined"
    redraws = _COMMAND
    toast = True


class CommandAssumed(Body):
    type: Literal["command_assumed"] = "command_assumed"
    redraws = _COMMAND_AND_ROWS
    toast = True
    catch_up = True


# --- workstreams ---------------------------------------------------------------


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
    replace: bool = Field(False, exclude_if=_is_false)
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


# --- words ---------------------------------------------------------------------


class NoteAdded(Body):
    type: Literal["note_added"] = "note_added"
    text: Text
    star: bool = False
    workstream: WorkstreamId | None = Field(None, exclude_if=_is_none)
    """The workstream the note is about, when posted against one (left out of the JSON when
    ``None``, so logs and exports written before it stay byte-identical)."""
    impact: bool = Field(False, exclude_if=_is_false)
    """The note says what the incident did to users or the business (``note --impact``): the
    post-mortem's Impact section is built from these. Left out of the JSON when false."""


class DecisionMade(Body):
    """A decision the responders took, recorded as it was made: what, why, and what else was
    weighed. The review looks at each one (turning a rule off by hand may cause drift later)."""

    type: Literal["decision_made"] = "decision_made"
    catch_up = True
    text: Text
    why: Note = Field("", exclude_if=_is_empty)
    alternatives: Note = Field("", exclude_if=_is_empty)


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


class ActionItemAdded(Body):
    """A follow-up for after the incident; the fold numbers them A-1, A-2 ... in log order."""

    type: Literal["action_item_added"] = "action_item_added"
    text: Text
    owner: Handle | None = None
    kind: ActionKind = "corrective"
    due: date | None = Field(None, exclude_if=_is_none)


class ActionItemEdited(Body):
    """An action item's words, owner and due date as they now read (each given in full: ``None``
    owner or due clears it). Kind and status keep their own events. Allowed after close, like
    the item's status: follow-ups are refined once the incident is over."""

    type: Literal["action_item_edited"] = "action_item_edited"
    item: ActionItemId
    text: Text
    owner: Handle | None = None
    due: date | None = Field(None, exclude_if=_is_none)


class ActionItemStatusSet(Body):
    """Follow an action item through: in progress, done, won't do (with a reason), or open again.
    Allowed after the incident is closed: that is when action items are worked on."""

    type: Literal["action_item_status_set"] = "action_item_status_set"
    item: ActionItemId
    status: ActionStatus
    reason: Note = ""


# --- the playbook's checklist and fields ---------------------------------------------------


class ChecklistTicked(Body):
    """Tick (``done``) or untick a checklist item; the timeline says who and when."""

    type: Literal["checklist_ticked"] = "checklist_ticked"
    redraws = _COMMAND
    item: ChecklistId
    done: bool = True


class ChecklistItemAdded(Body):
    """The commander adds an item the playbook did not foresee; the fold numbers it next (C-n)."""

    type: Literal["checklist_item_added"] = "checklist_item_added"
    redraws = _COMMAND
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


# --- alerts (recorded by an alert hook, an integration rather than a person) --------------------


class AlertLink(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    title: Annotated[str, Field(min_length=1, max_length=40, pattern=_PRINTABLE_LINE)]
    url: Annotated[str, Field(max_length=2000, pattern=rf"^https?://[^\n{_UNSAFE_CHARS}]*$")]


class AlertFired(Body):
    """One alert of a group started firing (a repeated notification of it is refused: deduplicated)."""

    type: Literal["alert_fired"] = "alert_fired"
    catch_up = True
    group: AlertGroup
    fingerprint: AlertFingerprint
    name: AlertLine
    summary: Annotated[str, Field(max_length=200, pattern=_PRINTABLE_LINE)] = ""
    description: Annotated[str, Field(max_length=1000, pattern=_PRINTABLE_LINES)] = ""
    labels: Annotated[dict[AlertLabelName, AlertLabelValue], Field(max_length=40, json_schema_extra=_label_names_in_schema)] = Field(default_factory=dict)
    links: Annotated[list[AlertLink], Field(max_length=6)] = Field(default_factory=list)
    starts_at: UtcTime


class AlertResolved(Body):
    """One firing alert resolved. When every alert of the incident has, the commander is told."""

    type: Literal["alert_resolved"] = "alert_resolved"
    toast = True
    catch_up = True
    group: AlertGroup
    fingerprint: AlertFingerprint
    name: AlertLine
    ends_at: UtcTime | None = None


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

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    seq: Annotated[int, Field(ge=1)]
    id: UUID
    at: UtcTime
    actor: Handle
    body: EventBody

    @property
    def type(self) -> str:
        return self.body.type


def parse_stored(line: str | bytes) -> StoredEvent:
    """Parse one JSON line of a log; raises ``pydantic.ValidationError`` on anything malformed.

    Calls the validator itself: ``model_validate_json``'s keyword plumbing cost an eighth of
    a parse, once per line of every log read. (Before its first use the attribute is
    pydantic's stand-in, which builds the real validator and hands the call on.)"""
    event: StoredEvent = StoredEvent.__pydantic_validator__.validate_json(line)
    return event


def dump_stored(event: StoredEvent) -> str:
    return event.model_dump_json()
