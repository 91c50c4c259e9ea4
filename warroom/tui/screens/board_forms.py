"""What each action asks: one function per form, all of them ``form_screen.FormScreen``.

The form itself (focus, Enter, Escape asking before typed words are lost, pastes, number
fields, letters typed straight after the key that opened it) is ``form_screen.py``; here each
function only says which fields one action asks for, with what wording and defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from warroom.incident import IncidentState
from warroom.incident.events import (
    ACTION_KINDS,
    ActionItemAdded,
    DEFAULT_PUBLIC_TITLE,
    INCIDENT_STATUSES,
    MAX_TITLE,
    ROLES,
    WORKSTREAM_STATUSES,
    valid_handle,
)

from warroom.safetext import safe_line

from .form_screen import Field, FormScreen



# --- one function per action ------------------------------------------------------------


def open_workstream_form() -> FormScreen:
    return FormScreen(
        "Open a workstream",
        [Field("title", "Title", required=True, placeholder="e.g. Stop the lifecycle rule", max_length=MAX_TITLE, one_line=True)],
    )


def handoff_form(ws_id: str, title: str, candidates: Sequence[str]) -> FormScreen:
    return FormScreen(
        f"Hand off {ws_id}",
        [
            Field("to", "To (on shift)", "choice", choices=tuple((h, h) for h in candidates)),
            Field("note", "Note", required=True, placeholder="what was tried, what is next"),
        ],
        intro=title,
    )


def offer_picker(offers: Sequence[tuple[str, str]], accept: bool) -> FormScreen:
    """Several offers wait for you: say which one y (or Y) answers."""
    verb = "Accept" if accept else "Decline"
    return FormScreen(
        f"{verb} which offer?",
        [Field("offer", "Offers to you", "choice", choices=tuple(offers))],
        intro=f"{len(offers)} offers wait for you. Tip: highlight a workstream's row to answer its offer directly.",
    )


def command_handover_form(candidates: Sequence[str]) -> FormScreen:
    return FormScreen(
        "Hand over command",
        [
            Field("to", "To (on shift)", "choice", choices=tuple((h, h) for h in candidates)),
            Field("note", "Note", required=True, placeholder="the situation in a sentence or two"),
        ],
        intro="They become commander when they accept.",
    )


def workstream_status_form(ws_id: str, title: str, current: str) -> FormScreen:
    return FormScreen(
        f"Status of {ws_id}",
        [
            Field("status", "Status", "choice", value=current, choices=tuple((s, s) for s in WORKSTREAM_STATUSES)),
            Field("note", "Note", placeholder="optional: what changed"),
        ],
        intro=title,
    )


WHOLE_INCIDENT = "incident"
"""The note-form choice for a note about the whole incident rather than one workstream."""

IMPACT, NOT_IMPACT = "impact", "plain"
"""The note form's answers to "Impact?" (a choice, so Enter on the text alone still posts a plain note)."""


def note_form(workstream: tuple[str, str] | None = None, *, about_it: bool = False) -> FormScreen:
    """``workstream``: (id, title) of the highlighted one, so the note can be posted against it
    ("for WS-3?"); ``about_it`` makes that the default answer."""
    fields = [Field("text", "Note", required=True, placeholder="what you saw or did")]
    if workstream is not None:
        ws_id, title = workstream
        fields.append(
            Field(
                "workstream",
                f"For {ws_id}?",
                "choice",
                value=ws_id if about_it else WHOLE_INCIDENT,
                choices=((ws_id, f"yes: {ws_id} “{title}” (its story shows it)"), (WHOLE_INCIDENT, "no: the whole incident")),
            )
        )
    fields.append(
        Field(
            "impact",
            "Impact?",
            "choice",
            value=NOT_IMPACT,
            choices=((NOT_IMPACT, "no: a plain note"), (IMPACT, "yes: what it did to users or the business (the post-mortem's Impact)")),
        )
    )
    return FormScreen("Add a timeline note", fields)


