"""A hand-built set of incidents whose insights are worked out by hand (in the comments).

now = Monday 2026-11-30 12:00 UTC; the period is 90 days (from 2026-09-01 12:00).

- INC-1, SEV1, Wed 11-25: started 08:35 (set at 09:05), detected 08:50 (detect: 15 min), declared
  09:00 by alice (commander), mitigated 10:00, closed 11:00. bob comes on at 09:10 with ``--tz America/New_York`` (04:10 there: all out of
  hours), takes a break 09:30-10:00. dave joins at 10:00. Action items: A-1 bob, due 11-27, open
  (overdue); A-2 alice, done two days after it was opened; A-3 lenna (never joined), no due date.
- INC-3, SEV2, Wed 11-25: declared 10:30 by dave (on INC-1 too: 10:00-12:30 is 2.5 h, not 3),
  mitigated 11:30, closed 12:30.
- INC-4, SEV3, Thu 11-26: declared 14:00 by an alert hook; erin takes command 14:15
  (acknowledge: 15 min), closes 15:00.
- INC-2, SEV2, Sun 11-29 22:00 by carol (UTC: no zone known), a shift across midnight: closed
  Mon 03:00, reopened 07:00, closed again 09:00 (resolve: 11 h). carol: 5 h + 2 h on shift,
  22:00-03:00 and 07:00-08:00 out of hours (6 h), longest shift 5 h (past the 4 h warning).
- INC-5: a SEV1 drill (left out); INC-6: July, before the period (left out).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from tests.builder import LogBuilder
from warroom.incident import StoredEvent
from warroom.incident import events as ev

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
HOOK = "alertmanager"


SHIFT = timedelta(0)
"""Moves the whole scenario by whole weeks (``logs(weeks=...)``), so a test of the real command,
which counts back from today, finds it recent: weekdays, weeks and clock times stay the same."""


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc) + SHIFT


class Timed(LogBuilder):
    """A LogBuilder that places events at wall-clock times instead of minutes after the last."""

    def at(self, when: datetime, actor: str, body: ev.Body) -> StoredEvent:
        return self.add(actor, body, minutes=(when - self.clock) / timedelta(minutes=1))


def inc1() -> list[StoredEvent]:
    log = Timed("INC-1", at(25, 9))
    log.add("alice", ev.IncidentDeclared(incident_id="INC-1", title="Checkout down", severity=1, detected_at=at(25, 8, 50)), minutes=0)
    log.at(at(25, 9, 5), "alice", ev.KeyTimeSet(which="started", time=at(25, 8, 35)))
    log.at(at(25, 9, 10), "bob", ev.ShiftChanged(shift="on", tz="America/New_York"))
    log.at(at(25, 9, 30), "bob", ev.ShiftChanged(shift="break", minutes=30))
    log.at(at(25, 10), "bob", ev.ShiftChanged(shift="on"))
    log.at(at(25, 10), "alice", ev.StatusChanged(status="mitigated"))
    log.at(at(25, 10), "dave", ev.ResponderJoined())
    log.at(at(25, 10, 40), "alice", ev.ActionItemAdded(text="Alert on queue depth", owner="bob", due=date(2026, 11, 27) + SHIFT))
    log.at(at(25, 10, 50), "alice", ev.ActionItemAdded(text="Runbook for failover", owner="alice"))
    log.at(at(25, 10, 55), "alice", ev.ActionItemAdded(text="Ask the vendor", owner="lenna"))
    log.at(at(25, 11), "alice", ev.IncidentClosed(summary="fixed"))
    log.at(at(27, 10, 50), "alice", ev.ActionItemStatusSet(item="A-2", status="done"))
    return log.events


def inc3() -> list[StoredEvent]:
    log = Timed("INC-3", at(25, 10, 30))
    log.declare("dave", title="Search slow", severity=2)
    log.at(at(25, 11, 30), "dave", ev.StatusChanged(status="mitigated"))
    log.at(at(25, 12, 30), "dave", ev.IncidentClosed())
    return log.events


def inc4() -> list[StoredEvent]:
    log = Timed("INC-4", at(26, 14))
    log.add(HOOK, ev.IncidentDeclared(incident_id="INC-4", title="Disk full", severity=3, alert_group="disk"), minutes=0)
    log.at(at(26, 14, 15), "erin", ev.CommandAssumed())
    log.at(at(26, 15), "erin", ev.IncidentClosed())
    return log.events


def inc2() -> list[StoredEvent]:
    log = Timed("INC-2", at(29, 22))
    log.declare("carol", title="Payments failing", severity=2)
    log.at(at(30, 3), "carol", ev.IncidentClosed())
    log.at(at(30, 7), "carol", ev.IncidentReopened(reason="back again"))
    log.at(at(30, 9), "carol", ev.IncidentClosed())
    return log.events


def inc5_drill() -> list[StoredEvent]:
    log = Timed("INC-5", at(27, 9))
    log.add("alice", ev.IncidentDeclared(incident_id="INC-5", title="Game day", severity=1, drill=True), minutes=0)
    log.at(at(27, 17), "alice", ev.IncidentClosed())
    return log.events


def inc6_old() -> list[StoredEvent]:
    log = Timed("INC-6", at(1, 9, month=7))
    log.declare("alice", title="Old one", severity=1)
    log.at(at(1, 10, month=7), "alice", ev.IncidentClosed())
    return log.events


def logs(weeks: int = 0) -> list[list[StoredEvent]]:
    global SHIFT
    SHIFT = timedelta(weeks=weeks)
    try:
        return [inc1(), inc3(), inc4(), inc2(), inc5_drill(), inc6_old()]
    finally:
        SHIFT = timedelta(0)


def weeks_to(now: datetime) -> int:
    """Whole weeks from the scenario's ``NOW`` to ``now``: ``logs(weeks_to(now))`` ends less than a week before it."""
    return (now - NOW) // timedelta(weeks=1)


ZONES = {"alice": "Europe/Berlin", "carol": "Mars/Olympus_Mons"}
"""alice from config; carol's zone does not exist: she counts in UTC."""
