"""The lobby under Pilot: every open incident of a real folder, sorted, filtered, followed live;
Enter joins a board and Escape / q on it come back; n declares."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.builder import LogBuilder
from tests.tui.conftest import SIZE, Incident, ready, screen_shown, type_text, until
from warroom.config import Config
from warroom.incident import events as ev
from warroom.store import FileStore
from warroom.tui.app import WarroomApp
from warroom.tui.launch import lobby_app
from warroom.tui.lobby import LobbyScreen
from warroom.tui.board.following import BoardFollowing
from warroom.tui.screens.form_screen import FormScreen

def imported(store_dir: Path, incident_id: str, *, minutes_ago: float, severity: int, actor: str = "alice", drill: bool = False, title: str = "") -> LogBuilder:
    """An incident declared ``minutes_ago`` (the builder's clock), written as one log."""
    log = LogBuilder(incident_id, start=datetime.now(timezone.utc) - timedelta(minutes=minutes_ago))
    log.add(actor, ev.IncidentDeclared(incident_id=incident_id, title=title or f"{incident_id} trouble", severity=severity, drill=drill), minutes=0)
    FileStore(store_dir).import_events(incident_id, log.events)
    return log


def lobby(store_dir: Path, me: str = "alice", **kwargs) -> WarroomApp:
    kwargs.setdefault("themes_dir", store_dir.parent / "user-themes")
    return lobby_app(FileStore(store_dir), me, Config(), **kwargs)


def lobby_of(app: WarroomApp) -> LobbyScreen:
    """The App's lobby screen (under any form or board)."""
    return next(screen for screen in app.screen_stack if isinstance(screen, LobbyScreen))


def order(app: WarroomApp) -> list[str]:
    return lobby_of(app).table.keys()


def cell(app: WarroomApp, incident_id: str, column: str) -> str:
    table = lobby_of(app).table
    spec = table.spec(incident_id)
    assert spec is not None, f"{incident_id} is not listed"
    value = spec[[key for key, _ in table.COLUMNS].index(column)]
    return value if isinstance(value, str) else value[0]


async def loaded(pilot) -> None:
    await until(pilot, lambda: any(isinstance(s, LobbyScreen) for s in pilot.app.screen_stack) and lobby_of(pilot.app).loaded)
    await pilot.pause()


async def test_lists_every_open_incident_worst_first_then_oldest(store_dir: Path) -> None:
    imported(store_dir, "INC-1", minutes_ago=10, severity=3)
    imported(store_dir, "INC-2", minutes_ago=30, severity=1)
    imported(store_dir, "INC-3", minutes_ago=90, severity=3, actor="bob")
    imported(store_dir, "INC-4", minutes_ago=5, severity=1, drill=True, actor="carol")
    closed = Incident(store_dir, "INC-5")
    closed.declare(severity=1)
    closed.act("alice", ev.IncidentClosed())
    closed.act("alice", ev.ActionItemAdded(text="Alert on expiry rules", due=date(2026, 1, 2)))  # long past due
    closed.act("alice", ev.ActionItemAdded(text="Runbook", due=date(2999, 1, 1)))
    busy = Incident(store_dir, "INC-1")
    busy.act("alice", ev.WorkstreamOpened(title="Roll back"))
    busy.act("alice", ev.WorkstreamOpened(title="Drain EU"))
    busy.act("alice", ev.WorkstreamClaimed(workstream="WS-2"))
    busy.act("alice", ev.WorkstreamStatusSet(workstream="WS-2", status="blocked"))
    busy.act("bob", ev.ResponderJoined())

    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert order(app) == ["INC-2", "INC-4", "INC-3", "INC-1"]  # SEV1s, then SEV3s; oldest first
        assert cell(app, "INC-4", "title").startswith("[DRILL]")
        assert cell(app, "INC-1", "commander") == "alice"
        assert cell(app, "INC-1", "unowned") == "1"
        assert cell(app, "INC-1", "blocked") == "1"
        assert cell(app, "INC-1", "people") == "2 (2 also elsewhere)"  # alice (also INC-2) and bob (also INC-3)
        assert cell(app, "INC-3", "age").startswith("1h3")  # 1h30m (1h31m should a minute tick over)
        assert cell(app, "INC-2", "update").startswith("OVERDUE 1")  # SEV1: every 20 minutes, declared 30 ago
        assert cell(app, "INC-1", "update").startswith("due ")
        assert "INC-5" not in order(app)
        assert "4 open" in str(lobby_of(app).header.render())
        assert "1 action item overdue" in str(lobby_of(app).header.render())  # a closed incident's items still count


async def test_filters_mine_drills_all(store_dir: Path) -> None:
    imported(store_dir, "INC-1", minutes_ago=10, severity=2, actor="alice")
    imported(store_dir, "INC-2", minutes_ago=10, severity=2, actor="bob")
    imported(store_dir, "INC-3", minutes_ago=10, severity=2, actor="carol", drill=True)
    Incident(store_dir, "INC-2").act("alice", ev.ResponderJoined())

    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert sorted(order(app)) == ["INC-1", "INC-2", "INC-3"]
        await pilot.press("m")
        assert sorted(order(app)) == ["INC-1", "INC-2"]  # in command of one, on shift in the other
        await pilot.press("d")
        assert order(app) == ["INC-3"]
        await pilot.press("a")
        assert sorted(order(app)) == ["INC-1", "INC-2", "INC-3"]


async def test_follows_every_incident_live(store_dir: Path) -> None:
    imported(store_dir, "INC-1", minutes_ago=10, severity=3)
    imported(store_dir, "INC-2", minutes_ago=20, severity=3, actor="bob")
    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert order(app) == ["INC-2", "INC-1"]
        Incident(store_dir, "INC-1").act("alice", ev.StatusChanged(status="identified"))
        await until(pilot, lambda: cell(app, "INC-1", "status") == "identified")
        Incident(store_dir, "INC-1").act("alice", ev.SeverityChanged(severity=1))
        await until(pilot, lambda: order(app) == ["INC-1", "INC-2"])  # re-sorted: now the worst
        Incident(store_dir, "INC-7").declare("carol", title="Payments queue stuck", severity=2)
        await until(pilot, lambda: order(app) == ["INC-1", "INC-7", "INC-2"])
        assert cell(app, "INC-7", "title") == "Payments queue stuck"
        Incident(store_dir, "INC-2").act("bob", ev.IncidentClosed())
        await until(pilot, lambda: order(app) == ["INC-1", "INC-7"])


async def test_enter_joins_the_board_and_escape_or_q_return_to_the_lobby(store_dir: Path) -> None:
    """One App: Enter pushes the board over the lobby, Escape or q pop back to it, where the cursor still is."""
    imported(store_dir, "INC-1", minutes_ago=10, severity=1, actor="bob")
    imported(store_dir, "INC-2", minutes_ago=10, severity=3, actor="bob", title="Search lag")
    seen: list[str] = []
    app = lobby(store_dir)

    async def back_in_the_lobby(pilot) -> None:
        await until(pilot, lambda: isinstance(app.screen, LobbyScreen))
        await pilot.pause()

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        seen.append(f"lobby at {lobby_of(app).table.highlighted_key}")
        await pilot.press("down", "enter")
        await ready(pilot)
        seen.append(f"board {app.board.state.id} ({app.board.state.title})")
        watching = [w for w in app.workers if w.node is lobby_of(app) and w.group == "watch" and w.is_running]
        assert watching == []  # covered by a board, the lobby does not follow every incident
        imported(store_dir, "INC-3", minutes_ago=1, severity=4, actor="bob", title="Docs typo")
        await pilot.press("escape")
        await back_in_the_lobby(pilot)
        await until(pilot, lambda: "INC-3" in order(app))  # following again, and caught up
        seen.append(f"lobby again at {lobby_of(app).table.highlighted_key}")
        await pilot.press("up", "enter")
        await ready(pilot)
        seen.append(f"board {app.board.state.id} ({app.board.state.title})")
        await pilot.press("q")
        await back_in_the_lobby(pilot)
        seen.append(f"lobby once more at {lobby_of(app).table.highlighted_key}")
        assert [type(screen) for screen in app.screen_stack[1:]] == [LobbyScreen]  # no board left behind
        await pilot.press("q")
        await pilot.pause()
    assert (app.return_code or 0) == 0
    assert seen == [
        "lobby at INC-1",
        "board INC-2 (Search lag)",
        "lobby again at INC-2",  # back where we were
        "board INC-1 (INC-1 trouble)",
        "lobby once more at INC-1",
    ]
    assert Incident(store_dir, "INC-2").state().responders["alice"].shift == "on"  # joining is going on shift


async def test_q_on_a_board_opened_by_join_still_quits(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("escape")  # not from the lobby: Escape does nothing here
        await pilot.pause()
        assert app.is_running
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running  # ended: there is no lobby to go back to


async def test_n_declares_from_a_form_and_joins_it(store_dir: Path) -> None:
    imported(store_dir, "INC-4", minutes_ago=10, severity=3, actor="bob")
    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await screen_shown(pilot, FormScreen, "Input")
        await type_text(pilot, "Login page blank for SSO users")
        await pilot.press("tab", "down")  # the playbook's (none: SEV3) -> SEV1
        await pilot.press("tab", "down")  # a drill
        await pilot.press("enter")
        await until(pilot, lambda: app.board is not None and app.board.room.incident_id == "INC-5" and app.board.ready)
        assert app.board.from_lobby  # its q and Escape come back to the lobby
    state = Incident(store_dir, "INC-5").state()
    assert (state.title, state.severity, state.drill, state.commander) == ("Login page blank for SSO users", 1, True, "alice")


async def test_keys_typed_straight_after_n_land_in_the_declare_form(store_dir: Path) -> None:
    """A burst of n and the title: the letters are the form's, not the lobby's keys (q quits, n declares)."""
    from tests.tui.test_forms import burst

    imported(store_dir, "INC-4", minutes_ago=10, severity=3, actor="bob")
    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        burst(app, "n", "quick one")
        await screen_shown(pilot, FormScreen, "#form-error")
        await until(pilot, lambda: app.screen.query_one("#field-title", Input).value == "quick one")
        assert app.is_running and isinstance(app.screen_stack[-2], LobbyScreen)


async def test_someone_on_shift_in_two_incidents_shows_on_both_boards_and_in_the_lobby(store_dir: Path, make_board) -> None:
    # alice has been on shift in INC-1 for 5 hours; INC-2 began an hour ago and she joined it
    long = imported(store_dir, "INC-1", minutes_ago=300, severity=2)
    long.add("alice", ev.ResponderJoined(), minutes=0)
    FileStore(store_dir).import_events("INC-1", long.events, replace=True)
    imported(store_dir, "INC-2", minutes_ago=60, severity=2, actor="bob")
    Incident(store_dir, "INC-2").act("alice", ev.ResponderJoined())

    BoardFollowing.PEOPLE_SECONDS = 0.05
    try:
        board = make_board("bob", incident_id="INC-2")
        async with board.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await until(pilot, lambda: "alice" in board.board.responders.elsewhere)
            shift, spent = board.board.responders.spec("alice")[2:4]
            assert shift[0] == "on · also on INC-1"
            assert spent[0].startswith("5h0") and spent[0].endswith(" tired")  # from her INC-1 shift, against the 4 h threshold
        across_off = make_board("bob", incident_id="INC-2", config=Config.model_validate({"ui": {"fatigue_across_incidents": False}}))
        async with across_off.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await until(pilot, lambda: "alice" in across_off.board.responders.elsewhere)
            shift, spent = across_off.board.responders.spec("alice")[2:4]
            assert shift[0] == "on · also on INC-1"
            assert spent == "<1m"  # her INC-2 shift only: she joined it a moment ago
        other = make_board("bob", incident_id="INC-1")
        async with other.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await until(pilot, lambda: "alice" in other.board.responders.elsewhere)
            assert other.board.responders.spec("alice")[2][0] == "on · also on INC-2"
    finally:
        BoardFollowing.PEOPLE_SECONDS = 15.0

    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert cell(app, "INC-2", "people") == "2 (2 also elsewhere)"  # alice, and bob who joined INC-1's board
        assert cell(app, "INC-1", "people") == "2 (2 also elsewhere)"
        lobby_of(app).table.move_cursor(row=order(app).index("INC-2"))
        await pilot.pause()
        detail = str(lobby_of(app).detail.render())
        assert "alice 5h0" in detail and "tired (also on INC-1)" in detail


@pytest.mark.parametrize("view", ["all", "mine"])
async def test_an_empty_lobby_says_what_to_do(store_dir: Path, view: str) -> None:
    app = lobby(store_dir / "not-yet", view=view)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        text = str(lobby_of(app).detail.render())
        assert ("n declares one" in text) if view == "all" else ("a shows every open incident" in text)


def test_linked_incidents_are_listed_together_after_the_most_urgent_of_their_group() -> None:
    from warroom.people import People
    from warroom.store.base import IncidentLink, IncidentSummary
    from warroom.tui.model import lobbyrows

    now = datetime.now(timezone.utc)

    def summary(incident_id: str, severity: int, minutes_ago: int, *links: tuple[str, str]) -> IncidentSummary:
        return IncidentSummary(
            id=incident_id, title=f"{incident_id} title", severity=severity, status="investigating", closed=False,
            commander="alice", seq=3, declared_at=now - timedelta(minutes=minutes_ago),
            links=tuple(IncidentLink(other, kind) for other, kind in links),
        )

    found = [
        summary("INC-40", 2, 90, ("INC-43", "causes")),
        summary("INC-41", 1, 10),
        summary("INC-42", 3, 200),
        summary("INC-43", 1, 30, ("INC-40", "caused-by")),
    ]
    ordered = lobbyrows.ordered(found)
    assert [(s.id, note) for s, note in ordered] == [
        ("INC-43", ""),  # SEV1, older than INC-41: heads its group
        ("INC-40", "causes INC-43"),  # SEV2, but follows the incident it caused
        ("INC-41", ""),
        ("INC-42", ""),
    ]
    rows = lobbyrows.rows(found, "all", "alice", now, People(found))
    assert rows[1].cells[2] == "↳ causes INC-43: INC-40 title"


async def test_long_titles_give_way_so_every_column_fits(store_dir: Path) -> None:
    imported(store_dir, "INC-1", minutes_ago=90, severity=1, title="A very long title " * 6)
    app = lobby(store_dir)
    async with app.run_test(size=(110, 30)) as pilot:
        await loaded(pilot)
        table = lobby_of(app).table
        assert table.virtual_size.width <= table.size.width  # no column pushed off the right edge
        line = "".join(segment.text for segment in table.render_line(1))
        assert "OVERDUE 1h1" in line and "…" in line  # the update clock whole (1h10m), the title cut


async def lines_once_the_table_fits(pilot, app) -> list[str]:
    """The lobby's screen as text, once its table has been laid out no wider than the terminal."""
    await loaded(pilot)
    table = lobby_of(app).table
    await until(pilot, lambda: table.size.width > 0 and table.virtual_size.width <= table.size.width)
    await pilot.pause()
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_at_80x24_the_columns_fit_and_overdue_shows(store_dir: Path) -> None:
    """An 80-column lobby hides its least useful columns (age, status, who is on shift: the line
    under the table says that) rather than push Unowned, Blocked and Update off the right edge."""
    imported(store_dir, "INC-1", minutes_ago=90, severity=1, title="Checkout errors for every EU customer")
    imported(store_dir, "INC-2", minutes_ago=10, severity=3, actor="bob")
    Incident(store_dir, "INC-1").act("bob", ev.ResponderJoined())  # bob: on shift in both
    app = lobby(store_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        lines = await lines_once_the_table_fits(pilot, app)
        table = lobby_of(app).table
        assert table.max_scroll_x == 0 and not table.show_horizontal_scrollbar
        header = next(line for line in lines if "Incident" in line and "Update" in line)
        assert "Unowned" in header and "Blocked" in header, header
        row = next(line for line in lines if "INC-1 " in line and "SEV1" in line)
        assert "OVERDUE 1h1" in row and "Checkout errors" in row, row


async def test_at_80x24_a_long_title_gets_the_width_short_headers_and_gaps_give_up(store_dir: Path) -> None:
    """Issue 22 item 10: the title was cut to 17 characters while "Commander" kept 9 columns over
    "alice" and every gap two; now the title is cut last: 27 characters and "…"."""
    imported(store_dir, "INC-1", minutes_ago=90, severity=1, title="Checkout errors for every EU customer paying by card since the 10:05 deploy")
    imported(store_dir, "INC-2", minutes_ago=10, severity=3, actor="bob")
    app = lobby(store_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        lines = await lines_once_the_table_fits(pilot, app)
        header = next(line for line in lines if "Incident" in line and "Update" in line)
        assert " IC " in header and "Unowned" in header and "Blocked" in header, header
        row = next(line for line in lines if "INC-1 " in line and "SEV1" in line)
        assert "Checkout errors for every E…" in row and "alice" in row and "OVERDUE 1h1" in row, row


async def test_a_title_in_wide_characters_keeps_every_column_under_its_header(store_dir: Path) -> None:
    """A CJK title takes two terminal cells a character: its column is measured, cut and padded
    in cells, so the columns after it line up with the other rows' and the header's."""
    from rich.cells import cell_len

    imported(store_dir, "INC-1", minutes_ago=10, severity=2, title="東京リージョンの決済が落ちている")
    imported(store_dir, "INC-2", minutes_ago=20, severity=2, title="Checkout down")
    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        table = lobby_of(app).table
        lines = [table.render_line(y).text for y in range(3)]

        def at(line: str, word: str) -> int:
            return cell_len(line[: line.index(word)])

        header, *rows = lines
        assert [at(row, "investigating") for row in rows] == [at(header, "Status")] * 2, lines
        assert all(cell_len(row.rstrip()) <= table.size.width for row in rows), lines
