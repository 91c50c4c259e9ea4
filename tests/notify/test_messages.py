"""What each target gets: kinds, filters, the derived overdue notice, retries with backoff."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from warroom.config import NotifyTarget
from warroom.incident import fold
from warroom.incident import events as ev
from warroom.notify.messages import notice_for, overdue_notice
from warroom.notify.records import Deliveries, backoff
from warroom.notify.relay import Notifier
from warroom.notify.targets import targets_from
from warroom.store import FileStore

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def _stored(seq: int, actor: str, body: ev.Body) -> ev.StoredEvent:
    return ev.EventDraft(actor=actor, body=body).stored(seq, T0 + timedelta(minutes=seq))


def test_kinds_and_filters():
    declared = _stored(1, "alice", ev.IncidentDeclared(incident_id="INC-1", title="Drill run", severity=3, drill=True, published=True))
    state = fold([declared])
    notice = notice_for(None, 3, state, declared)
    assert notice is not None and (notice.kind, notice.key, notice.title) == ("declared", "1", "[SEV3] [DRILL] INC-1 declared")
    everything, urgent, drills = targets_from([
        NotifyTarget(url="json://a/x"),
        NotifyTarget(url="json://b/x", min_severity=2, drills=True),
        NotifyTarget(url="slack://T/B/C", events=["declared"], drills=True),
    ])
    assert not everything.wants(notice)  # drills are off by default
    assert not urgent.wants(notice)  # SEV3 is below SEV2
    assert drills.wants(notice) and drills.name == "Slack"
    note = _stored(2, "alice", ev.NoteAdded(text="internal"))
    fold([note], state)
    assert notice_for("alice", 3, state, note) is None
    responders = _stored(3, "alice", ev.BroadcastSent(text="responders only"))
    fold([responders], state)
    assert notice_for("alice", 3, state, responders) is None


def test_a_merge_notifies_closed_and_a_reopen_notifies_status():
    declared = _stored(1, "alice", ev.IncidentDeclared(incident_id="INC-2", title="Payments failing", severity=2, published=True))
    merged = _stored(2, "alice", ev.IncidentLinked(incident="INC-1", kind="duplicate-of"))
    state = fold([declared, merged])
    notice = notice_for("alice", 2, state, merged)
    assert notice is not None and (notice.kind, notice.title) == ("closed", "[SEV2] INC-2 closed: duplicate of INC-1")
    reopened = _stored(3, "alice", ev.IncidentReopened(reason="not the same: internal words"))
    fold([reopened], state)
    notice = notice_for("alice", 2, state, reopened)
    assert notice is not None and (notice.kind, notice.title) == ("status", "[SEV2] INC-2 reopened")
    assert "internal words" not in notice.body  # responders' words never leave the room
    related = _stored(4, "alice", ev.IncidentLinked(incident="INC-3", kind="related"))
    fold([related], state)
    assert notice_for("alice", 2, state, related) is None


def test_overdue_is_keyed_by_its_due_time():
    state = fold([_stored(1, "alice", ev.IncidentDeclared(incident_id="INC-1", title="x", severity=1, published=True))])
    due = state.next_update_due()
    assert due is not None
    first, again = overdue_notice(state, due), overdue_notice(state, due)
    assert first.key == again.key == "overdue@2026-11-25T09:21:00Z"
    fold([_stored(2, "alice", ev.BroadcastSent(text="update", audience="stakeholders"))], state)
    assert overdue_notice(state, state.next_update_due()).key != first.key  # a new period, a new notice


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0] and backoff(50) == 300.0


def _health(path):
    reader = Deliveries(path, readonly=True)
    try:
        return reader.health()
    finally:
        reader.close()


async def test_a_failing_target_is_retried_and_reported(tmp_path, http_sink):
    store = FileStore(tmp_path / "incidents")
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="x", severity=1, published=True)))
    http_sink.fail_next = 2
    records = Deliveries(tmp_path / "records.db")
    targets = targets_from([NotifyTarget(url=f"json://127.0.0.1:{http_sink.port}/hook", events=["declared"])])
    notifier = Notifier(store, targets, records, poll=0.05)
    task = asyncio.create_task(notifier.run())
    try:
        while True:  # the board and `notify status` read the same records
            health = await asyncio.to_thread(_health, tmp_path / "records.db")
            if health and health[0].failed_attempts >= 2:
                break
            await asyncio.sleep(0.05)
        line = health[0].line()
        assert line.startswith(f"json://127.0.0.1:{http_sink.port}: 2 failed deliveries, last error ")
        assert await asyncio.to_thread(http_sink.wait_for, lambda s: len(s.messages) == 1, 15)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        records.close()
    assert http_sink.refs() == {"INC-1/1": 1}


async def test_update_overdue_is_sent_once_per_overdue_period(tmp_path, http_sink):
    store = FileStore(tmp_path / "incidents")
    long_ago = datetime.now(timezone.utc) - timedelta(hours=2)
    declared = ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="Stale", severity=1, published=True))
    store.import_events("INC-1", [declared.stored(1, long_ago)])  # declared two hours ago: the update is late
    records = Deliveries(tmp_path / "records.db")
    targets = targets_from([NotifyTarget(url=f"json://127.0.0.1:{http_sink.port}/hook", events=["update_overdue", "broadcast"])])
    notifier = Notifier(store, targets, records, poll=0.02)
    task = asyncio.create_task(notifier.run())
    try:
        assert await asyncio.to_thread(http_sink.wait_for, lambda s: len(s.messages) == 1, 15)
        store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.BroadcastSent(text="Now on it", audience="stakeholders")))
        assert await asyncio.to_thread(http_sink.wait_for, lambda s: len(s.messages) == 2, 15)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        records.close()
    overdue, update = http_sink.messages
    assert overdue["title"] == "[SEV1] INC-1 stakeholder update overdue" and "Was due" in overdue["body"]
    assert update["title"] == "[SEV1] INC-1 update"  # and no second overdue: the broadcast reset the clock
    assert sum("overdue" in m["title"] for m in http_sink.messages) == 1


def test_user_text_reaches_a_channel_without_controls_or_mentions():
    """Issue 21 item 8: raw ESC and chat mentions went through from a title or an update."""
    hostile = "db \x1b[2J down \u202e <!channel> <!here|here> <@U024BE7LH> @everyone @Here @channel mail@here.example"
    declared = _stored(1, "alice", ev.IncidentDeclared(incident_id="INC-1", title=hostile, severity=2, published=True))
    update = _stored(2, "alice", ev.BroadcastSent(text=hostile, audience="stakeholders"))
    closed = _stored(3, "alice", ev.IncidentClosed())
    state = fold([declared])
    texts = [notice_for(None, 2, state, declared).body]
    fold([update], state)
    texts.append(notice_for("alice", 2, state, update).body)
    fold([closed], state)
    texts.append(notice_for("alice", 2, state, closed).body)
    expected = ("db ␛[2J down <U+202E> ‹!channel› ‹!here|here› ‹@U024BE7LH› @\u200beveryone @\u200bHere @\u200bchannel "
                "mail@here.example")
    assert texts == [expected, expected, expected]
    for text in texts:
        assert "\x1b" not in text and "\u202e" not in text and "<!" not in text and "<@" not in text


def test_a_private_incident_tells_no_channel_until_published_and_then_under_its_public_title():
    """Issue 26: an alert-opened incident's raw summary never reaches a stakeholder channel."""
    events = [
        _stored(1, "alice", ev.IncidentDeclared(incident_id="INC-3", title="Disk /var 97% on db-1", severity=2)),
        _stored(2, "alice", ev.BroadcastSent(text="Uploads fail for some users.", audience="stakeholders")),
        _stored(3, "alice", ev.SeverityChanged(severity=1)),
        _stored(4, "alice", ev.IncidentPublished(title="Uploads failing", summary="Some uploads fail.")),
        _stored(5, "alice", ev.StatusChanged(status="identified")),
        _stored(6, "alice", ev.IncidentPublished(summary="Uploads fail in the EU.")),
    ]
    state = fold([])
    said = []
    for event in events:
        commander, severity = state.commander, state.severity
        fold([event], state)
        said.append(notice_for(commander, severity, state, event))
    assert said[:3] == [None, None, None]
    assert said[3] is not None and (said[3].kind, said[3].body) == ("declared", "Uploads failing: Some uploads fail.")
    assert said[4] is not None and said[4].body == "Uploads failing" and said[5] is None  # a new summary is not a declaration
    assert not any("db-1" in n.body + n.title for n in said if n)
    hooked = fold([_stored(1, "am", ev.IncidentDeclared(incident_id="INC-4", title="Disk /var 97% on db-1", alert_group="g"))])
    assert not hooked.published and overdue_notice is not None
