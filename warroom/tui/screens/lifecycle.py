"""The forms of an incident's life beyond running it: reopening it, and declaring one it caused."""

from __future__ import annotations

from warroom.incident.events import MAX_TITLE

from .form_screen import Field, FormScreen


def reopen_form(incident_id: str) -> FormScreen:
    return FormScreen(
        f"Reopen {incident_id}?",
        [Field("reason", "Reason", required=True, placeholder="why it is open again (on the timeline)")],
        intro="Every board can act on it again; the reason is recorded. Esc keeps it closed.",
    )


def secondary_form(primary: str) -> FormScreen:
    return FormScreen(
        f"Declare an incident caused by {primary}",
        [
            Field("title", "Title", required=True, placeholder="what is broken, for whom", max_length=MAX_TITLE),
            Field("severity", "Severity", "choice", value="3", choices=tuple((str(n), f"SEV{n}") for n in range(1, 5))),
        ],
        intro=f"A new incident, linked in both logs as caused by {primary}. You become its commander; this board stays here.",
    )
