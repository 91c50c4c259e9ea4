"""A playbook as the incident log carries it, and the checklist and fields it starts.

A playbook (``warroom/playbooks/``: TOML files, built-in or the user's) is copied whole
into the ``incident_declared`` event, so every board folds the same checklist and fields
and a later edit of the file never changes a running incident. This module is the shape
of that copy (pydantic, validated like every event) and of what the fold makes of it
(plain dataclasses, cheap to fold and to checkpoint). It imports nothing of warroom but
the policy: ``events`` imports it, and ``warroom.playbooks`` (the loader) builds on it.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .factories import empty_list

from .blank import not_blank
from .policy import MAX_HOURS, MAX_MINUTES, Policy

ChecklistRole = Literal["commander", "deputy", "scribe", "comms", "everyone"]
Stage = Literal["triage", "mitigate", "resolve", "review"]
FieldKind = Literal["text", "int", "choice", "bool", "duration"]
CHECKLIST_ROLES: tuple[ChecklistRole, ...] = ("commander", "deputy", "scribe", "comms", "everyone")
STAGES: tuple[Stage, ...] = ("triage", "mitigate", "resolve", "review")
FIELD_KINDS: tuple[FieldKind, ...] = ("text", "int", "choice", "bool", "duration")

PLAYBOOK_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
FIELD_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
CHECKLIST_ID_PATTERN = r"^C-[1-9][0-9]{0,3}$"
MAX_FIELD_TEXT = 200
MAX_INT = 10**15

PlaybookName = Annotated[str, Field(pattern=PLAYBOOK_NAME_PATTERN)]
FieldName = Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]
ChecklistId = Annotated[str, Field(pattern=CHECKLIST_ID_PATTERN)]
Line = Annotated[str, Field(min_length=1, max_length=200)]
FieldValue = Annotated[str, Field(max_length=MAX_FIELD_TEXT)] | Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)] | bool | None
"""A field's value as events and ``show --json`` carry it: text or a choice as a string, an
int, a bool, a duration as whole seconds; ``None`` clears it."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ChecklistItemSpec(_Spec):
    text: Line
    role: ChecklistRole = "everyone"
    stage: Stage = "triage"
    required: bool = False
    """Required before close: close lists it as still open while unticked."""

    _text = field_validator("text")(not_blank)


class FieldSpec(_Spec):
    name: FieldName
    label: Line
    kind: FieldKind = "text"
    required: bool = False
    """Required before close: close lists it as still open while unset."""
    public: bool = False
    """Shown on the public status page once set."""
    choices: Annotated[list[Line], Field(max_length=40)] = Field(default_factory=empty_list)

    _label = field_validator("label")(not_blank)

    @model_validator(mode="after")
    def _choices_for_choice(self) -> "FieldSpec":
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r} is a choice: give its choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"field {self.name!r} is {self.kind}: choices are for kind = \"choice\"")
        return self


def _is_none(value: object) -> bool:
    return value is None


class PolicyOverrides(_Spec):
    """A playbook's ``[policy]``: any of the policy's settings (``Policy``); what it leaves out
    keeps the declarer's config. Left-out settings are left out of the log's copy too."""

    update_minutes_sev1: int | None = Field(None, ge=1, le=MAX_MINUTES, exclude_if=_is_none)
    update_minutes_sev2: int | None = Field(None, ge=1, le=MAX_MINUTES, exclude_if=_is_none)
    update_minutes_sev3: int | None = Field(None, ge=1, le=MAX_MINUTES, exclude_if=_is_none)
    update_minutes_sev4: int | None = Field(None, ge=1, le=MAX_MINUTES, exclude_if=_is_none)
    fatigue_warn_hours: float | None = Field(None, gt=0, le=MAX_HOURS, exclude_if=_is_none)
    fatigue_limit_hours: float | None = Field(None, gt=0, le=MAX_HOURS, exclude_if=_is_none)
    command_handover_minutes: int | None = Field(None, ge=1, le=MAX_MINUTES, exclude_if=_is_none)
    stale_workstream_minutes: int | None = Field(None, ge=1, le=MAX_MINUTES, exclude_if=_is_none)

    def given(self) -> dict[str, int | float]:
        return {name: value for name, value in self.model_dump().items() if value is not None}


