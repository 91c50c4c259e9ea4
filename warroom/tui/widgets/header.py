"""The one-line header: which incident, how bad, who you are, and whether the store answers."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from warroom.incident import IncidentState
from warroom.safetext import safe_line


def header_content(state: IncidentState, incident_id: str, me: str, offline: bool, loading: bool = False) -> Content:
    parts: list[str | tuple[str, str]] = [(f" {safe_line(state.id or incident_id)} ", "bold reverse")]
    if state.declared:
        parts += [" ", (safe_line(state.title), "bold"), "  ", (f" SEV{state.severity} ", f"bold reverse $severity-{state.severity}")]
        parts += ["  ", ("CLOSED" if state.closed else state.status, "bold" if state.closed else "")]
        if state.drill:
            parts += ["  ", ("DRILL", "$warning bold")]
    elif loading:
        parts += ["  ", ("loading…", "dim")]
    else:
        parts += ["  ", ("not declared yet", "$warning")]
    parts += ["   you: ", (safe_line(me), "$you bold")]
    if offline:
        parts += ["   ", (" offline — reconnecting ", "bold reverse $error")]
    return Content.assemble(*parts)


class BoardHeader(Widget):
    """Repaints when ``offline`` flips or when ``show`` is given the (changed) state."""

    DEFAULT_CSS = """
    BoardHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    offline: reactive[bool] = reactive(False)
    """The store did not answer last time."""

    def __init__(self, incident_id: str, me: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.incident_id = incident_id
        self.me = me
        self._state = IncidentState()
        self._loading = False

    def show(self, state: IncidentState, me: str, *, loading: bool = False) -> None:
        self._state, self.me, self._loading = state, me, loading
        self.refresh()

    def render(self) -> Content:
        return header_content(self._state, self.incident_id, self.me, self.offline, self._loading)
