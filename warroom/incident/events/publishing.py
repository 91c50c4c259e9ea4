"""Events that make the incident public and say what the public reads (the status page): its
own title and summary, and how it affects each public component. Never derived from internal text."""

from typing import Literal

from pydantic import Field

from .base import (
    COMMAND,
    HEADER_AND_COMMAND,
    Body,
    ComponentImpact,
    ComponentName,
    Note,
    Title,
    is_none,
)

DEFAULT_PUBLIC_TITLE = "Service disruption"
"""The public title of an incident published without one: says nothing of the internal title."""


class IncidentPublished(Body):
    """The commander or comms makes the incident public (the first one) or changes what the
    public reads: its own title and summary, never derived from the internal ones. ``None``
    keeps the field as it was; the first publish without a title uses ``DEFAULT_PUBLIC_TITLE``."""

    type: Literal["incident_published"] = "incident_published"
    redraws = HEADER_AND_COMMAND
    toast = True
    catch_up = True
    title: Title | None = Field(None, exclude_if=is_none)
    summary: Note | None = Field(None, exclude_if=is_none)


class ComponentImpactSet(Body):
    """How the incident affects one of the team's public components (``[[component]]``);
    ``operational`` takes it off the incident's list."""

    type: Literal["component_impact_set"] = "component_impact_set"
    redraws = COMMAND
    catch_up = True
    component: ComponentName
    impact: ComponentImpact