def _no_overrides() -> PolicyOverrides:
    return PolicyOverrides.model_construct()  # every setting left out (built without running a validator)


class Playbook(_Spec):
    """One incident type: what opens at declare, what each role checks, what is recorded."""

    name: PlaybookName
    description: Annotated[str, Field(max_length=1000)] = ""
    severity: Annotated[int, Field(ge=1, le=4)] = 3
    workstreams: Annotated[list[Line], Field(max_length=20)] = Field(default_factory=empty_list)
    """Opened unowned when the incident is declared."""
    checklist: Annotated[list[ChecklistItemSpec], Field(max_length=200)] = Field(default_factory=empty_list)
    fields: Annotated[list[FieldSpec], Field(max_length=40)] = Field(default_factory=empty_list)
    policy: PolicyOverrides = Field(default_factory=_no_overrides)
    """Overrides of the incident's policy, applied at declare."""
    first_update: Annotated[str, Field(max_length=2000)] = ""
    """The first stakeholder update; ``{field_name}`` is filled in with the field's value."""

    @field_validator("workstreams")
    @classmethod
    def _workstreams_not_blank(cls, titles: list[str]) -> list[str]:
        return [not_blank(title) for title in titles]

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, specs: list[FieldSpec]) -> list[FieldSpec]:
        names = [spec.name for spec in specs]
        if twice := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"field {twice[0]!r} is defined twice")
        return specs

    def with_policy(self, base: Policy) -> Policy:
        """``base`` (the config's policy) with this playbook's overrides."""
        given = self.policy.given()
        return Policy.model_validate({**base.model_dump(), **given}) if given else base


# --- what the fold makes of it -------------------------------------------------------------


@dataclass(slots=True)
class ChecklistItem:
    number: int
    role: str
    stage: str
    text: str
    required: bool
    done: bool = False
    by: str | None = None
    """Who ticked it (and, once unticked, who unticked it)."""
    at: datetime | None = None
    added_by: str | None = None
    """Who added it during the incident; ``None`` for an item from the playbook."""

    @property
    def id(self) -> str:
        return f"C-{self.number}"


@dataclass(slots=True)
class FieldState:
    name: str
    label: str
    kind: str
    required: bool
    public: bool
    choices: list[str] = field(default_factory=list)
    value: str | int | bool | None = None
    set_by: str | None = None
    set_at: datetime | None = None


def checklist_from(spec: Playbook) -> dict[str, ChecklistItem]:
    items = (ChecklistItem(n, i.role, i.stage, i.text, i.required) for n, i in enumerate(spec.checklist, 1))
    return {item.id: item for item in items}


def fields_from(spec: Playbook) -> dict[str, FieldState]:
    return {f.name: FieldState(f.name, f.label, f.kind, f.required, f.public, list(f.choices)) for f in spec.fields}


def for_role(items: dict[str, ChecklistItem], roles: list[str]) -> list[ChecklistItem]:
    """The items of ``roles`` first (in role, then stage order), then everyone's, then the rest."""
    def rank(item: ChecklistItem) -> tuple[int, int, int]:
        mine = 0 if item.role in roles else 1 if item.role == "everyone" else 2
        stage = STAGES.index(item.stage) if item.stage in STAGES else len(STAGES)
        return mine, stage, item.number

    return sorted(items.values(), key=rank)


# --- values ------------------------------------------------------------------------------


_DURATION_RE = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$")


