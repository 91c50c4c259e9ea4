"""Events about the incident itself: declared, its policy, severity, title and status, its key
times, closed and reopened, and linked to another incident."""

from typing import Annotated, Literal

from pydantic import Field

from warroom.limits import MAX_TITLE

from ..playbook import Playbook
from ..policy import Policy
from .base import (
    HEADER_AND_COMMAND,
    AlertGroup,
    Body,
    IncidentId,
    IncidentStatus,
    KeyTime,
    LinkKind,
    Note,
    Severity,
    Text,
    Title,
    UtcTime,
    is_false,
    is_none,
)


class IncidentDeclared(Body):
    """Declare an incident; the declarer becomes commander -- unless an alert hook declared it
    (``alert_group`` set): then nobody is in command until a person takes it, and the hook is
    an integration, never a responder. ``detected_at`` is the alert's start (key time)."""

    type: Literal["incident_declared"] = "incident_declared"
    redraws = HEADER_AND_COMMAND | {"rows"}  # a playbook opens workstreams
    incident_id: IncidentId
    title: Title
    severity: Severity = 3
    drill: bool = False
    alert_group: AlertGroup | None = Field(None, exclude_if=is_none)
    detected_at: UtcTime | None = Field(None, exclude_if=is_none)
    policy: Policy | None = Field(None, exclude_if=is_none)
    """The incident's own policy, fixed here so every board computes the same cadence,
    fatigue and staleness; ``None`` (logs from before policies were recorded: left out of
    the JSON, so they stay byte-identical) means the defaults."""
    playbook: Playbook | None = Field(None, exclude_if=is_none)
    """The whole playbook the incident was declared with, copied so a later edit of its file
    never changes this incident: the fold opens its workstreams and starts its checklist and fields."""
    published: bool = Field(False, exclude_if=is_false)
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
    redraws = HEADER_AND_COMMAND
    toast = True
    catch_up = True
    severity: Severity


class IncidentRenamed(Body):
    """The commander gives the incident a better title than the one it was declared with (an
    alert's summary, a first guess); exports, the status page and the lobby show the new one."""

    type: Literal["incident_renamed"] = "incident_renamed"
    redraws = HEADER_AND_COMMAND
    toast = True
    catch_up = True
    title: Title


class StatusChanged(Body):
    type: Literal["status_changed"] = "status_changed"
    redraws = HEADER_AND_COMMAND
    toast = True
    catch_up = True
    status: IncidentStatus


class KeyTimeSet(Body):
    """Correct one of the key times (when it really started, was detected, ...)."""

    type: Literal["key_time_set"] = "key_time_set"
    redraws = HEADER_AND_COMMAND
    which: KeyTime
    time: UtcTime


class IncidentClosed(Body):
    type: Literal["incident_closed"] = "incident_closed"
    redraws = HEADER_AND_COMMAND | {"rows"}
    toast = True
    catch_up = True
    summary: Note = ""


class IncidentReopened(Body):
    """The commander of a closed incident opens it again, saying why; it runs as before."""

    type: Literal["incident_reopened"] = "incident_reopened"
    redraws = HEADER_AND_COMMAND | {"rows"}
    toast = True
    catch_up = True
    reason: Text


class IncidentLinked(Body):
    """This incident is linked to ``incident``; ``kind`` is seen from this side (this one was
    ``caused-by`` the other, or ``causes`` it). A link is two events, one in each log: the first
    by a commander of its incident, the second a ``mirror`` of it, which the authority stores only
    when the other log already holds the first. ``duplicate-of`` closes this incident (a merge)."""

    type: Literal["incident_linked"] = "incident_linked"
    redraws = HEADER_AND_COMMAND | {"rows"}
    toast = True
    catch_up = True
    incident: IncidentId
    kind: LinkKind
    title: Annotated[str, Field(max_length=MAX_TITLE)] = ""
    """The other incident's title when linked (for the commander pane and the post-mortem)."""
    started: UtcTime | None = Field(None, exclude_if=is_none)
    """The other incident's start when linked: the post-mortem says how far apart they began."""
    mirror: bool = Field(False, exclude_if=is_false)
