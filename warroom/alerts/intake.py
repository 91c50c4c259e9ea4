"""From notifications to incident events: declare, append, deduplicate -- through any store.

The intake is a writer acting as a named integration (the hook's name is the actor),
not a person: it appends as ``INTEGRATION``, the one writer kind the rules let record
alerts, and only the hook route (after checking the hook's secret) runs it. It
declares an incident with nobody in command, records each alert once, and never
changes status, severity or command -- people do that. It works against the
``EventStore`` interface, so the server (through its own log) and ``warroom alerts``
beside a shared folder (through the file store) behave the same.

Deduplication has two layers. The intake only sends what is new against the
incident's state (an alert not yet firing, or a firing one now resolved), and the
rules refuse the same alert firing twice, so a repeated or concurrent notification
adds nothing even if two checks race. Event ids are derived from the alert, so a
retried notification is also a store-level retry -- keyed (HMAC) with the hook's
secret, so nobody without the secret can compute a future alert's id and claim it
first with some other event (which would make the hook's real event look "already
known" and drop it).

Which incident a group belongs to is found by folding open incidents: the one a
hook of this name declared for this group key. A group whose incident is closed
starts a new one on its next firing alert; a resolved alert with no open incident is
acknowledged and dropped. One notification at a time per intake (a lock), so two
notifications for a new group cannot declare two incidents.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Protocol

from warroom.incident.alert_severity import AlertsConfig
from warroom.incident import DEFAULT_POLICY, INTEGRATION, IncidentState, Writer, fold
from warroom.incident import events as ev
from warroom.store.base import IdClash, IncidentSummary, Rejected, next_free_id

from .payload import Alert, Notification


class IntakeStore(Protocol):
    async def append(self, incident_id: str, draft: ev.EventDraft, writer: Writer = ...) -> ev.StoredEvent: ...
    async def read(self, incident_id: str, after: int = 0) -> list[ev.StoredEvent]: ...
    async def incidents(self) -> list[IncidentSummary]: ...


@dataclass(slots=True)
class Outcome:
    """What one notification did, for the hook's response body."""

    incident: str | None = None
    declared: bool = False
    recorded: int = 0
    repeated: int = 0
    dropped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def detail(self) -> str:
        if self.incident is None:
            return "no open incident for this group and nothing firing: nothing recorded"
        what = "declared" if self.declared else "appended to"
        words = f"{what} {self.incident}: {self.recorded} recorded, {self.repeated} already known"
        return words + (f", {self.dropped} not recorded" if self.dropped else "")

    def as_dict(self) -> dict:
        """The response body: the counts, then ``detail`` in words, then the ``notes``."""
        counts = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "notes"}
        return counts | {"detail": self.detail, "notes": self.notes}


def alert_bodies(state: IncidentState, notification: Notification) -> tuple[list[ev.AlertFired | ev.AlertResolved], int]:
    """The events ``notification`` adds to ``state``, and how many of its alerts it already knew."""
    bodies: list[ev.AlertFired | ev.AlertResolved] = []
    known = 0
    for alert in notification.alerts:
        record = state.alerts.get(alert.fingerprint)
        if alert.status == "firing":
            if record is not None and record.status == "firing" and record.starts_at == alert.starts_at:
                known += 1
                continue
            bodies.append(_fired(notification.group_key, alert))
        elif record is not None and record.status == "firing":
            bodies.append(
                ev.AlertResolved(group=notification.group_key, fingerprint=alert.fingerprint, name=alert.name, ends_at=alert.ends_at)
            )
        else:
            known += 1  # resolved, and either already resolved here or never seen firing
    return bodies, known


def _fired(group: str, alert: Alert) -> ev.AlertFired:
    return ev.AlertFired(
        group=group,
        fingerprint=alert.fingerprint,
        name=alert.name,
        summary=alert.summary,
        description=alert.description,
        labels=alert.labels,
        links=[ev.AlertLink(title=title, url=url) for title, url in alert.links],
        starts_at=alert.starts_at,
    )