def parse_value(kind: str, text: str, choices: list[str]) -> str | int | bool:
    """A value typed by a person (``1200``, ``1,200``, ``yes``, ``2h30m``) for a field of
    ``kind``; raises ``ValueError`` with a sentence that says what would do."""
    text = text.strip()
    if kind == "int":
        digits = text.replace(",", "").replace("_", "")
        if not re.fullmatch(r"-?\d+", digits):
            raise ValueError(f"{text!r} is not a whole number (e.g. 1200)")
        if len(digits.lstrip("-")) > 16 or abs(int(digits)) > MAX_INT:
            raise ValueError(f"{text!r} is too large: at most {MAX_INT:,}")
        return int(digits)
    if kind == "bool":
        word = text.lower()
        if word in ("yes", "y", "true", "1", "on"):
            return True
        if word in ("no", "n", "false", "0", "off"):
            return False
        raise ValueError(f"{text!r} is not yes or no")
    if kind == "duration":
        match = _DURATION_RE.fullmatch(text.lower())
        if text.isdigit():
            return int(text) * 60
        if not text or match is None or not any(match.groups()):
            raise ValueError(f"{text!r} is not a duration (e.g. 90m, 2h30m, 1d)")
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if kind == "choice":
        for choice in choices:
            if choice.lower() == text.lower():
                return choice
        raise ValueError(f"{text!r} is not one of: {', '.join(choices)}")
    if not text:
        raise ValueError("the value must not be blank")
    return text


def value_problem(spec: FieldState, value: str | int | bool | None) -> str | None:
    """Why ``value`` does not fit the field (``None`` when it does, or clears it)."""
    if value is None:
        return None
    kind = spec.kind
    fits = {
        "int": type(value) is int,
        "duration": type(value) is int and value >= 0,
        "bool": type(value) is bool,
        "choice": isinstance(value, str) and value in spec.choices,
        "text": isinstance(value, str) and bool(value.strip()),
    }[kind] if kind in FIELD_KINDS else False
    if fits:
        return None
    if kind == "choice":
        return f"{spec.name} is one of: {', '.join(spec.choices)}"
    return f"{spec.name} takes {takes(kind, spec.choices)}"


def takes(kind: str, choices: list[str]) -> str:
    """What a field of ``kind`` takes, in words: ``a whole number``, ``paused or stopped``."""
    if kind == "choice":
        return " or ".join([", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)
    return {"int": "a whole number", "duration": "a duration: 90m, 2h30m", "bool": "yes or no"}.get(kind, "text")


def show_value(kind: str, value: str | int | bool | None) -> str:
    """A value for people: ``1,200``, ``yes``, ``2h 30m``; ``-`` when unset."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and kind == "duration":
        minutes, seconds = divmod(value, 60)
        hours, minutes = divmod(minutes, 60)
        parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{seconds}s" if seconds else ""]
        return " ".join(part for part in parts if part) or "0m"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def fill_template(template: str, fields: dict[str, FieldState]) -> str:
    """``template`` with each ``{name}`` of a set field replaced by its value (unset ones stay)."""
    def value(match: re.Match[str]) -> str:
        found = fields.get(match.group(1))
        return show_value(found.kind, found.value) if found is not None and found.value is not None else match.group(0)

    return re.sub(r"\{([a-z][a-z0-9_]*)\}", value, template)


# --- readers -------------------------------------------------------------------------------


def checklist_json(items: dict[str, ChecklistItem]) -> list[dict[str, object]]:
    """``show --json``'s ``checklist``: every item with id, role, stage, text, required, done, by, at."""
    return [
        {
            "id": item.id, "role": item.role, "stage": item.stage, "text": item.text, "required": item.required,
            "done": item.done, "by": item.by, "at": item.at.isoformat().replace("+00:00", "Z") if item.at else None,
        }
        for item in items.values()
    ]


def fields_json(fields: dict[str, FieldState]) -> list[dict[str, object]]:
    """``show --json``'s ``fields``: name, label, kind, value, required, public."""
    return [
        {"name": f.name, "label": f.label, "kind": f.kind, "value": f.value, "required": f.required, "public": f.public}
        for f in fields.values()
    ]


def still_open_in_playbook(items: dict[str, ChecklistItem], fields: dict[str, FieldState]) -> list[str]:
    """Required items not ticked and required fields not set: part of what close lists."""
    lines = [f'{i.id} "{i.text}" ({i.role}) is not ticked' for i in items.values() if i.required and not i.done]
    lines.extend(f"field {f.name} ({f.label}) is not set" for f in fields.values() if f.required and f.value is None)
    return lines
