"""Keyframes (``warroom.incident.keyframes``): any moment of the log equals a fold from the top,
whatever order moments are visited in; and the one parser of ``#SEQ`` / ``T+`` / clock times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builder import T0, LogBuilder
from tests.strategies import event_logs
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.incident.keyframes import BadMoment, History, Moment, parse_moment


@given(event_logs(max_size=60), st.integers(1, 7), st.data())
def test_every_seek_equals_the_fold_of_that_prefix_in_any_order(events, every, data):
    history = History(events, every=every)
    seqs = [0] + [e.seq for e in events]
    order = data.draw(st.lists(st.sampled_from(seqs), min_size=1, max_size=12))
    for seq in order + seqs[::-1]:
        state = history.state_at(seq)
        expected = fold(events[: history.position(seq)])
        assert state == expected
        assert state.summary_dict() == expected.summary_dict()
        assert [(e.seq, e.starred) for e in state.timeline] == [(e.seq, e.starred) for e in expected.timeline]


def _busy_log() -> LogBuilder:
    """Every in-place change the fold makes to an old item: stars, command spans ending, action items."""
    log = LogBuilder()
    log.declare("alice")
    log.add("bob", ev.ResponderJoined())
    log.add("alice", ev.NoteAdded(text="first"))
    log.add("alice", ev.ActionItemAdded(text="fix the expiry job", owner="bob", kind="corrective"))
    for n in range(6):
        log.add("alice", ev.NoteAdded(text=f"note {n}"))
    log.add("bob", ev.EntryStarred(target=3, starred=True))
    log.add("alice", ev.CommandHandoverOffered(to="bob", note="yours"))
    log.add("bob", ev.CommandHandoverAccepted())
    log.add("alice", ev.ActionItemStatusSet(item="A-1", status="in_progress"))
    log.add("bob", ev.EntryStarred(target=3, starred=False))
    log.add("bob", ev.ActionItemStatusSet(item="A-1", status="done"))
    log.add("bob", ev.IncidentClosed(summary="fixed"))
    return log


@pytest.mark.parametrize("every", [1, 2, 3, 5, 100])
def test_old_items_changed_later_are_seen_as_they_were(every):
    log = _busy_log()
    history = History(log.events, every=every)
    last = log.events[-1].seq
    history.state_at(last)  # every keyframe made first: later changes must not leak back
    for seq in range(last, -1, -1):
        assert history.state_at(seq) == fold(log.events[:seq]), seq
    starred_then = history.state_at(12)
    assert starred_then.entry(3).starred and not history.state_at(15).entry(3).starred
    assert history.state_at(14).action_items[0].status == "in_progress"
    assert history.state_at(12).command_spans[0].end is None
    assert history.state_at(13).command_spans[0].end is not None


def test_a_seeked_state_changed_by_its_reader_does_not_change_the_history():
    log = _busy_log()
    history = History(log.events, every=4)
    state = history.state_at(9)
    state.responders.clear()
    state.title = "changed"
    assert history.state_at(9) == fold(log.events[:9])


def test_moments_by_seq_time_and_t_plus():
    log = LogBuilder()
    log.declare("alice")  # 09:00
    log.add("alice", ev.NoteAdded(text="a"), minutes=10)  # 09:10, #2
    log.add("alice", ev.NoteAdded(text="b"), minutes=80)  # 10:30, #3
    history = History(log.events)
    assert history.moment("#2") == Moment(2, T0 + timedelta(minutes=10))
    assert history.moment("# 3") == Moment(3, T0 + timedelta(minutes=90))
    assert history.moment("T+00:15") == Moment(2, T0 + timedelta(minutes=15))
    assert history.moment("t+01:30:00") == Moment(3, T0 + timedelta(minutes=90))
    assert history.moment("09:10") == Moment(2, T0 + timedelta(minutes=10))
    assert history.moment("10:29:59") == Moment(2, T0 + timedelta(minutes=89, seconds=59))
    assert history.moment("2026-11-25T09:05Z") == Moment(1, T0 + timedelta(minutes=5))
    assert history.moment("08:59") == Moment(3, T0 + timedelta(hours=23, minutes=59))  # the next day's 08:59
    history_with_start = History(log.events, start=T0 - timedelta(minutes=30))
    assert history_with_start.moment("T+00:45") == Moment(2, T0 + timedelta(minutes=15))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("#0", "numbered from #1"),
        ("#4", "the log ends at #3"),
        ("T+99:99", "up to 59"),
        ("T+1:00:75", "up to 59"),
        ("25:00", "not a time of day"),
        ("yesterday", "use #SEQ"),
        ("2026-11-25T08:00Z", "before the declaration (2026-11-25 09:00:00 UTC)"),
    ],
)
def test_bad_moments_say_why(text, says):
    log = LogBuilder()
    log.declare("alice")
    log.add("alice", ev.NoteAdded(text="a"))
    log.add("alice", ev.NoteAdded(text="b"))
    with pytest.raises(BadMoment, match=None) as error:
        History(log.events).moment(text)
    assert says in str(error.value)
    assert "\n" not in str(error.value)


def test_parse_moment_alone():
    assert parse_moment("#312").seq == 312
    assert parse_moment("T+01:23:45").offset == timedelta(hours=1, minutes=23, seconds=45)


def test_stepping_by_events_and_between_them():
    log = LogBuilder()
    log.declare("alice")
    log.add("alice", ev.NoteAdded(text="a"), minutes=10)
    log.add("alice", ev.NoteAdded(text="b"), minutes=10)
    history = History(log.events)
    first = history.at_seq(1)
    assert history.step(first, 1).seq == 2
    assert history.step(first, -1).seq == 1  # never before the declaration
    between = history.at_time(T0 + timedelta(minutes=15))
    assert between.seq == 2
    assert history.step(between, -1) == history.at_seq(2)  # back to the event just passed
    assert history.step(between, 1) == history.at_seq(3)
    assert history.at_time(T0 + timedelta(days=3)) == history.at_seq(3)  # kept inside the record


def test_progress_runs_from_the_declaration_to_the_last_event():
    log = LogBuilder()
    log.declare("alice")
    log.add("alice", ev.NoteAdded(text="a"), minutes=10)
    log.add("alice", ev.NoteAdded(text="b"), minutes=10)
    history = History(log.events)
    assert history.progress(history.at_seq(1)) == 0.0
    assert history.progress(history.at_seq(2)) == 0.5
    assert history.progress(history.at_seq(3)) == 1.0


@pytest.mark.parametrize("every", [1, 2, 3, 4])
def test_a_reopened_and_merged_incident_seeks_to_each_close_and_reopen(every):
    log = LogBuilder()
    log.declare("alice")
    log.add("bob", ev.WorkstreamOpened(title="roll back"))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("alice", ev.IncidentClosed(summary="done"))
    log.add("alice", ev.IncidentReopened(reason="errors are back"))
    log.add("alice", ev.NoteAdded(text="still failing"))
    log.add("alice", ev.IncidentLinked(incident="INC-2", kind="duplicate-of"))
    history = History(log.events, every=every)
    history.state_at(log.events[-1].seq)
    for seq in range(len(log.events), -1, -1):
        assert history.state_at(seq) == fold(log.events[:seq]), seq
    assert history.state_at(4).closed and not history.state_at(5).closed and history.state_at(7).closed
    assert [span.end is None for span in history.state_at(5).command_spans] == [False, True]