def event_id(secret: str, incident_id: str, hook: str, body: ev.AlertFired | ev.AlertResolved, since: datetime) -> uuid.UUID:
    """The same alert change gets the same id, so a retried notification is a store-level retry.

    ``since`` is when the firing began (a resolution names the firing it ends, so an alert
    that fires again and resolves again gets a new id). The id is an HMAC keyed with the
    hook's ``secret``: only whoever holds it can know an id before the hook uses it."""
    parts = [incident_id, hook, body.type, body.group, body.fingerprint, since.isoformat()]
    digest = hmac.new(secret.encode("utf-8", "surrogatepass"), "\x1f".join(parts).encode("utf-8", "surrogatepass"), hashlib.sha256)
    return uuid.UUID(bytes=digest.digest()[:16], version=4)  # an HMAC is as good as random bytes


class Intake:
    """Turns notifications into events in one store; one notification at a time."""

    def __init__(self, store: IntakeStore, alerts: AlertsConfig | None = None):
        self.store = store
        self.alerts = alerts or AlertsConfig()
        self._lock = asyncio.Lock()
        self._where: dict[tuple[str, str], str] = {}

    async def receive(self, hook: str, notification: Notification, secret: str) -> Outcome:
        """Record ``notification`` from the hook named ``hook``, whose ``secret`` keys the event ids."""
        async with self._lock:
            outcome = Outcome(dropped=notification.dropped, notes=list(notification.notes))
            found = await self._open_incident(hook, notification.group_key)
            if found is None:
                if not any(a.status == "firing" for a in notification.alerts):
                    return outcome
                found = await self._declare(hook, notification)
                outcome.declared = True
            incident_id, state = found
            outcome.incident = incident_id
            bodies, outcome.repeated = alert_bodies(state, notification)
            for body in bodies:
                since = body.starts_at if isinstance(body, ev.AlertFired) else state.alerts[body.fingerprint].starts_at
                draft = ev.EventDraft(id=event_id(secret, incident_id, hook, body, since), actor=hook, body=body)
                try:
                    stored = await self.store.append(incident_id, draft, INTEGRATION)
                except IdClash:
                    outcome.repeated += 1
                    continue
                except Rejected as refusal:
                    if "already" in refusal.reason or "never recorded" in refusal.reason:
                        outcome.repeated += 1  # a concurrent writer got there first
                        continue
                    raise
                if stored.id == draft.id and stored.seq > state.seq:
                    outcome.recorded += 1
                else:
                    outcome.repeated += 1
            return outcome

    async def _open_incident(self, hook: str, group: str) -> tuple[str, IncidentState] | None:
        """The open incident this hook declared for ``group``, with its state (folded now)."""
        key = (hook, group)
        cached = self._where.get(key)
        if cached is not None:
            state = fold(await self.store.read(cached))
            if self._belongs(state, hook, group):
                return cached, state
            del self._where[key]
        for summary in await self.store.incidents():
            if summary.closed:
                continue
            state = fold(await self.store.read(summary.id))
            if state.closed or hook not in state.integrations:
                continue
            for other in state.alert_groups:
                self._where[(state.declared_by, other)] = summary.id
            if self._belongs(state, hook, group):
                return summary.id, state
        return None

    @staticmethod
    def _belongs(state: IncidentState, hook: str, group: str) -> bool:
        return state.declared and not state.closed and state.declared_by == hook and group in state.alert_groups

    async def _declare(self, hook: str, notification: Notification) -> tuple[str, IncidentState]:
        firing = [a for a in notification.alerts if a.status == "firing"]
        severity = min(self.alerts.severity_of(a.labels) for a in firing)
        playbook = self.alerts.playbook_for(hook, firing[0].labels)
        body_for = lambda incident_id: ev.IncidentDeclared(  # noqa: E731
            incident_id=incident_id,
            title=notification.title(),
            severity=severity,
            alert_group=notification.group_key,
            detected_at=min(a.starts_at for a in firing),
            playbook=playbook,
            policy=playbook.with_policy(DEFAULT_POLICY) if playbook and playbook.policy.given() else None,
        )
        for attempt in range(20):
            incident_id = await next_free_id(self.store, bump=attempt)
            try:
                stored = await self.store.append(incident_id, ev.EventDraft(actor=hook, body=body_for(incident_id)), INTEGRATION)
            except Rejected:
                continue  # someone declared that id a moment ago: take the next
            self._where[(hook, notification.group_key)] = incident_id
            return incident_id, fold([stored])
        raise Rejected("could not find a free incident id to declare the alert's incident")
