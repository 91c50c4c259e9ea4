"""Linked incidents: each link, and -- when the other incident is in the same store -- its story in a
few lines (title, commander, duration, key times, action items), not just its id."""

from __future__ import annotations

from warroom.incident.state import IncidentState

from ..text import elapsed, offset, utc
from .context import Draft

LINK_KIND_WORDS = {
    "caused-by": "this incident was caused by it",
    "causes": "this incident caused it",
    "related": "related",
    "duplicate-of": "this incident is a duplicate of it",
    "duplicated-by": "it is a duplicate of this incident",
}


def linked(d: Draft) -> dict:
    rows = []
    stories = []
    for link in d.state.links:
        began = "—"
        if link.started is not None and link.kind in ("caused-by", "causes"):
            primary, secondary = (link.started, d.start) if link.kind == "caused-by" else (d.start, link.started)
            who = "this incident" if link.kind == "caused-by" else link.incident
            began = f"{who} began {offset(secondary, primary)} from the primary's start"
        rows.append([link.incident, LINK_KIND_WORDS[link.kind], link.title or "—", began])
        other = d.linked.get(link.incident)
        if other is not None and other.declared:
            stories.append(story(d, other, LINK_KIND_WORDS[link.kind]))
    return {"rows": rows, "stories": stories}


def story(d: Draft, other: IncidentState, kind: str) -> dict:
    """The other incident in a few lines, its times written as this draft writes its own."""
    start = other.key_times.get("started") or other.declared_at
    end = other.closed_at or (other.timeline[-1].at if other.timeline else other.declared_at)
    assert start is not None and end is not None  # declared
    commanders = [f"{span.holder} {d.span_text(span.start, span.end)}" for span in other.command_spans]
    key_times = [
        f"{which} {d.clock(other.key_times[which])}" for which in ("started", "detected", "mitigated", "resolved") if which in other.key_times
    ]
    return {
        "id": other.id,
        "title": other.title,
        "kind": kind,
        "severity": f"SEV{other.severity}",
        "status": "closed" if other.closed else other.status,
        "commanders": commanders or ["nobody"],
        "duration": elapsed(utc(start), utc(end)) + ("" if other.closed else " so far"),
        "key_times": key_times,
        "action_items": [
            f"{a.id} {a.text} ({a.owner or 'unassigned'}, {a.status_text})" for a in other.action_items
        ],
    }
