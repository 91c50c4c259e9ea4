"""What a stakeholder may see of an incident: the viewer-safe projection of its state.

The status page, its live stream and outgoing notifications are read by people who
are not responders (support, executives, sometimes customers). They must never see
internal notes, hand-off notes, status notes, who owns what or who is on a break.
Rather than filtering HTML or events after the fact, every public surface is built
from this projection alone: a small frozen value that simply has no field for any
internal text. A leak would need a new field here, which a reviewer sees.

Pure: a function of the folded state (whose policy is the incident's own) and a ``now``; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .playbook import show_value
from .state import IncidentState

KEY_TIME_ORDER = ("started", "detected", "mitigated", "resolved")


@dataclass(frozen=True, slots=True)
class PublicUpdate:
    """One stakeholder broadcast: what the commander chose to tell everyone."""

    seq: int
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class PublicWorkstream:
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class PublicChange:
    """One step of the severity or status history."""

    at: datetime
    value: str


@dataclass(frozen=True, slots=True)
class PublicView:
    id: str
    title: str
    severity: int
    status: str  # "closed" once closed, else the incident status
    drill: bool
    commander: str | None
    seq: int
    key_times: tuple[tuple[str, datetime], ...]
    closed_at: datetime | None
    severity_history: tuple[PublicChange, ...]
    status_history: tuple[PublicChange, ...]
    updates: tuple[PublicUpdate, ...]  # newest first
    workstreams: tuple[PublicWorkstream, ...]
    next_update_due: datetime | None
    fields: tuple[tuple[str, str], ...] = ()
    """The playbook's public fields that are set, as (label, value): ("Customers affected", "1,200")."""

    @property
    def open(self) -> bool:
        return self.status != "closed"

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
        return f"SEV{self.severity}, {self.status}"


def public_view(state: IncidentState) -> PublicView:
    """The projection of ``state`` a viewer may see. Time-independent on purpose (the
    page computes "elapsed" and "overdue" from the times it carries), so two renders of
    the same log prefix are identical and a stream pushes only real changes."""
    key_times = tuple((name, state.key_times[name]) for name in KEY_TIME_ORDER if name in state.key_times)
    updates = tuple(
        PublicUpdate(seq=b.seq, at=b.at, text=b.text) for b in reversed(state.broadcasts) if b.audience == "stakeholders"
    )
    return PublicView(
        id=state.id,
        title=state.title,
        severity=state.severity,
        status="closed" if state.closed else state.status,
        drill=state.drill,
        commander=None if state.closed else state.commander,
        seq=state.seq,
        key_times=key_times,
        closed_at=state.closed_at,
        severity_history=tuple(PublicChange(at, f"SEV{sev}") for at, sev in state.severity_history),
        status_history=tuple(PublicChange(at, status) for at, status in state.status_history)
        + ((PublicChange(state.closed_at, "closed"),) if state.closed and state.closed_at else ()),
        updates=updates,
        workstreams=tuple(PublicWorkstream(ws.title, ws.status) for ws in state.workstreams.values()),
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
        said.append(f"Status is now {after.status}")
    if after.updates and (not before.updates or after.updates[0].seq != before.updates[0].seq):
        said.append(f"New update: {after.updates[0].text}")
    return ". ".join(said)
