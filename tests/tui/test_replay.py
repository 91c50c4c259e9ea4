"""Replay under Pilot: the board at a moment, with every clock-driven number computed then.

The incident is written with a fixed clock (``LogBuilder``), exported to JSON and imported
into a real file store the way ``warroom import`` does, so replay is tested on an imported
incident, and so on-shift times and the "update due" wording have exact expected values.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.builder import LogBuilder
from warroom.config import Config
from warroom.export import import_document, parse_document, render_json
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp
from warroom.tui.launch import replay_app
from warroom.tui.board.screen import BoardScreen
from warroom.tui.commands import BoardCommands
from warroom.tui.screens.replay import GoToScreen, ReplayScreen, TimeBar

from .conftest import SIZE, notices, ready, type_text, until

INCIDENT = "INC-7"


def _log() -> LogBuilder:
    log = LogBuilder(INCIDENT)
    log.declare("alice", severity=2)  # 09:00, #1 (SEV2: an update every 30 minutes)
    log.add("bob", ev.ResponderJoined())  # 09:01, #2
    log.add("alice", ev.WorkstreamOpened(title="Find the expiry job"))  # 09:02, #3
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"), minutes=3)  # 09:05, #4
    log.add("alice", ev.BroadcastSent(text="Investigating expired objects", audience="stakeholders"), minutes=5)  # 09:10, #5
    log.add("bob", ev.NoteAdded(text="job 7731 found"), minutes=10)  # 09:20, #6
    log.add("bob", ev.NoteAdded(text="objects restored"), minutes=70)  # 10:30, #7
    log.add("alice", ev.IncidentClosed(summary="restored"), minutes=1)  # 10:31, #8
    return log


@pytest.fixture
def imported(store_dir: Path, tmp_path: Path) -> Path:
    """The incident, exported to JSON and imported into ``store_dir``."""
    log = _log()
    exported = tmp_path / "INC-7.json"
    exported.write_text(render_json(fold(log.events), log.events))
    asyncio.run(import_document(FileStore(store_dir), parse_document(exported.read_bytes(), str(exported))))
    return store_dir


async def _replay_app(folder: Path, at: str, tmp_path: Path) -> WarroomApp:
    history = await Room(FileStore(folder), INCIDENT, "carol").history()
    return replay_app(history, INCIDENT, "carol", history.moment(at), Config(), themes_dir=tmp_path / "themes")


def _summary(screen: ReplayScreen) -> str:
    return str(screen.summary.content)


def _on_shift(screen: ReplayScreen, handle: str) -> str:
    cell = screen.responders.spec(handle)[3]
    return cell if isinstance(cell, str) else cell[0]


async def test_stepping_and_seeking_an_imported_incident_compute_every_clock_at_the_moment(imported, tmp_path) -> None:
    app = await _replay_app(imported, "#4", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await until(pilot, lambda: screen.header_text)
        assert screen.header_text == "REPLAY T+00:05:00 · #4 of 8 · 09:05:00 UTC"
        assert _on_shift(screen, "bob") == "4m"
        assert "next update due in 25m" in _summary(screen)  # 30 minutes after the declaration
        assert [e.seq for e in screen.timeline.entries] == [1, 2, 3, 4]

        await pilot.press("right_square_bracket")  # one event: the stakeholder update at 09:10
        assert screen.header_text == "REPLAY T+00:10:00 · #5 of 8 · 09:10:00 UTC"
        assert "next update due in 30m" in _summary(screen)
        assert _on_shift(screen, "bob") == "9m"

        await pilot.press("greater_than_sign")  # ten minutes: 09:20, the note
        assert screen.header_text == "REPLAY T+00:20:00 · #6 of 8 · 09:20:00 UTC"
        assert "next update due in 20m" in _summary(screen)
        for _ in range(3):
            await pilot.press("greater_than_sign")  # 09:50: nothing happened since 09:20
        assert screen.header_text == "REPLAY T+00:50:00 · #6 of 8 · 09:50:00 UTC"
        assert "update OVERDUE 10m" in _summary(screen)
        assert _on_shift(screen, "bob") == "49m"
        assert screen.workstreams.spec("WS-1")[4] == ("45m STALE", "$stale bold")  # claimed 09:05, stale after 30m

        await pilot.press("left_curly_bracket")  # a minute back
        assert screen.header_text == "REPLAY T+00:49:00 · #6 of 8 · 09:49:00 UTC"
        assert "update OVERDUE 9m" in _summary(screen)
        await pilot.press("left_square_bracket")  # between events, one back is the event just passed
        assert screen.header_text == "REPLAY T+00:20:00 · #6 of 8 · 09:20:00 UTC"
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert screen.header_text == "REPLAY T+00:02:00 · #3 of 8 · 09:02:00 UTC"
        assert screen.workstreams.spec("WS-1")[2] != "bob"  # not claimed yet


async def test_going_to_a_moment_and_back_in_time_removes_what_came_later(imported, tmp_path) -> None:
    app = await _replay_app(imported, "#8", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.header_text)
        assert "CLOSED" in str(screen.header.render()) or screen.state.closed
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, GoToScreen))
        await type_text(pilot, "#0")
        await pilot.press("enter")
        assert "numbered from #1" in str(app.screen.query_one("#goto-error").content)
        app.screen.query_one("#goto-input").value = ""
        await type_text(pilot, "T+00:01:30")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        assert screen.header_text == "REPLAY T+00:01:30 · #2 of 8 · 09:01:30 UTC"
        assert not screen.state.closed and not screen.workstreams.has_row("WS-1")
        assert sorted(screen.state.responders) == ["alice", "bob"]
        assert [e.seq for e in screen.timeline.entries] == [1, 2]


async def test_every_key_that_changes_the_incident_is_refused_and_nothing_is_written(imported, tmp_path) -> None:
    log_file = FileStore(imported).path_for(INCIDENT)
    before = log_file.read_bytes()
    app = await _replay_app(imported, "#4", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.header_text)
        for key in ("c", "r", "h", "t", "n", "B", "x", "i", "o", "b", "s"):
            await pilot.press(key)
        await pilot.pause()
        refused = [message for _, message in app.notices if "replay is read-only" in message]
        assert len(refused) == 11
        assert any("workstream: claim is refused" in message for message in refused)
        assert isinstance(app.screen, ReplayScreen)  # no form opened
    assert log_file.read_bytes() == before


async def test_play_moves_the_clock_and_space_pauses(imported, tmp_path) -> None:
    app = await _replay_app(imported, "#6", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.header_text)
        start = screen.moment.at
        await pilot.press("plus", "plus")  # 60x
        assert screen.speed == 60
        await pilot.press("space")
        assert screen.playing
        await until(pilot, lambda: (screen.moment.at - start).total_seconds() >= 30)
        await pilot.press("space")
        assert not screen.playing
        paused_at = screen.moment.at
        await pilot.pause(0.6)
        assert screen.moment.at == paused_at
        await pilot.press("minus")
        assert screen.speed == 10


async def test_ctrl_r_replays_from_the_highlighted_entry_and_esc_returns_to_the_live_board(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title="Find the expiry job"))
    incident.act("alice", ev.NoteAdded(text="looking at the lifecycle rules"))
    incident.act("alice", ev.NoteAdded(text="rule 12 expires everything"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.timeline.focus()
        last = app.board.timeline.highlighted.seq
        await pilot.press("up", "up")
        highlighted = app.board.timeline.highlighted.seq
        assert highlighted == last - 2
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ReplayScreen))
        replay = app.screen
        assert replay.moment.seq == highlighted
        assert replay.timeline.entries[-1].seq == highlighted
        assert replay.header_text.startswith("REPLAY T+") and f"#{highlighted} of {last}" in replay.header_text
        length = len(incident.store.path_for(incident.id).read_bytes())
        await pilot.press("c")
        await pilot.pause()
        assert "replay is read-only: workstream: claim is refused (Esc goes back to the live board)" in notices(app)
        palette = [name for name, _, _ in BoardCommands(replay)._entries()]
        assert "workstream: claim" not in palette and "workstream: its story (also enter on a row)" not in palette
        assert "board: help (every key)" in palette
        await pilot.press("w", "A")  # the story and the action items are views of the incident now: refused too
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert "replay is read-only: workstream: its story (also enter on a row) is refused" in notices(app)
        assert len(incident.store.path_for(incident.id).read_bytes()) == length
        incident.act("bob", ev.NoteAdded(text="written while alice replays"))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await until(pilot, lambda: app.board.timeline.entries[-1].text == "written while alice replays")


async def test_search_filter_and_t_plus_work_on_the_replayed_timeline(imported, tmp_path) -> None:
    app = await _replay_app(imported, "#7", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.header_text)
        await pilot.press("slash", "g", "j", "o", "b")  # g is go-to, but not while a search is typed
        assert not isinstance(app.screen, GoToScreen)
        assert screen.timeline.finder.query == "gjob"
        await pilot.press("backspace", "backspace", "backspace", "backspace", "7", "7", "3", "1", "enter")
        assert screen.timeline.highlighted.text == "job 7731 found"
        assert screen.header_text == "REPLAY T+01:30:00 · #7 of 8 · 10:30:00 UTC"  # searching does not move the moment
        await pilot.press("T")
        assert screen.timeline.show_elapsed and screen.timeline.start == screen.history.start
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, GoToScreen))


async def test_the_time_keys_are_words_in_the_f_list(imported, tmp_path) -> None:
    app = await _replay_app(imported, "#7", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.header_text)
        await pilot.press("f", *"ws-1 [expiry] < > { } + = g")
        await until(pilot, lambda: screen.timeline.menu is not None and screen.timeline.menu.typed.endswith("g"))
        assert screen.timeline.menu.typed == "ws-1 [expiry] < > { } + = g"
        assert not isinstance(app.screen, GoToScreen) and not screen.playing
        assert screen.header_text.startswith("REPLAY T+01:30:00 · #7 of 8")  # no key moved the moment
        await pilot.press(*["backspace"] * len(" [expiry] < > { } + = g"))
        await until(pilot, lambda: screen.timeline.menu.typed == "ws-1")
        assert [choice for choice, _ in screen.timeline.menu.shown] == ["workstream:WS-1"]


async def test_at_80x24_the_way_out_of_a_replay_is_on_screen(imported, tmp_path) -> None:
    from warroom.tui.footer import BoardFooter

    app = await _replay_app(imported, "#4", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        footer = screen.query_one(BoardFooter)
        await until(pilot, lambda: screen.header_text and footer.shown)
        await pilot.pause()
        shown = {key.key: start + key.width for key, start in footer.shown}
        assert "escape" in shown and shown["escape"] <= 80, shown
        bar_line = [strip.text for strip in screen._compositor.render_strips()][screen.query_one(TimeBar).region.y]
        assert bar_line.rstrip().endswith("   Esc back"), bar_line  # the way out, whole on screen (the longer hint would be cut)
        last = [strip.text for strip in screen._compositor.render_strips()][-1]
        before_palette = last.split("▏")[0].rstrip()
        described = [f"{key.key_display} {key.description}" for key, _ in footer.shown if key.description]
        assert any(before_palette.endswith(words) for words in described), last  # no key cut in half at the end


async def test_at_80x24_a_replay_stacks_like_the_board_and_tab_steps_its_panes(imported, tmp_path) -> None:
    from .test_layout import inside_the_screen, screen_lines, shown, tab_through_the_panes

    app = await _replay_app(imported, "#4", tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen.header_text)
        await pilot.pause()
        assert screen.has_class("-narrow")
        assert shown(app, "workstreams-pane") and shown(app, "timeline-pane") and not shown(app, "commander-pane")
        assert screen.query_one("#timeline-pane").region.height >= 8
        inside_the_screen(app)
        seen = await tab_through_the_panes(pilot, app)
        assert seen == ["workstreams-pane", "commander-pane", "responders-pane", "timeline-pane"]  # from the timeline, focused first
        bar = screen.query_one(TimeBar)
        line = screen_lines(app)[bar.region.y].rstrip()
        assert line.endswith(("Esc back", "1×")), line  # the hint goes whole or not at all, never cut at the edge
        assert screen.header_text in line
