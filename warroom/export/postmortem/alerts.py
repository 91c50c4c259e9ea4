"""The alerts: when each fired and resolved, with its summary and description as the hook sent them."""

from __future__ import annotations

from typing import Any

from warroom.incident.events import AlertFired, AlertResolved

from .context import Draft


def alerts(d: Draft) -> dict:
    """One row per firing (an alert that fired again has a row per start), resolved when its hook said so."""
    rows: list[dict] = []
    firing: dict[str, dict[str, Any]] = {}
    for accepted in d.history.accepted:
        body = accepted.event.body
        if isinstance(body, AlertFired):
            row = {
                "name": body.name,
                "instance": body.labels.get("instance") or body.labels.get("service") or body.fingerprint,
                "fired": d.clock(body.starts_at),
                "resolved": "still firing",
                "summary": body.summary,
                "description": body.description,
                "links": [(link.title, link.url) for link in body.links],
            }
            firing[body.fingerprint] = row
            rows.append(row)
        elif isinstance(body, AlertResolved) and (fired := firing.pop(body.fingerprint, None)) is not None:
            fired["resolved"] = d.clock(body.ends_at or accepted.event.at)
    return {
        "rows": [[r["name"], r["instance"], r["fired"], r["resolved"], r["summary"] or " "] for r in rows],
        "details": [r for r in rows if r["description"] or r["links"]],
    }
