"""The one-line header: which incident, how bad, who you are, and whether the store answers."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from warroom.incident import IncidentState


def header_content(state: IncidentState, incident_id: str, me: str, offline: bool, loading: bool = False) -> Content:
    parts: list[str | tuple[str, str]] = [(f" {state.id or incident_id} ", "bold reverse")]
    if state.declared:
        parts += [" ", (state.title, "bold"), "  ", (f" SEV{state.severity} ", f"bold reverse $severity-{state.severity}")]
        parts += ["  ", ("CLOSED" if state.closed else state.status, "bold" if state.closed else "")]
        if state.drill:
            parts += ["  ", ("DRILL", "$warning bold")]
    elif loading:
        parts += ["  ", ("loading…", "dim")]
    else:
        parts += ["  ", ("not declared yet", "$warning")]
    parts += ["   you: ", (me, "$you bold")]
    if offline:
        parts += ["   ", (" offline — reconnecting ", "bold reverse $error")]
    return Content.assemble(*parts)


class BoardHeader(Static):
    def show(self, state: IncidentState, incident_id: str, me: str, offline: bool, *, loading: bool = False) -> None:
        self.update(header_content(state, incident_id, me, offline, loading))
