"""Columns take the width there is (issue 10, item 15)."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.widgets.panetable import PAD, PaneTable

from .conftest import ready, until

LONG_TITLE = "Restore the expired customer objects from the versioned buckets in eu-west-1 and us-east-2"


def fits(table: PaneTable) -> bool:
    """Every column, padding included, inside the pane: nothing pushed off screen."""
    return sum(table.column_width(key) + 2 * PAD for key, _ in table.COLUMNS) <= table.scrollable_content_region.width


async def test_a_long_title_uses_the_empty_columns(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title=LONG_TITLE))
    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        table = app.board.workstreams
        await until(pilot, lambda: table.has_row("WS-1"))
        await pilot.pause()
        assert table.spec("WS-1")[1] == LONG_TITLE  # no fixed cut at 48 characters
        assert table.column_width("title") >= len(LONG_TITLE)
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
        assert app.board.workstreams.render_line(0).text.rstrip().endswith("Updated")


async def test_two_roles_do_not_push_owns_off_screen(incident, make_board) -> None:
    incident.act("alice", ev.RoleAssigned(role="scribe", handle="alice"))
    incident.act("alice", ev.RoleAssigned(role="comms", handle="alice"))
    app = make_board("alice")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        table = app.board.responders
        await until(pilot, lambda: "scribe" in str(table.spec("alice")))
        await pilot.pause()
        assert fits(table), [(key, table.column_width(key)) for key, _ in table.COLUMNS]


def shown(text: str, width: int) -> str:
    """A cell as a column of ``width`` shows it: cut with an ellipsis when it is wider."""
    return text if len(text) <= width else text[: width - 1] + "…"


async def test_a_narrow_role_column_never_cuts_two_roles_alike(incident, make_board) -> None:
    # Issue 22 part 2 item 3: at 120 columns "commander" and "comms" were both `com…`.
    for who in ("bob", "carol", "dev"):
        incident.act(who, ev.ResponderJoined())
    incident.act("alice", ev.RoleAssigned(role="comms", handle="carol"))
    incident.act("alice", ev.RoleAssigned(role="deputy", handle="bob"))
    incident.act("alice", ev.RoleAssigned(role="scribe", handle="dev"))
    incident.act("dev", ev.ShiftChanged(shift="break", minutes=15))  # "break until HH:MM" widens Shift
    app = make_board("alice")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        table = app.board.responders
        await until(pilot, lambda: table.has_row("dev") and "break" in str(table.spec("dev")))
        await pilot.pause()
        width = table.column_width("role")
        assert width < len("commander")  # the column is cut here: the case the commander saw
        roles = {who: table.spec(who)[1] for who in ("alice", "bob", "carol", "dev")}
        cut = {who: shown(role if isinstance(role, str) else role[0], width) for who, role in roles.items()}
        assert len(set(cut.values())) == 4, cut
        assert cut["alice"] == "IC" and roles["alice"] == ("IC", "bold")
