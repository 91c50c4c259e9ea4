"""Events an alert hook records (an integration, not a person): alerts firing and resolving."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..factories import empty_list

from .base import (
    PRINTABLE_LINE,
    PRINTABLE_LINES,
    UNSAFE_CHARS,
    AlertFingerprint,
    AlertGroup,
    AlertLabelName,
    AlertLabelValue,
    AlertLine,
    Body,
    UtcTime,
)


def _label_names_in_schema(schema: dict[str, Any]) -> None:
    """Pydantic publishes a key pattern as ``patternProperties``, which leaves other keys free in
    the schema while the model refuses them: say in the schema that every name must match."""
    schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": PRINTABLE_LINE}
    schema["additionalProperties"] = False


class AlertLink(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    title: Annotated[str, Field(min_length=1, max_length=40, pattern=PRINTABLE_LINE)]
    url: Annotated[str, Field(max_length=2000, pattern=rf"^https?://[^\n{UNSAFE_CHARS}]*$")]


class AlertFired(Body):
    """One alert of a group started firing (a repeated notification of it is refused: deduplicated)."""

    type: Literal["alert_fired"] = "alert_fired"
    catch_up = True
    group: AlertGroup
    fingerprint: AlertFingerprint
    name: AlertLine
    summary: Annotated[str, Field(max_length=200, pattern=PRINTABLE_LINE)] = ""
    description: Annotated[str, Field(max_length=1000, pattern=PRINTABLE_LINES)] = ""
    labels: Annotated[dict[AlertLabelName, AlertLabelValue], Field(max_length=40, json_schema_extra=_label_names_in_schema)] = Field(default_factory=dict)
    links: Annotated[list[AlertLink], Field(max_length=6)] = Field(default_factory=empty_list)
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
