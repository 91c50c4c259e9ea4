"""Columns take the width there is (issue 10, item 15)."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.widgets.table import BoardTable

from .conftest import ready, until

LONG_TITLE = "Restore the expired customer objects from the versioned buckets in eu-west-1 and us-east-2"


def fits(table: BoardTable) -> bool:
    """Every column, padding included, inside the pane: nothing pushed off screen."""
    return sum(column.get_render_width(table) for column in table.columns.values()) <= table.scrollable_content_region.width


async def test_a_long_title_uses_the_empty_columns(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title=LONG_TITLE))
    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        table = app.board.workstreams
        await until(pilot, lambda: table.has_row("WS-1"))
        await pilot.pause()
        assert table.spec("WS-1")[1] == LONG_TITLE  # no fixed cut at 48 characters
        assert table.columns["title"].get_render_width(table) >= len(LONG_TITLE)
        assert fits(table)
        await pilot.resize_terminal(150, 45)  # wider again: the rows are drawn anew at the new width
        await until(pilot, lambda: any(LONG_TITLE in strip.text for strip in app.screen._compositor.render_strips()))


async def test_a_narrow_pane_cuts_the_title_not_the_other_columns(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title=LONG_TITLE))
    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: app.board.workstreams.has_row("WS-1"))
        await pilot.pause()
        assert fits(app.board.workstreams)
        assert "Updated" in app.board.workstreams.columns["updated"].label.plain


async def test_two_roles_do_not_push_owns_off_screen(incident, make_board) -> None:
    incident.act("alice", ev.RoleAssigned(role="scribe", handle="alice"))
    incident.act("alice", ev.RoleAssigned(role="comms", handle="alice"))
    app = make_board("alice")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        table = app.board.responders
        await until(pilot, lambda: "scribe" in str(table.spec("alice")))
        await pilot.pause()
        assert fits(table), [(c.label.plain, c.get_render_width(table)) for c in table.columns.values()]
