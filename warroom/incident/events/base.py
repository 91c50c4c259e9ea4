"""What every event is made of: the field types (ids, handles, titles, times, alert text) and
the ``Body`` all event kinds extend, with how a board treats each kind.

One place for them so the event families (one module each beside this one) validate the same
words the same way, and the package's ``__init__`` can join the families into one union.
No ``from __future__ import annotations`` here or in the families (see the package docstring).
"""

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetPydanticSchema, StringConstraints
from pydantic_core import core_schema

from warroom.limits import MAX_TEXT, MAX_TITLE

from ..blank import VISIBLE_CHARACTER

HANDLE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
INCIDENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
WORKSTREAM_ID_PATTERN = r"^WS-[1-9][0-9]{0,6}$"

# Ids and handles are case-insensitive, with one canonical form everywhere (log, files, URLs):
# incident ids upper case (``inc-7`` is ``INC-7``), handles lower case (``Alice`` is ``alice``).
# Canonicalised when validated, so an old log that mixed cases folds into one person.
Handle = Annotated[str, StringConstraints(pattern=HANDLE_PATTERN, to_lower=True)]
IncidentId = Annotated[str, StringConstraints(pattern=INCIDENT_ID_PATTERN, to_upper=True)]
WorkstreamId = Annotated[str, Field(pattern=WORKSTREAM_ID_PATTERN)]

def is_none(value: object) -> bool:
    return value is None


def is_false(value: object) -> bool:
    return value is False


def is_empty(value: object) -> bool:
    return value == ""


# Alert text comes from machines we do not control: no control, bidi or zero-width
# characters (the intake escapes them visibly before it builds an event). Said as a
# pattern, so the OpenAPI schema says it too.
UNSAFE_CHARS = r"\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
PRINTABLE_LINE = rf"^[^\n{UNSAFE_CHARS}]*$"
PRINTABLE_LINES = rf"^[^{UNSAFE_CHARS}]*$"


def _then_not_blank(source: object, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """The string as its other constraints check it, then ``blank.not_blank``'s check in Rust (with its
    error, word for word): an ``AfterValidator`` was a Python call per text, a tenth of a parse."""
    return core_schema.chain_schema([
        handler(source),
        core_schema.custom_error_schema(
            core_schema.str_schema(pattern=VISIBLE_CHARACTER, strict=True),
            custom_error_type="blank",
            custom_error_message="Value error, must not be blank",
        ),
    ])


NotBlank = GetPydanticSchema(_then_not_blank, lambda schema, handler: handler(schema["steps"][0]))
"""Refuses text that would show nothing (``blank.is_blank``); after a string's other constraints."""

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE), NotBlank]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), NotBlank]
Note = Annotated[str, Field(max_length=MAX_TEXT)]

ComponentName = Annotated[str, Field(min_length=1, max_length=80, pattern=PRINTABLE_LINE), NotBlank]
AlertLine = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE_LINE)]
AlertGroup = Annotated[str, Field(min_length=1, max_length=520, pattern=PRINTABLE_LINE)]
AlertFingerprint = Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE_LINE)]
AlertLabelName = Annotated[str, Field(min_length=1, max_length=100, pattern=PRINTABLE_LINE)]
AlertLabelValue = Annotated[str, Field(max_length=500, pattern=PRINTABLE_LINE)]

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
        return value  # already UTC (the common case: keep it cheap)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("time is out of range") from None


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]


def _utc_first(source: object, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """A time already in UTC is taken in Rust; any other goes through ``_as_utc`` (one error either way)."""
    return core_schema.union_schema(
        [core_schema.datetime_schema(tz_constraint=0), core_schema.no_info_after_validator_function(_as_utc, handler(source))],
        mode="left_to_right",
        custom_error_type="utc_time",
        custom_error_message="Input should be a valid time (ISO 8601, in range)",
    )


StoredTime = Annotated[datetime, GetPydanticSchema(_utc_first, lambda schema, handler: handler(schema["choices"][1]))]
"""A stored event's ``at``, as ``UtcTime`` but cheaper: the authority stamps it in UTC, so on every
line of every log the Python call of ``_as_utc`` (a twelfth of a parse) is skipped. Its one error
names no detail: the union would report each of its two ways of reading a time."""


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


# The redraws most kinds share:
HEADER_AND_COMMAND = frozenset({"header", "command"})
COMMAND = frozenset({"command"})
COMMAND_AND_ROWS = frozenset({"command", "rows"})
