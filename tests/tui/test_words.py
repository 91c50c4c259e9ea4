"""The board's wording, without a screen: durations, labels, the update clock, the catch-up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.incident import DEFAULT_POLICY, fold
from warroom.incident import events as ev
from warroom.incident.events import EventDraft
from warroom.tui.model.catchup import catch_up, since_for
from warroom.tui.model.format import coarse_duration, duration, owner_label, update_due_label

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LATER = T0 + timedelta(hours=1)


def build(*steps: tuple[str, ev.Body]):
    return fold(EventDraft(actor=a, body=b).stored(seq=n, at=T0 + timedelta(minutes=n)) for n, (a, b) in enumerate(steps, 1))


def test_durations() -> None:
    assert duration(timedelta(seconds=42)) == "42s"
    assert duration(timedelta(minutes=12, seconds=59)) == "12m"
    assert duration(timedelta(hours=3, minutes=5)) == "3h05m"
    assert duration(timedelta(seconds=-5)) == "0s"
    assert coarse_duration(timedelta(seconds=42)) == "<1m"


def test_update_clock_turns_overdue_by_severity_cadence() -> None:
    state = build(("alice", ev.IncidentDeclared(incident_id="INC-1", title="x", severity=1)))
    declared = state.declared_at
    assert update_due_label(state, declared + timedelta(minutes=8), DEFAULT_POLICY) == ("next update due in 12m", False)
    assert update_due_label(state, declared + timedelta(minutes=24), DEFAULT_POLICY) == ("update OVERDUE 4m", True)
    sev4 = build(("alice", ev.IncidentDeclared(incident_id="INC-1", title="x", severity=4)))
    assert update_due_label(sev4, declared, DEFAULT_POLICY) == ("", False)


def test_pending_hand_off_reads_giver_arrow_taker() -> None:
    state = build(
        ("alice", ev.IncidentDeclared(incident_id="INC-1", title="x")),
        ("alice", ev.WorkstreamOpened(title="w")),
        ("bob", ev.ResponderJoined()),
        ("alice", ev.WorkstreamClaimed(workstream="WS-1")),
        ("alice", ev.HandoffOffered(workstream="WS-1", to="bob", note="n")),
    )
    assert owner_label(state.workstreams["WS-1"]) == "alice → bob (pending)"


def test_catch_up_starts_when_you_went_away_and_keeps_what_matters() -> None:
    state = build(
        ("alice", ev.IncidentDeclared(incident_id="INC-1", title="x")),
        ("bob", ev.ResponderJoined()),
        ("alice", ev.NoteAdded(text="before the break")),
        ("bob", ev.ShiftChanged(shift="break", minutes=15)),
        ("alice", ev.NoteAdded(text="Replica lag back to 2s after failover")),
        ("alice", ev.NoteAdded(text="important", star=True)),
        ("alice", ev.SeverityChanged(severity=2)),
        ("alice", ev.WorkstreamOpened(title="restore")),
        ("alice", ev.BroadcastSent(text="all good")),
    )
    since = since_for(state, "bob")
    assert since == 4
    lines = catch_up(state, "bob", since, LATER).lines
    assert [line.split(": ", 1)[1] for line in lines] == [
        "Replica lag back to 2s after failover",  # people's notes are part of what you missed
        "important  ★",
        "changed severity SEV3 → SEV2",
        'opened WS-1 "restore"',
        "broadcast: all good",
    ]


def test_catch_up_leads_with_where_things_stand_now() -> None:
    state = build(
        ("alice", ev.IncidentDeclared(incident_id="INC-1", title="x", severity=1)),
        ("bob", ev.ResponderJoined()),
        ("carol", ev.ResponderJoined()),
        ("alice", ev.WorkstreamOpened(title="Fail over the primary")),
        ("alice", ev.WorkstreamOpened(title="Drain the queue")),
        ("bob", ev.WorkstreamClaimed(workstream="WS-1")),
        ("carol", ev.WorkstreamClaimed(workstream="WS-2")),
        ("carol", ev.HandoffOffered(workstream="WS-2", to="bob", note="queue at 40k")),
        ("alice", ev.CommandHandoverOffered(to="bob", note="I'm at 3h")),
        ("bob", ev.ShiftChanged(shift="break", minutes=15)),
    )
    summary = catch_up(state, "bob", since_for(state, "bob"), LATER)
    assert summary.now == [
        "SEV1 · investigating · commander alice",
        "command offered to you by alice: I'm at 3h",
        "you own WS-1 “Fail over the primary” (active)",
        "carol offers you WS-2 “Drain the queue”: queue at 40k (y accepts, Y declines)",
        "stakeholder update OVERDUE 39m",  # SEV1: every 20 minutes
    ]
    text = summary.text_lines()
    assert text[0] == "Now" and text.index("While you were away") == len(summary.now) + 2


def test_a_newcomer_gets_routine_lines_counted_and_every_note() -> None:
    steps = [("alice", ev.IncidentDeclared(incident_id="INC-1", title="x"))]
    steps += [("alice", ev.WorkstreamOpened(title=f"w{n}")) for n in range(12)]
    steps += [(who, ev.ResponderJoined()) for who in ("bob", "carol", "dave")]
    steps += [("bob", ev.NoteAdded(text="Replica lag back to 2s after failover"))]
    steps += [("carol", ev.WorkstreamClaimed(workstream=f"WS-{n}")) for n in range(1, 5)]
    steps += [("dave", ev.NoteAdded(text="customers see 502s on checkout"))]
    summary = catch_up(build(*steps), "erin", 0, LATER)
    assert summary.counted == ["12 workstreams opened by alice", "3 people joined: bob, carol, dave", "4 workstreams claimed by carol"]
    assert [line.split(": ", 1)[1] for line in summary.lines] == [
        "Replica lag back to 2s after failover",
        "customers see 502s on checkout",
    ]
    text = "\n".join(summary.text_lines())
    assert "What happened so far" in text and "earlier" not in text and "opened WS-" not in text


def test_catch_up_is_capped_and_counts_the_rest() -> None:
    steps = [("alice", ev.IncidentDeclared(incident_id="INC-1", title="x"))]
    steps += [("alice", ev.NoteAdded(text=f"note {n}")) for n in range(20)]
    summary = catch_up(build(*steps), "bob", 0, LATER, limit=5)
    assert len(summary.lines) == 5 and summary.earlier == 15
    assert summary.lines[-1].endswith("alice: note 19")
    assert "  (15 earlier entries: the timeline has them)" in summary.text_lines()


def test_catch_up_reads_whose_work_it_was_from_fields_not_sentences() -> None:
    """A status note that merely says "from bob", or work taken from bobby, is not bob's business."""
    state = build(
        ("alice", ev.IncidentDeclared(incident_id="INC-1", title="x")),
        ("bob", ev.ResponderJoined()),
        ("bobby", ev.ResponderJoined()),
        ("alice", ev.WorkstreamOpened(title="fail over")),
        ("alice", ev.WorkstreamOpened(title="drain")),
        ("bob", ev.WorkstreamClaimed(workstream="WS-1")),
        ("bobby", ev.WorkstreamClaimed(workstream="WS-2")),
        ("bob", ev.ShiftChanged(shift="break", minutes=15)),
        ("carol", ev.ResponderJoined()),
        ("alice", ev.WorkstreamStatusSet(workstream="WS-2", status="blocked", note="waiting for a word from bob")),
        ("alice", ev.WorkstreamClaimed(workstream="WS-2")),
        ("alice", ev.WorkstreamClaimed(workstream="WS-1")),
    )
    taken = state.timeline[-1]
    assert (taken.workstream, taken.counterpart) == ("WS-1", "bob")
    lines = catch_up(state, "bob", since_for(state, "bob"), LATER).lines
    assert [line.split(": ", 1)[1] for line in lines] == ['claimed WS-1 "fail over" from bob']


def test_catch_up_counts_status_changes_made_while_you_were_away() -> None:
    """Back from a break, a workstream someone else marked done is at least counted."""
    state = build(
        ("alice", ev.IncidentDeclared(incident_id="INC-1", title="x")),
        ("bob", ev.ResponderJoined()),
        ("alice", ev.WorkstreamOpened(title="fail over")),
        ("alice", ev.WorkstreamClaimed(workstream="WS-1")),
        ("bob", ev.ShiftChanged(shift="break", minutes=15)),
        ("alice", ev.WorkstreamStatusSet(workstream="WS-1", status="done", note="failed over")),
    )
    assert "1 workstream status change by alice" in catch_up(state, "bob", since_for(state, "bob"), LATER).counted
