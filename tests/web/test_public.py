"""The viewer-safe projection: a pure function with no room for internal text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.incident import fold
from warroom.incident import events as ev
from warroom.incident.public import announcement, public_view

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def _events(*items: tuple[str, ev.Body]) -> list[ev.StoredEvent]:
    return [
        ev.EventDraft(actor=actor, body=body).stored(seq, T0 + timedelta(minutes=seq))
        for seq, (actor, body) in enumerate(items, start=1)
    ]


def _scenario() -> list[ev.StoredEvent]:
    return _events(
        ("alice", ev.IncidentDeclared(incident_id="INC-1", title="SECRET Disk /var 97% on db-1", severity=2)),
        ("alice", ev.IncidentPublished(title="Payments down", summary="Card payments fail.")),
        ("alice", ev.BroadcastSent(text="We are investigating.", audience="stakeholders")),
        ("bob", ev.NoteAdded(text="SECRET note")),
        ("bob", ev.WorkstreamOpened(title="Failover")),
        ("bob", ev.WorkstreamClaimed(workstream="WS-1")),
        ("bob", ev.WorkstreamStatusSet(workstream="WS-1", status="blocked", note="SECRET status")),
        ("alice", ev.BroadcastSent(text="SECRET responders only")),
        ("alice", ev.CommandHandoverOffered(to="bob", note="SECRET handover")),
        ("alice", ev.SeverityChanged(severity=1)),
        ("alice", ev.BroadcastSent(text="Now SEV1: payments failing everywhere.", audience="stakeholders")),
    )


def test_the_view_has_the_public_facts_newest_update_first():
    view = public_view(fold(_scenario()))
    assert (view.id, view.title, view.severity, view.status, view.commander) == ("INC-1", "Payments down", 1, "investigating", "alice")
    assert [u.text for u in view.updates] == ["Now SEV1: payments failing everywhere.", "We are investigating."]
    assert [(w.title, w.status) for w in view.workstreams] == [("Failover", "blocked")]
    assert [(e.kind, e.label, e.text) for e in view.timeline] == [
        ("update", "Investigating", "Now SEV1: payments failing everywhere."),
        ("severity", "Investigating", "Severity: SEV1"),
        ("update", "Investigating", "We are investigating."),
        ("published", "Investigating", "Published."),
    ]
    assert view.summary == "Card payments fail." and view.last_updated == T0 + timedelta(minutes=11)
    assert view.next_update_due == T0 + timedelta(minutes=11 + 20)  # SEV1 cadence from the last update


def test_no_internal_text_and_no_responder_but_the_commander_reaches_the_view():
    view = public_view(fold(_scenario()))
    flat = repr(view)
    assert "SECRET" not in flat
    assert "bob" not in flat  # owners, responders and the pending command offer are not part of it


def test_closed_incidents_show_closed_and_no_commander():
    events = _scenario()
    state = fold(events)
    closing = ev.EventDraft(actor="alice", body=ev.IncidentClosed(summary="SECRET summary")).stored(len(events) + 1, T0 + timedelta(hours=2))
    fold([closing], state)
    view = public_view(state)
    assert view.status == "closed" and view.commander is None and not view.open
    assert view.next_update_due is None
    assert "SECRET" not in repr(view)
    assert view.elapsed(T0 + timedelta(days=3)) == timedelta(hours=2) - timedelta(minutes=1)  # declared at seq 1 = T0+1m


def test_announcements_name_what_a_viewer_cares_about():
    events = _scenario()
    before = public_view(fold(events[:9]))
    after = public_view(fold(events))
    said = announcement(before, after)
    assert "Severity is now SEV1" in said and "New update: Now SEV1" in said
    assert announcement(None, after) == "" and announcement(after, after) == ""
