"""What a stakeholder may see of an incident: the viewer-safe projection of its state.

The status page, its live stream and outgoing notifications are read by people who
are not responders (support, executives, sometimes customers). They must never see
internal notes, hand-off notes, status notes, who owns what or who is on a break.
Rather than filtering HTML or events after the fact, every public surface is built
from this projection alone: a small frozen value that simply has no field for any
internal text. A leak would need a new field here, which a reviewer sees. Its title
and summary are the public ones (``warroom publish``), never the internal title; an
incident nobody published has no public view at all (``published`` is false).

Pure: a function of the folded state (whose policy is the incident's own) and a ``now``; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .playbook import show_value
from .events import DEFAULT_PUBLIC_TITLE
from .state import IncidentState

KEY_TIME_ORDER = ("started", "detected", "mitigated", "resolved")
STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "mitigated": "Monitoring",
    "resolved": "Resolved",
    "closed": "Resolved",
}
"""The words a status page uses (Statuspage's): "mitigated" is what a stakeholder calls monitoring."""
IMPACT_LABELS = {
    "operational": "Operational",
    "degraded": "Degraded performance",
    "partial": "Partial outage",
    "major": "Major outage",
    "maintenance": "Under maintenance",
}
IMPACT_ORDER = ("major", "partial", "degraded", "maintenance", "operational")
"""Worst first: the order in which a component's impacts outrank each other."""


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.capitalize())


def worst_impact(impacts: Iterable[str]) -> str:
    """The worst of several incidents' impacts on one component ("operational" if none)."""
    return min(impacts, key=IMPACT_ORDER.index, default="operational")


@dataclass(frozen=True, slots=True)
class PublicEntry:
    """One line of the public timeline: an update (with the status it was sent under), a
    status or severity change, a component's new impact, or a new public title or summary."""

    at: datetime
    kind: str  # "update", "status", "severity", "component", "title", "summary", "published"
    status: str  # the incident's status at that moment ("closed" once closed)
    text: str
    seq: int = 0  # the update's log seq (its anchor on the page); 0 for the other kinds

    @property
    def label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True, slots=True)
class PublicWorkstream:
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class PublicView:
    id: str
    title: str  # the public title, never the internal one
    summary: str
    severity: int
    status: str  # "closed" once closed, else the incident status
    drill: bool
    commander: str | None
    seq: int
    published_at: datetime | None
    key_times: tuple[tuple[str, datetime], ...]
    closed_at: datetime | None
    components: tuple[tuple[str, str], ...]  # (component, impact), as the incident affects them
    timeline: tuple[PublicEntry, ...]  # newest first
    workstreams: tuple[PublicWorkstream, ...]  # none once closed: nothing is being worked on
    next_update_due: datetime | None
    fields: tuple[tuple[str, str], ...] = ()
    """The playbook's public fields that are set, as (label, value): ("Customers affected", "1,200")."""

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def open(self) -> bool:
        return self.status != "closed"

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def updates(self) -> tuple[PublicEntry, ...]:
        return tuple(entry for entry in self.timeline if entry.kind == "update")

    @property
    def last_updated(self) -> datetime | None:
        times = [entry.at for entry in self.timeline[:1]] + ([self.published_at] if self.published_at else [])
        return max(times, default=None)

    @property
    def started(self) -> datetime | None:
        return dict(self.key_times).get("started")

    def elapsed(self, now: datetime) -> timedelta:
        start = self.started
        if start is None:
            return timedelta(0)
        return max((self.closed_at or now) - start, timedelta(0))

    def overdue(self, now: datetime) -> bool:
        return self.next_update_due is not None and now >= self.next_update_due

    def headline(self) -> str:
        """One line for a screen reader or a chat message: what matters right now."""
        return f"SEV{self.severity}, {self.label}"


def _timeline(state: IncidentState) -> list[PublicEntry]:
    """Every public fact with a time, oldest first (the view reverses it)."""
    entries = [
        PublicEntry(b.at, "update", b.status, b.text, b.seq) for b in state.broadcasts if b.audience == "stakeholders"
    ]
    entries += [PublicEntry(at, "status", status, f"Status: {status_label(status)}") for at, status in state.status_history[1:]]
    if state.closed and state.closed_at:
        entries.append(PublicEntry(state.closed_at, "status", "closed", "This incident is closed."))
    severities = state.severity_history
    entries += [
        PublicEntry(at, "severity", _status_at(state, at), f"Severity: SEV{sev}")
        for (at, sev), (_, was) in zip(severities[1:], severities)
        if sev != was
    ]
    for change in state.public_changes:
        if change.kind == "component":
            text = f"{change.what}: {IMPACT_LABELS.get(change.value, change.value)}"
        else:
            text = f"New {change.kind}: {change.value}"
        entries.append(PublicEntry(change.at, change.kind, change.status, text))
    if state.published_at:
        entries.append(PublicEntry(state.published_at, "published", _status_at(state, state.published_at), "Published."))
    entries.sort(key=lambda entry: entry.at)  # stable: same-time entries keep the order above
    return entries


def _status_at(state: IncidentState, at: datetime) -> str:
    status = "investigating"
    for when, value in state.status_history:
        if when > at:
            break
        status = value
    return status


def public_view(state: IncidentState) -> PublicView:
    """The projection of ``state`` a viewer may see. Time-independent on purpose (the
    page computes "elapsed" and "overdue" from the times it carries), so two renders of
    the same log prefix are identical and a stream pushes only real changes."""
    key_times = tuple((name, state.key_times[name]) for name in KEY_TIME_ORDER if name in state.key_times)
    return PublicView(
        id=state.id,
        title=state.public_title or DEFAULT_PUBLIC_TITLE,
        summary=state.public_summary,
        severity=state.severity,
        status=state.public_status,
        drill=state.drill,
        commander=None if state.closed else state.commander,
        seq=state.seq,
        published_at=state.published_at,
        key_times=key_times,
        closed_at=state.closed_at,
        components=tuple(state.components.items()),
        timeline=tuple(reversed(_timeline(state))),
        workstreams=() if state.closed else tuple(PublicWorkstream(ws.title, ws.status) for ws in state.workstreams.values()),
        next_update_due=state.next_update_due(),
        fields=tuple((f.label, show_value(f.kind, f.value)) for f in state.fields.values() if f.public and f.value is not None),
    )


def announcement(before: PublicView | None, after: PublicView) -> str:
    """What changed between two views, in words for ``aria-live`` ("" if nothing a viewer
    would want read out: a new workstream or a commander change is visible but not urgent)."""
    if before is None:
        return ""
    said = []
    if after.severity != before.severity:
        said.append(f"Severity is now SEV{after.severity}")
    if after.status != before.status:
        said.append(f"Status is now {after.label}")
    if after.updates and (not before.updates or after.updates[0].seq != before.updates[0].seq):
        said.append(f"New update: {after.updates[0].text}")
    return ". ".join(said)
