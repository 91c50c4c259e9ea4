"""What the board shows, derived from the log: the state of one incident.

State is only ever built by ``fold`` (``warroom.incident.fold``). It holds what
happened (stamped with the authority's clock) and answers the time-dependent
questions -- time on shift, next update due, stale workstreams -- as functions of
a ``now`` the caller passes in, so the state itself stays a pure function of the log.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .playbook import ChecklistItem, FieldState, checklist_json, fields_json
from .policy import DEFAULT_POLICY, Policy


@dataclass(slots=True)
class PendingHandoff:
    to: str
    note: str
    offered_at: datetime
    offered_by: str


@dataclass(slots=True)
class OwnershipSpan:
    """One stretch of a workstream (or of command) held by one person."""

    holder: str
    start: datetime
    end: datetime | None = None
    note: str = ""


@dataclass(slots=True)
class Responder:
    handle: str
    shift: str
    joined_at: datetime
    shift_started_at: datetime | None
    back_at: datetime | None = None
    on_shift_total: timedelta = timedelta(0)
    breaks: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    last_seen_seq: int = 0
    left_at: datetime | None = None
    # Seq at which this responder last went on break or off shift: the catch-up starts here.
    away_since_seq: int | None = None

    def time_on_shift(self, now: datetime) -> timedelta:
        """Time since this shift started (breaks included: a coffee does not reset fatigue)."""
        if self.shift == "off" or self.shift_started_at is None:
            return timedelta(0)
        return max(now - self.shift_started_at, timedelta(0))

    def fatigue(self, now: datetime, policy: Policy = DEFAULT_POLICY) -> str | None:
        """``None``, ``"warn"`` or ``"limit"`` by the policy's thresholds."""
        on = self.time_on_shift(now)
        if on >= policy.fatigue_limit:
            return "limit"
        if on >= policy.fatigue_warn:
            return "warn"
        return None


@dataclass(slots=True)
class Workstream:
    number: int
    title: str
    opened_at: datetime
    opened_by: str
    owner: str | None = None
    status: str = "open"
    status_note: str = ""
    updated_at: datetime | None = None
    pending: PendingHandoff | None = None
    owners: list[OwnershipSpan] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"WS-{self.number}"

    def last_update(self) -> datetime:
        return self.updated_at or self.opened_at

    def is_stale(self, now: datetime, policy: Policy = DEFAULT_POLICY) -> bool:
        return self.status != "done" and now - self.last_update() >= policy.stale_after


@dataclass(slots=True)
class TimelineEntry:
    seq: int
    at: datetime
    actor: str
    type: str
    text: str
    rejected: str | None = None
    starred: bool = False
    workstream: str | None = None
    counterpart: str | None = None
    """The other responder the event is about: whom work, command or a role goes to or comes from."""


@dataclass(slots=True)
class Broadcast:
    seq: int
    at: datetime
    sender: str
    text: str
    audience: str
    status: str = "investigating"
    """The incident's status when it was sent ("closed" once closed): the label a stakeholder reads."""


@dataclass(slots=True)
class Decision:
    """A decision as recorded on the timeline: who took it, when, what, why, what else was weighed."""

    seq: int
    at: datetime
    by: str
    text: str
    why: str = ""
    alternatives: str = ""


@dataclass(slots=True)
class ActionItem:
    seq: int
    text: str
    owner: str | None
    kind: str
    added_by: str
    number: int = 0
    due: date | None = None
    status: str = "open"
    reason: str = ""
    """Why it will not be done (with ``wont_do``)."""
    status_at: datetime | None = None
    status_by: str | None = None

    @property
    def id(self) -> str:
        return f"A-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "in_progress")

    @property
    def status_text(self) -> str:
        """``open``, ``in progress``, ``done`` or ``won't do: <reason>``."""
        words = {"in_progress": "in progress", "wont_do": "won't do"}.get(self.status, self.status)
        return f"{words}: {self.reason}" if self.reason else words

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due is not None and self.due < today


@dataclass(slots=True)
class Link:
    """Another incident this one is linked to, as this log recorded it."""

    incident: str
    kind: str
    """Seen from this side: caused-by, causes, related, duplicate-of, duplicated-by."""
    title: str
    started: datetime | None
    seq: int
    at: datetime
    by: str


@dataclass(slots=True)
class AlertRecord:
    """One alert as its hook last reported it."""

    fingerprint: str
    group: str
    name: str
    summary: str
    labels: dict[str, str]
    links: list[tuple[str, str]]
    starts_at: datetime
    seq: int
    status: str = "firing"
    ends_at: datetime | None = None
    description: str = ""

    @property
    def where(self) -> str:
        """Which instance fired (labels ``instance``, ``pod``, ``host`` or ``job``), "" if none says."""
        return next((self.labels[key] for key in ("instance", "pod", "host", "job") if self.labels.get(key)), "")


