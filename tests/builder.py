"""Build event logs in tests with a fixed clock: ``log.add("alice", ev.NoteAdded(text="x"))``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from warroom.incident import IncidentState, fold
from warroom.incident import events as ev
from warroom.incident.playbook import ChecklistItemSpec, FieldSpec, Playbook

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class LogBuilder:
    def __init__(self, incident_id: str = "INC-1", start: datetime = T0):
        self.incident_id = incident_id
        self.clock = start
        self.events: list[ev.StoredEvent] = []

    def add(self, actor: str, body: ev.Body, *, minutes: float = 1) -> ev.StoredEvent:
        self.clock += timedelta(minutes=minutes)
        event = ev.StoredEvent(seq=len(self.events) + 1, id=uuid.uuid4(), at=self.clock, actor=actor, body=body)
        self.events.append(event)
        return event

    def declare(self, actor: str = "alice", *, title: str = "Objects expiring", severity: int = 2) -> ev.StoredEvent:
        return self.add(actor, ev.IncidentDeclared(incident_id=self.incident_id, title=title, severity=severity), minutes=0)

    def declare_with_playbook(self, actor: str = "alice", playbook: Playbook | None = None) -> ev.StoredEvent:
        body = ev.IncidentDeclared(incident_id=self.incident_id, title="Objects expiring", severity=1, playbook=playbook or PLAYBOOK)
        return self.add(actor, body, minutes=0)

    def state(self) -> IncidentState:
        return fold(self.events)

    def last_entry(self):
        return self.state().timeline[-1]


PLAYBOOK = Playbook(
    name="data-loss",
    workstreams=["Stop the automation", "Restore the data"],
    checklist=[
        ChecklistItemSpec(text="Stop the automation", role="commander", stage="triage", required=True),
        ChecklistItemSpec(text="Tell support", role="comms", stage="triage"),
        ChecklistItemSpec(text="Count the customers", role="everyone", stage="mitigate", required=True),
    ],
    fields=[
        FieldSpec(name="customers_affected", label="Customers affected", kind="int", required=True, public=True),
        FieldSpec(name="automation", label="Automation", kind="choice", choices=["running", "stopped"]),
        FieldSpec(name="window", label="Window lost", kind="duration"),
    ],
    first_update="{customers_affected} customers affected; automation {automation}.",
)
"""A small data-loss playbook for domain tests: two workstreams, three items (two required), three fields."""
