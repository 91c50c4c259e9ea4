"""The board as a live, shared view: following the store, toasts, joining, time, scale."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from warroom.incident import events as ev
from warroom.incident.events import EventDraft, utcnow
from warroom.room import Room
from warroom.store import FileStore, StoreUnavailable
from warroom.tui.app import board_app
from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.screens.info import CatchUpScreen
from warroom.tui.widgets import CommandSummary, TimelineView

from .conftest import INCIDENT, SIZE, notices, ready, screen_shown, type_text, until


async def test_two_boards_on_one_folder_see_each_others_actions(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    alice, bob = make_board("alice"), make_board("bob")
    async with alice.run_test(size=SIZE) as pa, bob.run_test(size=SIZE) as pb:
        await ready(pa)
        await ready(pb)
        await pa.press("n")
        await type_text(pa, "Restore expired objects")
        await pa.press("enter")
        await until(pb, lambda: bob.board.workstreams.has_row("WS-1"))
        await pb.press("c")
        await until(pa, lambda: alice.board.workstreams.spec("WS-1")[2] == "bob")
        assert alice.board.responders.spec("bob")[4] == "1"
        await pb.press("t")
        await type_text(pb, "restore job 7731 started")
        await pb.press("enter")
        await until(pa, lambda: alice.board.query_one(TimelineView).entries[-1].text == "restore job 7731 started")


async def test_only_the_touched_row_is_redrawn(incident, make_board) -> None:
    for title in ("one", "two", "three"):
        incident.act("alice", ev.WorkstreamOpened(title=title))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        synced: list[str] = []
        original = app.board.workstreams.sync_row

        def spy(key, cells):
            synced.append(key)
            return original(key, cells)

        app.board.workstreams.sync_row = spy  # type: ignore[method-assign]
        timeline = app.board.query_one(TimelineView)
        rebuilt = []
        timeline.set_entries = lambda entries: rebuilt.append(entries)  # type: ignore[method-assign]
        incident.act("alice", ev.WorkstreamClaimed(workstream="WS-2"))
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].owner == "alice")
        await until(pilot, lambda: timeline.entries[-1].type == "workstream_claimed")
        assert synced == ["WS-2"]
        assert rebuilt == []


async def test_broadcast_pops_up_on_other_boards(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        incident.act("alice", ev.BroadcastSent(text="all hands: stop manual restores"))
        await until(pilot, lambda: "all hands: stop manual restores" in notices(app))
        assert "all hands: stop manual restores" in str(app.board.query_one("#broadcasts").render())


async def test_commander_taking_your_workstream_pops_up(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title="Verify restored data"))
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
        await until(pilot, lambda: "alice took your WS-1" in notices(app))
        assert app.board.responders.spec("bob")[4] == "-"


async def test_joining_makes_you_a_responder(incident, make_board) -> None:
    app = make_board("dora")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.board.responders.spec("dora")[0] == ("▸ dora (you)", "$you bold")
    assert incident.state().responders["dora"].shift == "on"


async def test_rejoining_after_going_off_shift_comes_back_on_with_a_catch_up(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    incident.act("bob", ev.ShiftChanged(shift="off"))
    incident.act("alice", ev.WorkstreamOpened(title="Talk to customers"))
    incident.act("alice", ev.BroadcastSent(text="status page is up"))
    incident.act("alice", ev.NoteAdded(text="unstarred chatter"))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, CatchUpScreen, "#catchup-lines")
        lines = str(app.screen.query_one("#catchup-lines").render())
        assert 'opened WS-1 "Talk to customers"' in lines and "status page is up" in lines
        assert "unstarred chatter" in lines  # people's notes are part of what you missed (issue 10 item 10)
        assert lines.index("Now") < lines.index("commander alice") < lines.index("While you were away")
        assert "you are on shift again" in notices(app)
    assert incident.state().responders["bob"].shift == "on"


async def test_joining_an_undeclared_incident_offers_to_declare_it(store_dir: Path, make_board) -> None:
    app = make_board("alice", incident_id="INC-7")
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, FormScreen, "#field-title")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "field-title")  # lands a frame after
        await type_text(pilot, "Checkout errors")
        await pilot.press("tab", "down", "enter")  # the playbook's (none: SEV3) -> SEV1
        await until(pilot, lambda: app.board.ready)
        header = str(app.board.header.render())
        assert "Checkout errors" in header and " SEV1 " in header


async def test_escape_on_the_declare_form_leaves_with_a_message(store_dir: Path, make_board) -> None:
    app = make_board("alice", incident_id="INC-7")
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, FormScreen, "#field-title")
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 1 and "INC-7 was not declared" in app.exit_message


async def test_refused_events_in_the_log_are_shown_as_refused(store_dir: Path, make_board) -> None:
    # A log written by something that skipped the rules: bob's claim of alice's workstream.
    at = utcnow()
    drafts = [
        ("alice", ev.IncidentDeclared(incident_id=INCIDENT, title="x", severity=2)),
        ("alice", ev.WorkstreamOpened(title="Restore")),
        ("alice", ev.WorkstreamClaimed(workstream="WS-1")),
        ("bob", ev.WorkstreamClaimed(workstream="WS-1")),
    ]
    events = [EventDraft(actor=a, body=b).stored(seq=n, at=at) for n, (a, b) in enumerate(drafts, 1)]
    FileStore(store_dir).import_events(INCIDENT, events)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.query_one(TimelineView)
        refused = timeline.entries[timeline.index_of(4)]
        assert refused.rejected
        timeline.move_cursor(timeline.index_of(4))
        await pilot.pause()
        line = timeline.render_line(timeline.index_of(4) - int(timeline.scroll_offset.y)).text
        assert "✗" in line and "refused:" in line
        assert app.board.workstreams.spec("WS-1")[2] == ("alice", "$you bold")


async def test_clock_driven_values_refresh_on_the_timer(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title="Verify"))
    app = make_board("alice", clock_offset=timedelta(hours=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.refresh_clocks()
        await pilot.pause()
        summary = str(app.board.query_one(CommandSummary).render())
        assert "update OVERDUE" in summary  # SEV1 wants an update every 20 minutes
        assert "time to hand over" in summary  # in command past the policy's 60 minutes
        assert app.board.workstreams.spec("WS-1")[4][0].endswith("STALE")
        assert app.board.responders.spec("alice")[3][0].endswith("tired")


async def test_store_unavailable_shows_offline_and_keeps_the_board(incident, store_dir: Path) -> None:
    class FlakyStore(FileStore):
        down = False

        async def read(self, incident_id: str, after: int = 0):
            if self.down:
                raise StoreUnavailable("server unreachable")
            return await super().read(incident_id, after)

        async def follow(self, incident_id: str, after: int = 0):
            cursor = after
            while True:
                for event in await self.read(incident_id, cursor):
                    yield event
                    cursor = event.seq
                await asyncio.sleep(0.01)

    store = FlakyStore(store_dir)
    app = board_app(Room(store, INCIDENT, "alice"), themes_dir=store_dir / "none")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        store.down = True
        await until(pilot, lambda: "offline — reconnecting" in str(app.board.header.render()))
        assert "Customer objects expiring" in str(app.board.header.render())  # last state kept
        incident.act("alice", ev.NoteAdded(text="written while this board was offline"))
        store.down = False
        timeline = app.board.query_one(TimelineView)
        await until(pilot, lambda: timeline.entries[-1].text == "written while this board was offline", tries=800)
        assert "offline" not in str(app.board.header.render())


async def test_a_ten_thousand_event_incident_opens_without_a_widget_per_entry(store_dir: Path, make_board) -> None:
    at = utcnow()
    events = [EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id=INCIDENT, title="big", severity=2)).stored(1, at)]
    events += [
        EventDraft(actor="bob", body=ev.NoteAdded(text=f"note {n}")).stored(n, at) for n in range(2, 10_001)
    ]
    FileStore(store_dir).import_events(INCIDENT, events)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.query_one(TimelineView)
        assert len(timeline.entries) == 10_000
        assert timeline.virtual_size.height == 10_000
        assert len(list(app.screen.walk_children())) < 100
        await until(pilot, lambda: timeline.scroll_offset.y == timeline.max_scroll_y > 0)
        assert timeline.highlighted.text == "note 10000"


async def test_timeline_follows_new_entries_unless_the_user_moved_up(incident, make_board) -> None:
    for n in range(60):
        incident.act("alice", ev.NoteAdded(text=f"note {n}"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        timeline.focus()
        await until(pilot, lambda: timeline.scroll_offset.y == timeline.max_scroll_y > 0)
        incident.act("bob", ev.NoteAdded(text="while following"))
        await until(pilot, lambda: timeline.highlighted.text == "while following")
        await pilot.press("up", "up", "up")
        reading = timeline.highlighted
        incident.act("bob", ev.NoteAdded(text="while reading"))
        await until(pilot, lambda: timeline.entries[-1].text == "while reading")
        assert timeline.highlighted is reading and not timeline.following
        await pilot.press("end")
        assert timeline.highlighted.text == "while reading" and timeline.following


async def test_newest_entry_stays_in_view_when_the_pane_shrinks(incident, make_board) -> None:
    for n in range(40):
        incident.act("alice", ev.NoteAdded(text=f"note {n} " + "long words " * 12))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: timeline.size.height < 10 and timeline.scroll_offset.y == timeline.max_scroll_y > 0)
        assert timeline.highlighted is timeline.entries[-1]


async def test_a_board_hands_what_it_froze_back_to_the_collector_when_it_ends(incident, make_board) -> None:
    """The board freezes what the join loaded (no full collection walks it during a key); the
    lobby then opens board after board in one process, so each must unfreeze when it ends."""
    import gc

    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await until(pilot, lambda: gc.get_freeze_count() > 0)
    assert gc.get_freeze_count() == 0


async def test_the_commander_pane_shows_the_latest_broadcast_first_and_on_screen(incident, make_board) -> None:
    # Issue 22 part 2 item 4: broadcasts were listed oldest first and the latest update was off screen.
    for n in range(1, 8):
        incident.act("alice", ev.BroadcastSent(text=f"update {n}", audience="stakeholders"))
    app = make_board("alice")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        feed = app.board.query_one("#broadcasts")
        lines = feed.render().plain.splitlines()  # type: ignore[union-attr]
        assert lines[0] == "Broadcasts (newest first)"
        assert [line.rsplit(": ", 1)[1] for line in lines[1:]] == [f"update {n}" for n in (7, 6, 5, 4, 3)]
        pane = feed.parent
        assert pane is not None and pane.scroll_y == 0
        assert feed.region.y + 1 < pane.region.bottom  # the latest line is inside the pane, not scrolled off


async def test_an_owner_on_a_break_is_shown_so_in_the_workstreams_pane(incident, make_board) -> None:
    # Issue 22 part 2 item 8: the pane said "lena" while lena was on a break.
    incident.act("lena", ev.ResponderJoined())
    incident.act("alice", ev.WorkstreamOpened(title="Restore the objects"))
    incident.act("lena", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        table = app.board.workstreams
        assert table.spec("WS-1")[2] == "lena"
        went = incident.act("lena", ev.ShiftChanged(shift="break", minutes=15))
        back_at = (went.at + timedelta(minutes=15)).strftime("%H:%M")
        await until(pilot, lambda: table.spec("WS-1")[2] == (f"lena · break to {back_at}", "$shift-break"))
        incident.act("lena", ev.ShiftChanged(shift="on"))
        await until(pilot, lambda: table.spec("WS-1")[2] == "lena")
