"""Reading a long incident on the board (issue 10 items 9, 11, 13): an entry in full,
cuts that say so, "N new below" while reading further up, T+ and dates beside the time."""

from __future__ import annotations

import uuid
from datetime import timedelta

from textual.widgets import TextArea

from warroom.incident import events as ev
from warroom.incident.events import utcnow
from warroom.tui.screens.entry import EntryScreen
from warroom.tui.widgets import TimelineView

from .conftest import INCIDENT, SIZE, Incident, ready, screen_shown, until

LONG_NOTE = (
    "Replica lag back to 2s after failover. " + "Checked pg_stat_replication on all three replicas, the "
    "eu-west one lagged longest because its WAL receiver restarted twice; " * 6
).strip()


def row_text(timeline: TimelineView, seq: int) -> str:
    row = timeline.index_of(seq)
    assert row is not None, f"#{seq} is not shown"
    return timeline.render_line(row - int(timeline.scroll_offset.y)).text


def pane_title(app) -> str:
    return str(app.board.query_one("#timeline-pane").border_title)


async def test_enter_on_a_timeline_entry_opens_all_of_it(incident, make_board) -> None:
    assert len(LONG_NOTE) > 600
    incident.act("alice", ev.WorkstreamOpened(title="Fail over the primary"))
    incident.act("bob", ev.ResponderJoined())
    stored = incident.act("bob", ev.NoteAdded(text=LONG_NOTE, star=True))
    incident.act("alice", ev.NoteAdded(text="next"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        timeline.focus()
        await pilot.press("up")
        assert timeline.highlighted.seq == stored.seq
        await pilot.press("enter")
        await screen_shown(pilot, EntryScreen, "#entry-text")
        assert app.screen.query_one(TextArea).text == LONG_NOTE  # every character, in a copyable text area
        heading = str(app.screen.query_one("#entry-heading").render())
        assert f"#{stored.seq} · bob" in heading
        assert f"{stored.at:%Y-%m-%d %H:%M:%S} UTC" in heading and "T+00:00:0" in heading
        assert "★ starred" in heading
        await pilot.press("c")
        assert app.clipboard == LONG_NOTE
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, EntryScreen))
        assert timeline.highlighted.seq == stored.seq


async def test_entry_shows_its_workstream_and_counterpart(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    incident.act("alice", ev.WorkstreamOpened(title="Fail over the primary"))
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    offered = incident.act("alice", ev.HandoffOffered(workstream="WS-1", to="bob", note="promote replica 2 next"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.timeline.focus()
        app.board.timeline.move_cursor(app.board.timeline.index_of(offered.seq))
        await pilot.press("enter")
        await screen_shown(pilot, EntryScreen, "#entry-heading")
        heading = str(app.screen.query_one("#entry-heading").render())
        assert "WS-1 · with bob" in heading


async def test_every_cut_in_the_timeline_is_marked(incident, make_board) -> None:
    handle = "carol-from-the-database-team"
    incident.act(handle, ev.ResponderJoined())
    stored = incident.act(handle, ev.NoteAdded(text=LONG_NOTE))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        line = row_text(app.board.timeline, stored.seq)
        assert "carol-from-…" in line  # the handle, cut to its column
        assert line.rstrip().endswith("…")  # the note, cut to the pane
        await until(pilot, lambda: app.board.detail.render() and "…" in str(app.board.detail.render()))
        detail = str(app.board.detail.render())
        assert LONG_NOTE not in detail and "(enter: all of it)" in detail
        assert app.board.detail.size.height <= 3  # border + two lines: what does not fit is cut, marked


async def test_new_entries_while_reading_further_up_are_counted_and_end_jumps_back(incident, make_board) -> None:
    for n in range(40):
        incident.act("alice", ev.NoteAdded(text=f"note {n}"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline, marker = app.board.timeline, app.board.query_one("#timeline-new-below")
        timeline.focus()
        await pilot.press("home")
        assert not timeline.following and not marker.display
        for n in range(3):
            incident.act("bob", ev.NoteAdded(text=f"while you read {n}"))
        await until(pilot, lambda: timeline.new_below == 3)
        assert marker.display and "3 new below" in str(marker.render())
        assert timeline.highlighted.text == "Customer objects expiring" or timeline.cursor == 0  # the reader stays put
        await pilot.press("end")
        assert timeline.following and timeline.new_below == 0 and not marker.display
        assert timeline.highlighted.text == "while you read 2"
        # Clicking the marker does what End does.
        await pilot.press("home")
        incident.act("bob", ev.NoteAdded(text="one more"))
        await until(pilot, lambda: marker.display and marker.region.height == 1)  # laid out: clickable
        await pilot.click("#timeline-new-below")
        await until(pilot, lambda: timeline.following and timeline.highlighted.text == "one more")
        assert not marker.display
        incident.act("bob", ev.NoteAdded(text="followed"))
        await until(pilot, lambda: timeline.highlighted.text == "followed")
        assert timeline.new_below == 0


def write_log(incident: Incident, start, bodies) -> None:
    lines = [
        ev.dump_stored(ev.StoredEvent(seq=n, id=uuid.uuid4(), at=start + at, actor=actor, body=body))
        for n, (at, actor, body) in enumerate(bodies, start=1)
    ]
    incident.store.path_for(incident.id).write_text("\n".join(lines) + "\n")


async def test_T_shows_time_since_declared_and_days_show_their_date(store_dir, make_board) -> None:
    incident = Incident(store_dir)
    start = (utcnow() - timedelta(days=1, hours=2)).replace(microsecond=0)
    write_log(incident, start, [
        (timedelta(0), "alice", ev.IncidentDeclared(incident_id=INCIDENT, title="Overnight", severity=2)),
        (timedelta(hours=1, minutes=5), "alice", ev.NoteAdded(text="an hour in")),
        (timedelta(days=1, hours=1), "alice", ev.NoteAdded(text="the next day")),
    ])
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        first = row_text(timeline, 2)
        later = start + timedelta(hours=1, minutes=5)
        assert f"{later:%d %b %H:%M} " in first  # the incident spans two UTC days: every row has its date
        assert "T+" not in first
        await pilot.press("T")
        assert f"{later:%d %b %H:%M} T+01:05 " in row_text(timeline, 2)
        fresh = incident.act("alice", ev.NoteAdded(text="today"))
        await until(pilot, lambda: timeline.entries[-1].seq == fresh.seq)
        assert f"{fresh.at:%d %b %H:%M} T+2" in row_text(timeline, fresh.seq)  # T+26:..
        await pilot.press("T")
        assert "T+" not in row_text(timeline, fresh.seq)


async def test_one_day_incidents_show_the_clock_time_only(incident, make_board) -> None:
    stored = incident.act("alice", ev.NoteAdded(text="same day"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        line = row_text(app.board.timeline, stored.seq)
        assert f"   {stored.at:%H:%M} alice" in line
        if stored.at.date() == app.board.timeline.entries[0].at.date():
            assert f"{stored.at:%d %b}" not in line
