"""The Commander pane: who is in command, severity and status, the update clock, broadcasts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from warroom.incident.playbook import show_value
from warroom.safetext import safe_line

from ..model.format import clock, duration, update_due_label

if TYPE_CHECKING:
    from warroom.incident import IncidentState, Policy

SHOWN_BROADCASTS = 5

LINK_WORDS = {
    "caused-by": "caused by {id}",
    "causes": "caused {id}",
    "related": "related to {id}",
    "duplicate-of": "a duplicate of {id}",
    "duplicated-by": "{id} is a duplicate of this",
}


def summary_content(state: IncidentState, me: str, now: datetime, policy: Policy) -> Content:
    parts: list[str | tuple[str, str]] = [("Commander ", "bold")]
    if state.commander:
        style = "$you bold" if state.commander == me else "bold"
        until = state.closed_at or now
        since = duration(until - state.commander_since) if state.commander_since else "-"
        parts += [(safe_line(state.commander), style), f" · in command {since}"]
        if state.shift_of(state.commander) != "on":
            parts += [(" (away: command can be taken with i)", "$warning")]
    else:
        parts += [("nobody in command: press i to take command", "$warning bold")]
    parts.append("\n")
    parts += [("Severity  ", "bold"), (f"SEV{state.severity}", f"$severity-{state.severity} bold")]
    parts += [f" · {'closed' if state.closed else state.status} · age {duration(state.age(now))}"]
    if state.drill:
        parts.append(" · drill")
    if state.links:
        said = [LINK_WORDS[link.kind].format(id=link.incident + (f" “{link.title}”" if link.title else "")) for link in state.links]
        parts += ["\n", ("Linked    ", "bold"), safe_line("; ".join(said))]
    if state.checklist or state.fields:
        parts += ["\n", *playbook_parts(state)]
    due, overdue = update_due_label(state, now, policy)
    if due:
        parts += ["\n", ("Updates   ", "bold"), (due, "$overdue bold" if overdue else "")]
    if state.command_offer:
        offer = state.command_offer
        to = "you (y accept / Y decline)" if offer.to == me else safe_line(offer.to)
        parts += ["\n", ("Offer     ", "bold"), (f"command offered to {to}", "$pending")]
    if state.command_handover_suggested(now, policy) and state.commander and state.commander_since:
        parts += [
            "\n",
            (
                f"{safe_line(state.commander)} has held command {duration(now - state.commander_since)}: "
                "time to hand over (i)",
                "$warning",
            ),
        ]
    return Content.assemble(*parts)


def playbook_parts(state: IncidentState) -> list[str | tuple[str, str]]:
    """``Playbook  data-loss · checklist 3/10 (l)``, then ``Fields    Customers affected 1,200``
    on a line of their own (the fields that are set): after the checklist they wrapped
    mid-field at the pane's left edge."""
    done = sum(item.done for item in state.checklist.values())
    parts: list[str | tuple[str, str]] = [("Playbook  ", "bold"), safe_line(state.playbook or "-")]
    parts.append(f" · checklist {done}/{len(state.checklist)} (l)")
    shown = [found for found in state.fields.values() if found.value is not None]
    for n, found in enumerate(shown):
        parts += [" · " if n else ("\nFields    ", "bold"), safe_line(found.label) + " ", (safe_line(show_value(found.kind, found.value)), "bold")]
    return parts


def broadcasts_content(state: IncidentState) -> Content:
    if not state.broadcasts:
        return Content.assemble(("Broadcasts: none yet", "dim"))
    parts: list[str | tuple[str, str]] = [("Broadcasts (newest first)", "bold")]
    # Newest first: the latest stakeholder update is what the commander checks, and the pane is short.
    for b in reversed(state.broadcasts[-SHOWN_BROADCASTS:]):
        who = safe_line(f"{b.sender} → stakeholders" if b.audience == "stakeholders" else b.sender)
        parts += ["\n", (f"{clock(b.at)} {who}: ", "dim"), safe_line(b.text)]
    return Content.assemble(*parts)


class CommandSummary(Static):
    """Commander, severity, status, age and the stakeholder-update clock."""

    def show(self, state: IncidentState, me: str, now: datetime, policy: Policy) -> None:
        content = summary_content(state, me, now, policy)
        if content.plain != getattr(self, "_shown", None):
            self._shown = content.plain
            self.update(content)


class BroadcastFeed(Static):
    """The latest broadcasts, newest first."""

    DEFAULT_CSS = "BroadcastFeed { margin-top: 1; }"

    def show(self, state: IncidentState) -> None:
        self.update(broadcasts_content(state))


class CommanderPane(VerticalScroll):
    """The pane itself: focusable so tab reaches it, scrollable when broadcasts run long."""