def decision_form() -> FormScreen:
    return FormScreen(
        "Record a decision",
        [
            Field("text", "Decision", required=True, placeholder="what was decided, e.g. turn the lifecycle rule off by hand"),
            Field("why", "Why", placeholder="optional: what it buys us"),
            Field("alternatives", "Alternatives", placeholder="optional: what else was weighed"),
        ],
        intro="The timeline marks it with ◆; the post-mortem lists every decision for the review.",
    )


def break_form(minutes: int = 15) -> FormScreen:
    return FormScreen(
        "Take a break",
        [Field("minutes", "Minutes", "integer", value=str(minutes), required=True, minimum=1, maximum=24 * 60)],
        intro="Your workstreams stay yours; the board shows when you are back.",
    )


def broadcast_form(first_update: str = "", *, published: bool = True) -> FormScreen:
    """``first_update``: the playbook's first stakeholder update, fields filled in, offered until one is sent.
    Before the incident is published, the stakeholders' choice says that nobody outside reads it yet."""
    to_stakeholders = "stakeholders (counts as the update)" if published else "stakeholders (counts as the update; private until published: P)"
    return FormScreen(
        "Broadcast",
        [
            Field("text", "Message", value=safe_line(first_update), required=True, placeholder="what everyone needs to know"),
            Field(
                "audience",
                "To",
                "choice",
                value="stakeholders" if first_update else "responders",
                choices=(("responders", "responders"), ("stakeholders", to_stakeholders)),
            ),
        ],
        intro="The playbook's first stakeholder update, with its fields filled in: edit it, then Enter." if first_update else "",
    )


def severity_form(severity: int, status: str) -> FormScreen:
    return FormScreen(
        "Severity and status",
        [
            Field(
                "severity",
                "Severity",
                "choice",
                value=str(severity),
                choices=tuple((str(n), f"SEV{n}") for n in range(1, 5)),
            ),
            Field("status", "Status", "choice", value=status, choices=tuple((s, s) for s in INCIDENT_STATUSES)),
        ],
        intro="Enter applies both; only what changed is recorded.",
    )


def rename_form(title: str) -> FormScreen:
    """Prefilled with the current title, shown safe: a hostile title saved unchanged comes back harmless."""
    return FormScreen(
        "Rename the incident",
        [Field("title", "Title", value=safe_line(title), required=True, placeholder="what is broken, for whom", max_length=MAX_TITLE, one_line=True)],
        intro="Every board, export and the status page show the new title; the timeline keeps the old one.",
    )


def publish_form(state: IncidentState) -> FormScreen:
    """The public title and summary, prefilled with what the public reads now (empty before the first publish)."""
    first = not state.published
    return FormScreen(
        "Publish on the status page" if first else "What the public reads",
        [
            Field("title", "Public title", value=safe_line(state.public_title), required=not first,
                  placeholder=f"default: {DEFAULT_PUBLIC_TITLE}", max_length=MAX_TITLE, one_line=True),
            Field("summary", "Public summary", value=state.public_summary, placeholder="what stakeholders read under the title"),
        ],
        intro="Stakeholders read these, never the internal title." + (" Publishing tells the [[notify]] channels." if first else ""),
    )


def component_form(names: list[str], impacts: tuple[str, ...]) -> FormScreen:
    return FormScreen(
        "Affected component",
        [
            Field("component", "Component", "choice", value=names[0], choices=tuple((n, n) for n in names)),
            Field("impact", "Impact", "choice", value=impacts[1], choices=tuple((i, i) for i in impacts)),
        ],
        intro="The status page shows it at once; operational takes it off this incident.",
    )


NOBODY = "-"
"""The choice that clears a role."""


