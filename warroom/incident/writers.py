"""Who is writing, asked before the rules: a person (a token, the CLI, the board) or an
integration (an alert hook's intake, which the authority itself runs after checking the hook's
secret). Alert events come only from integrations and integrations write nothing else, whatever
the actor's name says; the alert rules here refuse responders too. The log does not record the
writer kind, so the fold (reading what the authority already admitted) does not ask:
``rules.check_write`` asks this and then the rules.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

from . import events as ev
from .state import AlertRecord, IncidentState

Refusal = str | None
"""Why something is refused, in words a responder can act on; ``None`` when it is allowed."""


# --- who is writing -----------------------------------------------------------

Writer = Literal["person", "integration"]
PERSON: Writer = "person"
INTEGRATION: Writer = "integration"


def from_an_alert_hook(body: ev.Body) -> bool:
    """Events only an alert hook's intake writes: an alert firing or resolving, and the
    declaration of an incident for an alert group (which has nobody in command)."""
    if isinstance(body, (ev.AlertFired, ev.AlertResolved)):
        return True
    return isinstance(body, ev.IncidentDeclared) and body.alert_group is not None


def may_write(writer: Writer, body: ev.Body) -> Refusal:
    """Whether a ``writer`` of this kind may write this type of event at all."""
    hooks_only = from_an_alert_hook(body)
    if writer == PERSON and hooks_only:
        if isinstance(body, ev.IncidentDeclared):
            return "only an alert hook declares an incident for an alert group: declare it without one"
        return f"{body.type} comes only from an alert hook (`warroom hook add`), never from a person"
    if writer == INTEGRATION and not hooks_only:
        return f"an alert hook records alerts only, not {body.type}"
    return None


# --- alerts --------------------------------------------------------------------


def _recorded_by_a_hook(rule: Callable[[Any, AlertRecord | None], Refusal]) -> Callable[..., Refusal]:
    """An alert rule, refused to responders (alerts are recorded by alert hooks); ``rule``
    gets the body and the alert already on record under its fingerprint (or ``None``)."""

    @functools.wraps(rule)
    def checked(state: IncidentState, actor: str, body: ev.AlertFired | ev.AlertResolved) -> Refusal:
        if actor in state.responders:
            return f"{actor} is a responder: alerts are recorded by alert hooks (`warroom hook add`)"
        return rule(body, state.alerts.get(body.fingerprint))

    return checked


@_recorded_by_a_hook
def may_fire_alert(body: ev.AlertFired, known: AlertRecord | None) -> Refusal:
    if known is not None and known.status == "firing" and known.starts_at == body.starts_at:
        return f"alert {body.name} is already recorded as firing (#{known.seq})"
    return None


@_recorded_by_a_hook
def may_resolve_alert(body: ev.AlertResolved, known: AlertRecord | None) -> Refusal:
    if known is None:
        return f"alert {body.name} was never recorded as firing here"
    if known.status != "firing":
        return f"alert {body.name} is already resolved"
    return None