@dataclass(slots=True)
class PublicChange:
    """One change of what the public reads, besides updates and status: a component's
    impact (``what`` is the component), or the public title or summary (``what`` is "title"
    or "summary", ``value`` the new text)."""

    at: datetime
    kind: str  # "component", "title", "summary"
    what: str
    value: str
    status: str


@dataclass(slots=True)
class IncidentState:
    id: str = ""
    title: str = ""
    severity: int = 3
    status: str = "investigating"
    drill: bool = False
    policy: Policy = DEFAULT_POLICY
    """The incident's own cadence, fatigue and staleness numbers (from the log, never local config)."""
    declared: bool = False
    declared_at: datetime | None = None
    declared_by: str = ""
    closed: bool = False
    closed_at: datetime | None = None
    summary: str = ""
    commander: str | None = None
    commander_since: datetime | None = None
    command_offer: PendingHandoff | None = None
    command_spans: list[OwnershipSpan] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    responders: dict[str, Responder] = field(default_factory=dict)
    workstreams: dict[str, Workstream] = field(default_factory=dict)
    broadcasts: list[Broadcast] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    duplicate_of: str | None = None
    """Closed as a duplicate of this incident (a merge); cleared on reopen."""
    alerts: dict[str, AlertRecord] = field(default_factory=dict)
    """By fingerprint, in the order they first fired."""
    alert_groups: set[str] = field(default_factory=set)
    """Alert group keys that append to this incident (set when a hook declared it)."""
    integrations: set[str] = field(default_factory=set)
    """Actors that are alert hooks, not people: never responders, never in command."""
    key_times: dict[str, datetime] = field(default_factory=dict)
    severity_history: list[tuple[datetime, int]] = field(default_factory=list)
    status_history: list[tuple[datetime, str]] = field(default_factory=list)
    last_stakeholder_update: datetime | None = None
    published_at: datetime | None = None
    """When the incident went public (``None``: private; the status page answers 404)."""
    published_seq: int = 0
    """The event that made it public (the one that tells the stakeholder channels)."""
    public_title: str = ""
    public_summary: str = ""
    components: dict[str, str] = field(default_factory=dict)
    """Affected public components and how (never "operational": that removes one)."""
    public_changes: list[PublicChange] = field(default_factory=list)
    snoozed_until: datetime | None = None
    playbook: str = ""
    """The name of the playbook the incident was declared with ("" for none)."""
    first_update: str = ""
    """The playbook's template for the first stakeholder update (``{field}`` filled in by readers)."""
    checklist: dict[str, ChecklistItem] = field(default_factory=dict)
    """By id (C-1, C-2 ...), in the order they were made."""
    fields: dict[str, FieldState] = field(default_factory=dict)
    """The playbook's fields by name, in its order, set or not."""
    timeline: list[TimelineEntry] = field(default_factory=list)
    seq: int = 0

    # --- lookups -------------------------------------------------------------

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def public_status(self) -> str:
        return "closed" if self.closed else self.status

    def workstream(self, ws_id: str) -> Workstream | None:
        return self.workstreams.get(ws_id)

    def owned_by(self, handle: str) -> list[Workstream]:
        """Work ``handle`` still holds: owned workstreams that are not done."""
        return [ws for ws in self.workstreams.values() if ws.owner == handle and ws.status != "done"]

    def roles_of(self, handle: str) -> list[str]:
        roles = ["commander"] if self.commander == handle else []
        roles.extend(role for role, holder in self.roles.items() if holder == handle)
        return roles

    def shift_of(self, handle: str) -> str | None:
        responder = self.responders.get(handle)
        return responder.shift if responder else None

    def on_shift(self) -> list[Responder]:
        return [r for r in self.responders.values() if r.shift == "on"]

    def entry(self, seq: int) -> TimelineEntry | None:
        """The timeline entry for ``seq`` (entries are in seq order, possibly with gaps)."""
        index = bisect.bisect_left(self.timeline, seq, key=_seq)
        if index < len(self.timeline) and (found := self.timeline[index]).seq == seq:
            return found
        return None

    # --- derived, time-dependent ------------------------------------------------

    def next_update_due(self, policy: Policy | None = None) -> datetime | None:
        """When stakeholders are next owed an update; ``None`` when no cadence applies."""
        policy = policy or self.policy
        if not self.declared or self.closed or self.status == "resolved":
            return None
        cadence = policy.update_cadence(self.severity)
        if cadence is None:
            return None
        base = self.last_stakeholder_update or self.declared_at
        if base is None:
            return None
        due = base + cadence
        if self.snoozed_until and self.snoozed_until > due:
            due = self.snoozed_until
        return due

    def snoozed_due(self, at: datetime, minutes: int) -> datetime:
        """Where a snooze of ``minutes`` at ``at`` moves the next update: its due time (else ``at``) + minutes."""
        return (self.next_update_due() or at) + timedelta(minutes=minutes)

    def update_overdue_by(self, now: datetime, policy: Policy | None = None) -> timedelta | None:
        due = self.next_update_due(policy)
        if due is None or now < due:
            return None
        return now - due

    def command_handover_suggested(self, now: datetime, policy: Policy | None = None) -> bool:
        policy = policy or self.policy
        return (
            self.commander is not None
            and self.commander_since is not None
            and not self.closed
            and now - self.commander_since >= policy.command_handover
        )

    def stale_workstreams(self, now: datetime, policy: Policy | None = None) -> list[Workstream]:
        return [ws for ws in self.workstreams.values() if ws.is_stale(now, policy or self.policy)]

    def age(self, now: datetime) -> timedelta:
        start = self.key_times.get("started") or self.declared_at
        end = self.closed_at or now
        return max(end - start, timedelta(0)) if start else timedelta(0)

    def action_item(self, item_id: str) -> ActionItem | None:
        prefix, _, number = item_id.partition("-")
        if prefix != "A" or not number.isdigit():
            return None
        index = int(number) - 1
        return self.action_items[index] if 0 <= index < len(self.action_items) else None

    @property
    def all_alerts_resolved(self) -> bool:
        """Alerts were recorded and none is firing any more."""
        return bool(self.alerts) and all(a.status == "resolved" for a in self.alerts.values())

    def link_to(self, incident_id: str) -> Link | None:
        return next((link for link in self.links if link.incident == incident_id), None)

    def pending_for(self, handle: str) -> list[Workstream]:
        """Workstreams someone is offering to ``handle``."""
        return [ws for ws in self.workstreams.values() if ws.pending and ws.pending.to == handle]

    def summary_dict(self) -> dict[str, Any]:
        """The stable, documented JSON shape of ``warroom show --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "drill": self.drill,
            "policy": self.policy.model_dump(),
            "closed": self.closed,
            "commander": self.commander,
            "command_offer": (
                {"to": self.command_offer.to, "note": self.command_offer.note} if self.command_offer else None
            ),
            "roles": dict(sorted(self.roles.items())),
            "seq": self.seq,
            "declared_at": _iso(self.declared_at),
            "closed_at": _iso(self.closed_at),
            "key_times": {k: _iso(v) for k, v in sorted(self.key_times.items())},
            "workstreams": [
                {
                    "id": ws.id,
                    "title": ws.title,
                    "owner": ws.owner,
                    "status": ws.status,
                    "status_note": ws.status_note,
                    "pending_handoff": ({"to": ws.pending.to, "note": ws.pending.note} if ws.pending else None),
                    "updated_at": _iso(ws.last_update()),
                }
                for ws in self.workstreams.values()
            ],
            "responders": [
                {
                    "handle": r.handle,
                    "shift": r.shift,
                    "back_at": _iso(r.back_at),
                    "roles": self.roles_of(r.handle),
                    "shift_started_at": _iso(r.shift_started_at),
                }
                for r in self.responders.values()
            ],
            "broadcasts": [
                {"seq": b.seq, "at": _iso(b.at), "sender": b.sender, "text": b.text, "audience": b.audience}
                for b in self.broadcasts
            ],
            "decisions": [
                {"seq": d.seq, "at": _iso(d.at), "by": d.by, "text": d.text, "why": d.why, "alternatives": d.alternatives}
                for d in self.decisions
            ],
            "action_items": [
                {
                    "id": a.id,
                    "seq": a.seq,
                    "text": a.text,
                    "owner": a.owner,
                    "kind": a.kind,
                    "status": a.status,
                    "reason": a.reason,
                    "due": a.due.isoformat() if a.due else None,
                }
                for a in self.action_items
            ],
            "playbook": self.playbook or None,
            "checklist": checklist_json(self.checklist),
            "fields": fields_json(self.fields),
            "links": [{"incident": link.incident, "kind": link.kind} for link in self.links],
            "alerts": [
                {
                    "fingerprint": a.fingerprint,
                    "group": a.group,
                    "name": a.name,
                    "summary": a.summary,
                    "description": a.description,
                    "status": a.status,
                    "labels": a.labels,
                    "links": [{"title": t, "url": u} for t, u in a.links],
                    "starts_at": _iso(a.starts_at),
                    "ends_at": _iso(a.ends_at),
                    "seq": a.seq,
                }
                for a in self.alerts.values()
            ],
            "timeline": [
                {
                    "seq": e.seq,
                    "at": _iso(e.at),
                    "actor": e.actor,
                    "type": e.type,
                    "text": e.text,
                    "rejected": e.rejected,
                    "starred": e.starred,
                }
                for e in self.timeline
            ],
        }


def _seq(entry: TimelineEntry) -> int:
    return entry.seq


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
