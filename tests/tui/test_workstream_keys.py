"""Workstream keys act on what the responder can see (issue 22 part 2 item 2): the Workstreams
pane keeps a plain selected row when another pane has the focus, a key without a form names the
workstream it acted on, and from the timeline a workstream key acts on the highlighted entry's
workstream (with the timeline focused, Down then ``w`` once opened the row highlighted elsewhere)."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.screens.story import StoryScreen

from .conftest import SIZE, notices, ready, screen_shown, until


def _open_three(incident) -> None:
    for title in ("Stop the lifecycle rule", "Restore from versioning", "Tell the customers"):
        incident.act("alice", ev.WorkstreamOpened(title=title))


async def _timeline_on(pilot, ws_id: str) -> None:
    """Focus the timeline with its cursor on ``ws_id``'s opening entry."""
    board = pilot.app.board
    board.timeline.focus()
    entry = next(e for e in board.state.timeline if e.workstream == ws_id and e.type == "workstream_opened")
    board.timeline.move_cursor(board.timeline.index_of(entry.seq))
    await until(pilot, lambda: board.timeline.has_focus and board.timeline.highlighted.seq == entry.seq)


async def test_the_selected_workstream_stays_plain_when_another_pane_has_the_focus(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        table = app.board.workstreams
        app.board.timeline.focus()
        await until(pilot, lambda: not table.has_focus)
        cursor = table.get_component_rich_style("panetable--cursor")
        assert cursor.bold, "the blurred cursor is a faint tint: the row c/h/u/r act on is hard to see"
        assert cursor.bgcolor is not None and cursor.bgcolor != table.rich_style.bgcolor


async def test_claim_from_the_timeline_takes_the_highlighted_entrys_workstream_and_says_which(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.board.workstreams.highlighted_key == "WS-1"
        await _timeline_on(pilot, "WS-2")
        await pilot.press("c")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].owner == "alice")
        assert app.board.state.workstreams["WS-1"].owner is None
        await until(pilot, lambda: "claimed WS-2 “Restore from versioning”" in notices(app))
        await pilot.press("r")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].owner is None)
        assert "released WS-2 “Restore from versioning”" in notices(app)


async def test_w_and_u_from_the_timeline_open_the_highlighted_entrys_workstream(incident, make_board) -> None:
    _open_three(incident)
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-3"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _timeline_on(pilot, "WS-3")
        await pilot.press("w")
        await screen_shown(pilot, StoryScreen, "#story-text")
        assert app.screen.ws_id == "WS-3"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, StoryScreen))
        await pilot.press("u")
        await until(pilot, lambda: getattr(app.screen, "form_title", "") == "Status of WS-3")


async def test_an_entry_about_no_workstream_leaves_the_keys_on_the_selected_row(incident, make_board) -> None:
    _open_three(incident)
    incident.act("alice", ev.NoteAdded(text="customers report 404s"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.timeline.focus()
        await until(pilot, lambda: app.board.timeline.highlighted is not None and app.board.timeline.highlighted.workstream is None)
        await pilot.press("c")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].owner == "alice")