def role_form(candidates: Sequence[str]) -> FormScreen:
    return FormScreen(
        "Assign a role",
        [
            Field("role", "Role", "choice", choices=tuple((r, r) for r in ROLES)),
            Field("handle", "Who (on shift)", "choice", choices=((NOBODY, "nobody: clear the role"), *((h, h) for h in candidates))),
        ],
        intro="Deputy, scribe and comms take load off the commander (the scribe may correct key times,\ncomms may update stakeholders).",
    )


def snooze_form(minutes: int = 10) -> FormScreen:
    return FormScreen(
        "Snooze the stakeholder update",
        [Field("minutes", "Minutes", "integer", value=str(minutes), required=True, minimum=1, maximum=240)],
        intro="Move the update that is due now back by this many minutes, e.g. when a fix lands soon. An update resets it.",
    )


def handle_problem(text: str) -> str | None:
    if valid_handle(text):
        return None
    return "Owner takes a handle: letters, digits, . _ or -, up to 40 (e.g. raaj)"


def date_problem(text: str) -> str | None:
    try:
        date.fromisoformat(text)
    except ValueError:
        return "Due takes a date: YYYY-MM-DD, e.g. 2026-12-09"
    return None


DEFAULT_ACTION_KIND = ActionItemAdded.model_fields["kind"].default
"""Corrective, on the board as on the CLI and in the log: most follow-ups of an incident fix its
cause; detective (see it sooner) and preventative (stop the class of problem) are chosen on purpose."""


def action_item_form(
    text: str = "", owner: str = "", due: str = "", kind: str = DEFAULT_ACTION_KIND, *, start_on: str | None = None
) -> FormScreen:
    """Asked again with the last answers (and ``start_on`` the field to change) when the owner
    turned out not to be in the room."""
    return FormScreen(
        "Add an action item",
        [
            Field("text", "Action", value=text, required=True, placeholder="what should change after this incident"),
            Field("owner", "Owner", value=owner, placeholder="optional handle", one_line=True, check=handle_problem),
            Field("due", "Due", value=due, placeholder="optional: YYYY-MM-DD", one_line=True, max_length=10, check=date_problem),
            Field("kind", "Kind", "choice", value=kind, choices=tuple((k, k) for k in ACTION_KINDS)),
        ],
        start_on=start_on,
    )


def action_item_edit_form(
    item_id: str, text: str, owner: str = "", due: str = "", *, start_on: str | None = None
) -> FormScreen:
    """Prefilled with the item as it reads (shown safe); empty owner or due clears it."""
    return FormScreen(
        f"Edit {item_id}",
        [
            Field("text", "Action", value=safe_line(text), required=True, placeholder="what should change after this incident"),
            Field("owner", "Owner", value=owner, placeholder="empty: nobody", one_line=True, check=handle_problem),
            Field("due", "Due", value=due, placeholder="empty: no due date; else YYYY-MM-DD", one_line=True, max_length=10, check=date_problem),
        ],
        intro="Kind and status keep their own keys; the timeline records what changed.",
        start_on=start_on,
    )


def reason_form(item_id: str, text: str) -> FormScreen:
    return FormScreen(
        f"Won't do {item_id}",
        [Field("reason", "Reason", required=True, placeholder="why it will not be done")],
        intro=text,
    )


def close_form(incident_id: str) -> FormScreen:
    return FormScreen(
        f"Close {incident_id}?",
        [Field("summary", "Summary", placeholder="optional: one paragraph for the post-mortem")],
        intro="This ends the incident for every board, then exports the timeline. Esc keeps it open.",
    )


def declare_form(incident_id: str, severity: Field, playbook: Field) -> FormScreen:
    """``severity`` and ``playbook``: ``playbook_choice.severity_field`` and ``playbook_field``."""
    return FormScreen(
        f"{incident_id} has not been declared",
        [
            Field("title", "Title", required=True, placeholder="what is broken, for whom", max_length=MAX_TITLE, one_line=True),
            severity,
            playbook,
        ],
        intro="Declare it now? You become its commander. Esc leaves the board.",
    )
