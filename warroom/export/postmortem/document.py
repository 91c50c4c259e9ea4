"""Every section of the draft, computed: what the Markdown and the HTML templates render."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from warroom.incident import IncidentState, StoredEvent

from ..history import derive
from . import alerts, chart, communication, facts, linked, people, review
from .context import Draft


def sections(
    state: IncidentState, events: Sequence[StoredEvent], others: Mapping[str, IncidentState] | None = None
) -> dict:
    """The sections of the draft for ``state`` (the fold of ``events``); ``others`` are the linked
    incidents the store holds, by id (each told in a few lines). Depends on nothing but its arguments."""
    d = Draft(state, derive(state, events), state.policy, len(events), dict(others or {}))
    return {
        "header": facts.header(d),
        "summary": facts.summary(d),
        "linked": linked.linked(d),
        "purpose": review.PURPOSE,
        "impact": review.impact(d),
        "key_times": facts.key_times(d),
        "severity_and_status": facts.severity_and_status(d),
        "decisions": review.decisions(d),
        "checklist": review.checklist(d),
        "timeline": facts.timeline(d),
        "alerts": alerts.alerts(d),
        "chart": chart.chart(d),
        "command": people.command(d),
        "roles_over_time": people.roles_over_time(d),
        "workstreams": people.workstreams(d),
        "responders": people.responders(d),
        "broadcasts": communication.broadcasts(d),
        "looking_back": review.looking_back(d),
        "contributing_factors": review.contributing_factors(d),
        "why_chains": review.why_chains(d),
        "action_items": review.action_items(d),
    }
