"""What pops up on a board when someone else acts: broadcasts and things done to you.

One function per toast-worthy event type (``Body.toast``), keyed by body class; each
returns the toast, or ``None`` when the event does not concern this board's responder.
Pure (no Textual), so the wording is tested without a screen. ``Seen`` is what the
board showed before the batch of events it is drawing: whose a workstream was, and who
was in command -- a toast about "your" work must speak of what was yours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from warroom.incident import IncidentState
from warroom.incident import events as ev
from warroom.incident.state import TimelineEntry, Workstream


Severity = Literal["information", "warning", "error"]
"""Textual's ``SeverityLevel``, named here without importing Textual."""


@dataclass(frozen=True, slots=True)
class Toast:
    message: str
    title: str = ""
    severity: Severity = "information"
    timeout: float | None = None
    lasts_while: Callable[[IncidentState], bool] | None = None
    """A toast about a condition: it goes as soon as this no longer holds (``None``: its timer alone)."""


@dataclass(frozen=True, slots=True)
class Seen:
    """A workstream as last drawn: its owner, and an offer's recipient and giver."""

    owner: str | None = None
    offered_to: str | None = None
    offered_by: str | None = None

    @classmethod
    def of(cls, ws: Workstream) -> Seen:
        pending = ws.pending
        return cls(ws.owner, pending.to if pending else None, pending.offered_by if pending else None)


@dataclass(frozen=True, slots=True)
class About:
    """One entry, as the toast functions see it."""

    entry: TimelineEntry
    state: IncidentState
    me: str
    ws: Workstream | None
    seen: Seen
    """The entry's workstream as last drawn (empty for new ones and for no workstream)."""
    commander: str | None
    """Who was in command when the board last drew."""


def _offer(about: About, what: str, note: str, title: str) -> Toast:
    note = f"\n“{note}”" if note else ""
    waiting = len(about.state.pending_for(about.me)) + bool(about.state.command_offer and about.state.command_offer.to == about.me)
    keys = "y accept · Y decline" if waiting <= 1 else f"{waiting} offers wait: y / Y ask which (or answer on its row)"
    return Toast(f"{about.entry.actor} offers you {what}{note}\n{keys}", title, "warning", 30)


def _handoff_offered(a: About) -> Toast | None:
    if a.ws and a.ws.pending and a.ws.pending.to == a.me:
        return _offer(a, f"{a.ws.id} “{a.ws.title}”", a.ws.pending.note, "hand-off for you")
    return None


def _command_offered(a: About) -> Toast | None:
    offer = a.state.command_offer
    if offer and offer.to == a.me:
        return _offer(a, "command", offer.note, "command for you")
    return None


def _your_workstream(verb: str) -> Callable[[About], Toast | None]:
    def toast(a: About) -> Toast | None:
        if a.seen.owner == a.me and a.ws:
            return Toast(f"{a.entry.actor} {verb} your {a.ws.id} “{a.ws.title}”", "your workstream", "warning")
        return None

    return toast


def _your_offer(verb: str) -> Callable[[About], Toast | None]:
    def toast(a: About) -> Toast | None:
        if a.seen.offered_by == a.me and a.ws:
            return Toast(f"{a.entry.actor} {verb} {a.ws.id} “{a.ws.title}”", "hand-off")
        return None

    return toast


def _your_command(message: str, severity: Severity) -> Callable[[About], Toast | None]:
    def toast(a: About) -> Toast | None:
        return Toast(message.format(actor=a.entry.actor), "command", severity) if a.commander == a.me else None

    return toast


def _broadcast(a: About) -> Toast:
    said = next((b.text for b in reversed(a.state.broadcasts) if b.seq == a.entry.seq), a.entry.text)
    return Toast(said, f"broadcast from {a.entry.actor}", timeout=15)


def _for_everyone(a: About) -> Toast:
    return Toast(f"{a.entry.actor} {a.entry.text}", a.state.id)


def _closed(a: About) -> Toast:
    """Only the board that closed exports by itself (its folder is the closer's): every other
    board is told who closed it, and how to have the files here too."""
    return Toast(f"{a.entry.actor} closed {a.state.id}: e exports the post-mortem draft, JSON and CSV here", "closed", "warning", 30)


def still_to_mitigate(state: IncidentState) -> bool:
    """Every alert has resolved and nobody has yet said the incident is mitigated (or closed it)."""
    return state.all_alerts_resolved and state.status not in ("mitigated", "resolved") and not state.closed


def _alerts_resolved(a: About) -> Toast | None:
    """Every alert has resolved: the commander decides whether the incident is mitigated (nothing closes by itself)."""
    if still_to_mitigate(a.state) and a.state.commander == a.me:
        return Toast(
            f"every alert of {a.state.id} has resolved: if the service looks healthy, set status mitigated (s)",
            "alerts resolved",
            "information",
            30,
            lasts_while=still_to_mitigate,
        )
    return None


def _linked(a: About) -> Toast:
    """A merge tells the duplicate's responders where the work went."""
    link = next((link for link in reversed(a.state.links) if link.seq == a.entry.seq), None)
    if link is not None and link.kind == "duplicate-of":
        return Toast(
            f"{a.state.id} is a duplicate of {link.incident} and is closed: carry on in {link.incident} "
            f"(warroom join {link.incident})",
            "merged",
            "warning",
            30,
        )
    return _for_everyone(a)


TOASTS: dict[type[ev.Body], Callable[[About], Toast | None]] = {
    ev.BroadcastSent: _broadcast,
    ev.HandoffOffered: _handoff_offered,
    ev.CommandHandoverOffered: _command_offered,
    ev.WorkstreamClaimed: _your_workstream("took"),
    ev.WorkstreamReleased: _your_workstream("released"),
    ev.HandoffAccepted: _your_offer("accepted"),
    ev.HandoffDeclined: _your_offer("declined"),
    ev.CommandHandoverAccepted: _your_command("{actor} is now in command", "warning"),
    ev.CommandAssumed: _your_command("{actor} is now in command", "warning"),
    ev.CommandHandoverDeclined: _your_command("{actor} declined command", "information"),
    ev.SeverityChanged: _for_everyone,
    ev.IncidentRenamed: _for_everyone,
    ev.IncidentPublished: _for_everyone,
    ev.StatusChanged: _for_everyone,
    ev.IncidentClosed: _closed,
    ev.IncidentReopened: _for_everyone,
    ev.IncidentLinked: _linked,
    ev.AlertResolved: _alerts_resolved,
}
"""Exactly the event types marked ``toast`` (a test checks both ways)."""


def toast_for(about: About) -> Toast | None:
    """The toast ``about.entry`` deserves on this board, if any (never for your own actions)."""
    if about.entry.actor == about.me:
        return None
    make: Any = TOASTS.get(ev.BODY_BY_TYPE[about.entry.type])
    return make(about) if make else None
