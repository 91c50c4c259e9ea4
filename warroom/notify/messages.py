"""What to tell the channels: short messages derived from the log, one per notable event.

Pure (no I/O): given the state before an event, the event and the state after it,
say which notification kinds it is and what the message reads. The text comes from
the same viewer-safe facts as the status page (public title, severity, status, commander,
stakeholder broadcasts), never from notes, hand-offs, responder details or the internal
title. An incident nobody published tells the channels nothing: its first notice is the
one that publishes it (or its declaration, with ``[status] publish_on_declare``).

That text is still typed by someone, and it lands in chat rooms and mailboxes: it passes
the one sanitiser (``safe_line``: ESC shows as ``␛``, U+202E as ``<U+202E>``) and its chat
mentions are neutralised, so a title cannot page a whole channel (``<!channel>``,
``<!here>``, ``<@U123>`` become ``‹!channel›`` ...; ``@everyone``, ``@here``, ``@channel``
get a zero-width space after the ``@``, which stops Slack, Discord, Teams and Mattermost
from reading them as mentions while they look the same). A closed incident's notice
names no file: the post-mortem draft is on whichever machine exported it; the status
page link (when there is one) is how a stakeholder follows up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from warroom.incident import IncidentState, StoredEvent
from warroom.safetext import fit, safe_line

MAX_TEXT = 600
_SPECIAL_MENTION = re.compile(r"<([!@#][^<>]*)>")  # Slack's <!channel>, <!here>, <@U123>, <#C123>
_BROADCAST_MENTION = re.compile(r"(?<![\w.])@(?=(?:everyone|here|channel|all)\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # one of warroom.config.NOTIFY_EVENTS
    incident: str
    key: str  # unique per incident: the event's seq, or "overdue@<due>" for the derived kind
    severity: int
    drill: bool
    title: str
    body: str


def _short(text: str, limit: int = MAX_TEXT) -> str:
    """User text for a channel: one line, controls visible, mentions defused, at most ``limit``."""
    text = without_mentions(safe_line(" ".join(text.split())))
    return fit(text, limit)


def without_mentions(text: str) -> str:
    """``text`` with every chat mention that would notify people made plain text."""
    return _BROADCAST_MENTION.sub("@\u200b", _SPECIAL_MENTION.sub(r"‹\1›", text))


def _head(state: IncidentState) -> str:
    drill = " [DRILL]" if state.drill else ""
    return f"[SEV{state.severity}]{drill} {state.id}"


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M UTC")


def notice_for(before_commander: str | None, before_severity: int, state: IncidentState, event: StoredEvent) -> Notice | None:
    """The notice an accepted event calls for, or ``None``. ``state`` is after the event."""
    if not state.published:
        return None
    body = event.body
    kind, title, text = None, "", ""
    head = _head(state)
    public = _short(state.public_title)
    match body.type:
        case "incident_declared" | "incident_published" if event.seq == state.published_seq:
            kind, title, text = "declared", f"{head} declared", public
            if state.public_summary:
                text = f"{public}: {_short(state.public_summary)}"
        case "broadcast_sent" if body.audience == "stakeholders":
            kind, title, text = "broadcast", f"{head} update", _short(body.text)
        case "severity_changed" if state.severity != before_severity:
            kind, title = "severity", f"{head} severity SEV{before_severity} → SEV{state.severity}"
            text = public
        case "status_changed":
            kind, title, text = "status", f"{head} is {state.status}", public
        case "command_assumed" | "command_handover_accepted" if state.commander != before_commander:
            kind, title, text = "command", f"{head}: {state.commander} has command", public
        case "incident_closed":
            kind, title, text = "closed", f"{head} closed", public
        case "incident_linked" if state.closed and state.duplicate_of and state.closed_at == event.at:
            kind, title = "closed", f"{head} closed: duplicate of {state.duplicate_of}"
            text = public
        case "incident_reopened":
            kind, title, text = "status", f"{head} reopened", public
    if kind is None:
        return None
    return Notice(kind, state.id, str(event.seq), state.severity, state.drill, title, text)


def overdue_notice(state: IncidentState, due: datetime) -> Notice:
    """The derived ``update_overdue``: one per due time (a new update or a snooze moves it)."""
    key = "overdue@" + due.isoformat(timespec="seconds").replace("+00:00", "Z")
    title = f"{_head(state)} stakeholder update overdue"
    return Notice("update_overdue", state.id, key, state.severity, state.drill, title, f"Was due {_clock(due)}. {_short(state.public_title)}")


def message(notice: Notice, status_url: str | None) -> str:
    """The body sent: the text, the status page link if there is one, and a reference that
    stays the same on every retry (receivers can drop a repeat by it)."""
    lines = [notice.body]
    if status_url:
        lines.append(f"Status: {status_url}")
    lines.append(f"ref {notice.incident}/{notice.key}")
    return "\n".join(lines)
