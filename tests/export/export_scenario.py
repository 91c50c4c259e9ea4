"""A fixed, realistic incident for the export tests, built with the domain API.

INC-42: EU card payments fail after a release. Five responders, a corrected start
time, a severity bump, two hand-offs (one declined) with notes, a released
workstream, a break, a command hand-over, broadcasts to responders and stakeholders
(one wait over the cadence, one snooze), action items, a starred entry, one action
the rules refused (a race the fold keeps on the timeline), status all the way to
resolved, the close, and a note written after it. Every timestamp and id is fixed,
so the exports are byte-for-byte stable.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from warroom.incident import EventDraft, IncidentState, StoredEvent, apply
from warroom.incident import events as ev

DAY = datetime(2026, 3, 14, tzinfo=timezone.utc)


def at(clock: str) -> datetime:
    hours, minutes, secs = (int(part) for part in clock.split(":"))
    return DAY + timedelta(hours=hours, minutes=minutes, seconds=secs)


class LogBuilder:
    """Appends events the way a store would (next seq, fixed clock) and checks the rules agree."""

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.state = IncidentState()

    def add(self, clock: str | datetime, actor: str, body: ev.Body, *, refused: bool = False) -> StoredEvent:
        seq = len(self.events) + 1
        when = at(clock) if isinstance(clock, str) else clock
        event = EventDraft(id=UUID(int=seq), actor=actor, body=body).stored(seq=seq, at=when)
        change = apply(self.state, event)
        assert change is not None
        entry = change.entry
        if refused:
            assert entry.rejected, f"expected #{seq} {body.type} to be refused"
        else:
            assert entry.rejected is None, f"#{seq} {body.type} by {actor} refused: {entry.rejected}"
        self.events.append(event)
        return event


def build_scenario() -> LogBuilder:
    log = LogBuilder()
    a = log.add
    a("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-42", title="EU card payments failing at checkout", severity=2))
    a("09:00:40", "bob", ev.ResponderJoined())
    a("09:01:05", "carol", ev.ResponderJoined())
    a("09:01:30", "alice", ev.KeyTimeSet(which="started", time=at("08:47:00")))
    a("09:01:50", "alice", ev.KeyTimeSet(which="detected", time=at("08:55:00")))
    a("09:02:00", "alice", ev.RoleAssigned(role="scribe", handle="carol"))
    a("09:02:30", "alice", ev.WorkstreamOpened(title="Roll back payments-api 4.12"))
    a("09:02:45", "alice", ev.WorkstreamOpened(title="Customer comms"))
    a("09:03:00", "bob", ev.WorkstreamClaimed(workstream="WS-1"))
    a("09:03:20", "carol", ev.NoteAdded(text="Error rate on /v1/charge at 38% since 08:47, EU only.\nUS and APAC normal.", star=True))
    a("09:04:00", "alice", ev.WorkstreamOpened(title="Rule out the fraud service"))
    a("09:04:30", "carol", ev.WorkstreamClaimed(workstream="WS-3"))
    a("09:05:00", "alice", ev.BroadcastSent(text="bob owns the rollback (WS-1). Nobody else deploys payments-api until further notice."))
    a("09:06:00", "alice", ev.SeverityChanged(severity=1))
    a("09:08:00", "dave", ev.ResponderJoined())
    a("09:08:30", "alice", ev.RoleAssigned(role="comms", handle="dave"))
    a("09:09:00", "dave", ev.WorkstreamClaimed(workstream="WS-2"))
    a("09:10:00", "dave", ev.BroadcastSent(audience="stakeholders", text="Card payments failing for EU customers since 08:47 UTC. Rollback in progress. Next update by 09:30 UTC."))
    a("09:12:00", "bob", ev.WorkstreamStatusSet(workstream="WS-1", status="blocked", note="rollback job stuck: migration 0042 holds a lock on charges"))
    a("09:12:00", "carol", ev.WorkstreamClaimed(workstream="WS-1"), refused=True)  # raced bob's ownership
    a("09:13:30", "carol", ev.WorkstreamStatusSet(workstream="WS-3", status="done", note="fraud service healthy, error budget untouched"))
    a("09:14:00", "alice", ev.StatusChanged(status="identified"))
    a("09:14:30", "erin", ev.ResponderJoined())
    a("09:15:00", "bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="needs DB access"))
    a("09:15:10", "carol", ev.HandoffDeclined(workstream="WS-1"))
    a("09:15:30", "bob", ev.HandoffOffered(workstream="WS-1", to="erin", note="Tried: rollback via deploy tool, stuck on the lock from migration 0042.\nNext: kill the migration session, rerun the rollback (runbook db/locks.md)."))
    a("09:16:00", "erin", ev.HandoffAccepted(workstream="WS-1"))
    a("09:16:30", "bob", ev.ShiftChanged(shift="break", minutes=20))
    a("09:20:00", "erin", ev.WorkstreamStatusSet(workstream="WS-1", status="active", note="killed session 8812; rollback running"))
    a("09:24:00", "erin", ev.NoteAdded(text="Rollback complete. Error rate 38% -> 4% and falling."))
    a("09:25:00", "alice", ev.StatusChanged(status="mitigated"))
    a("09:28:00", "dave", ev.UpdateSnoozed(minutes=10))
    a("09:36:10", "bob", ev.ShiftChanged(shift="on"))
    a("09:38:00", "alice", ev.CommandHandoverOffered(to="bob", note="Mitigated at 09:25. Open: WS-2 comms, confirm full recovery, then resolve."))
    a("09:38:30", "bob", ev.CommandHandoverAccepted())
    a("09:40:00", "carol", ev.WorkstreamReleased(workstream="WS-3"))
    a("09:42:00", "bob", ev.BroadcastSent(audience="stakeholders", text="Payments recovered at 09:24 UTC after rolling back payments-api 4.12. Monitoring; next update 10:00 UTC."))
    a("09:43:00", "erin", ev.WorkstreamStatusSet(workstream="WS-1", status="done", note="4.11 serving 100% of EU traffic"))
    a("09:45:00", "alice", ev.ShiftChanged(shift="off"))
    a("09:55:00", "bob", ev.ActionItemAdded(text="Give schema migrations a lock timeout", owner="erin", kind="preventative"))
    a("09:55:30", "bob", ev.ActionItemAdded(text="Alert on EU checkout error rate above 5% for 2 minutes", owner="carol", kind="detective"))
    a("09:56:00", "carol", ev.EntryStarred(target=27))
    a("10:00:00", "bob", ev.StatusChanged(status="resolved"))
    a("10:00:30", "dave", ev.BroadcastSent(audience="stakeholders", text="Resolved: all EU card payments succeeding since 09:24 UTC. Post-mortem to follow."))
    a("10:01:00", "dave", ev.WorkstreamStatusSet(workstream="WS-2", status="done", note="final update sent"))
    a("10:02:00", "bob", ev.IncidentClosed(summary="payments-api 4.12 ran migration 0042, which held a lock that blocked EU charges.\nRolled back to 4.11 after killing the migration session."))
    a("10:05:00", "carol", ev.ActionItemStatusSet(item="A-2", status="in_progress"))  # after close: action items only
    return log


def build_review_scenario() -> tuple[LogBuilder, LogBuilder]:
    """INC-7 and the incident it caused, INC-8 (issue 25): an alert with a description, a deputy who
    takes command, a decision, an impact note, a break, a responder who moves to INC-8, and an action
    item owned by someone who never joined. Returns (INC-7's log, INC-8's log)."""
    other = LogBuilder()
    other.add("10:26:00", "erin", ev.IncidentDeclared(incident_id="INC-8", title="Terraform drift on the lifecycle rule", severity=3))
    other.add("10:27:00", "erin", ev.ActionItemAdded(text="Import the console change", owner="erin"))
    other.add("10:28:30", "carol", ev.ResponderJoined())
    other.add("10:40:00", "erin", ev.StatusChanged(status="resolved"))
    other.add("10:41:00", "erin", ev.IncidentClosed())

    log = LogBuilder()
    a = log.add
    a("10:00:00", "alice", ev.IncidentDeclared(incident_id="INC-7", title="Customer objects expiring", severity=1))
    a("10:01:00", "alertmanager", ev.AlertFired(
        group="g", fingerprint="f1", name="ObjectsDeleted", summary="deletes above 1000/min",
        description="Lifecycle deletes far above baseline.\nSee the storage dashboard.", labels={"instance": "s3-eu-1"},
        links=[ev.AlertLink(title="runbook", url="https://runbooks.example/objects")], starts_at=at("09:58:00"),
    ))
    a("10:02:00", "bob", ev.ResponderJoined())
    a("10:02:30", "alice", ev.RoleAssigned(role="deputy", handle="bob"))
    a("10:03:00", "carol", ev.ResponderJoined())
    a("10:05:00", "bob", ev.DecisionMade(
        text="Turn the lifecycle rule off in the console", why="stops the deletions now",
        alternatives="revert in Terraform (20 min); wait for the fix",
    ))
    a("10:06:00", "carol", ev.NoteAdded(text="4,821 customers lost objects (ticket #4821) -> about ~5 min of deletes", impact=True))
    a("10:10:00", "alice", ev.CommandHandoverOffered(to="bob", note="deletions stopped; restore next"))
    a("10:11:00", "bob", ev.CommandHandoverAccepted())
    a("10:12:00", "alice", ev.ShiftChanged(shift="break", minutes=10))
    a("10:20:00", "alertmanager", ev.AlertResolved(group="g", fingerprint="f1", name="ObjectsDeleted"))
    a("10:22:00", "alice", ev.ShiftChanged(shift="on"))
    a("10:25:00", "bob", ev.ActionItemAdded(text="Make the console change in Terraform too", owner="lenna", kind="preventative"))
    a("10:26:00", "bob", ev.IncidentLinked(incident="INC-8", kind="causes", title="Terraform drift on the lifecycle rule", started=at("10:26:00")))
    a("10:28:00", "carol", ev.ShiftChanged(shift="off"))
    a("10:29:00", "bob", ev.StatusChanged(status="resolved"))
    a("10:30:00", "bob", ev.IncidentClosed(summary="Rule off by hand; drift followed (INC-8)."))
    return log, other
