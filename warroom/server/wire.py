"""What the server's HTTP routes say on the wire, apart from what they do: the request and
response models and where a stream resumes (``after`` or ``Last-Event-ID``); the OpenAPI
words for every error and the two SSE response classes are ``warroom.asgi.responses``.
``app`` wires them to the routes."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from warroom import __version__
from warroom.incident import Policy
from warroom.incident import events as ev
from warroom.incident.playbook import Playbook

MAX_SEQ = 2**53


# --- the wire models -------------------------------------------------------------------


class AppendIn(BaseModel):
    """One event: the client's id (for idempotent retries) and the body. The actor is the token's."""

    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(None, description="the client's event id; a retry (same id, same action) returns the original, the same id on another action is 409")
    actor: ev.Handle | None = Field(None, description="optional; if present it must be the token's owner (else 403)")
    body: ev.EventBody


VISIBLE_CHARACTER = "[^\\s\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u2800\\u3164\\ufeff\\uffa0]"
"""What the schema says a title holds: at least one character that draws something. Said, not
checked here (the title's own validator refuses a blank one, with its own words), so a client
generated from the schema sends titles the server takes."""


class DeclareIn(BaseModel):
    """Declare an incident: the ``incident_declared`` fields plus an optional event id."""

    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(None, description="the client's event id (idempotent retries)")
    actor: ev.Handle | None = Field(None, description="optional; if present it must be the token's owner (else 403)")
    type: Literal["incident_declared"] = "incident_declared"
    incident_id: ev.IncidentId
    title: ev.Title = Field(json_schema_extra={"pattern": VISIBLE_CHARACTER})
    severity: ev.Severity = 3
    drill: bool = False
    policy: Policy | None = Field(None, description="the incident's policy (cadence, fatigue, staleness); default: warroom's defaults")
    playbook: Playbook | None = Field(None, description="the whole playbook the incident is declared with (its workstreams, checklist and fields)")
    published: bool = Field(False, description="public on the status page at once (`[status] publish_on_declare`)")


class MeOut(BaseModel):
    handle: str = Field(description="the responder this token acts as")
    token_id: str


CHECKPOINT_MEDIA_TYPE = "application/vnd.warroom.checkpoint"


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    version: str = __version__
    status_process: bool | None = Field(
        None, description="with `--status-port`: whether the status page's own process runs (null: the page is served here)"
    )


def stream_start(
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="resume after this seq (Last-Event-ID wins)")] = 0,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", description="the last seq the client saw")] = None,
) -> int:
    if last_event_id is None or not last_event_id.strip():
        return after
    try:
        seq = int(last_event_id.strip())
    except ValueError:
        raise HTTPException(422, "Last-Event-ID must be a seq (a whole number)") from None
    if not 0 <= seq <= MAX_SEQ:
        raise HTTPException(422, "Last-Event-ID is out of range")
    return seq
