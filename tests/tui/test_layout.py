"""A small terminal still shows a usable board (issue 10, item 14)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from warroom.incident import events as ev
from warroom.tui.layout import PANES
from warroom.tui.footer import BoardFooter

from .conftest import ready, until


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def shown(app, pane_id: str) -> bool:
    pane = app.screen.query_one(f"#{pane_id}")
    return pane.display and pane.region.height > 0 and all(a.display for a in pane.ancestors_with_self if a is not app)


def inside_the_screen(app) -> None:
    """Every shown pane lies between header and footer: nothing scrolls the screen or hangs outside it."""
    width, height = app.size
    assert app.screen.max_scroll_y == 0 and app.screen.max_scroll_x == 0
    for pane_id in PANES:
        if shown(app, pane_id):
            region = app.screen.query_one(f"#{pane_id}").region
            assert region.y >= 1 and region.bottom <= height - 1 and region.right <= width, (pane_id, region)
    for table in app.screen.query("#workstreams, #responders"):  # the live board's or a replay's
        assert not table.show_horizontal_scrollbar


async def tab_through_the_panes(pilot, app) -> list[str | None]:
    """Press tab four times on a stacked board; each time exactly one lower pane shows, usefully
    tall and inside the screen. Returns the pane focused after each press."""
    seen = []
    for _ in range(4):
        await pilot.press("tab")
        await pilot.pause()
        visible = [p for p in PANES[1:] if shown(app, p)]
        assert len(visible) == 1, visible
        assert app.screen.query_one(f"#{visible[0]}").region.height >= 8
        seen.append(next((p for p in PANES if app.focused in app.screen.query_one(f"#{p}").walk_children(with_self=True)), None))
        inside_the_screen(app)
    return seen


async def test_80x24_shows_each_pane_usefully_and_tab_steps_through_them(incident, make_board) -> None:
    for n in range(1, 7):
        incident.act("alice", ev.WorkstreamOpened(title=f"Workstream number {n}"))
    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: app.board.workstreams.row_count == 6)
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert app.board.workstreams.scrollable_content_region.height - 1 >= 5  # at least five workstream rows
        assert shown(app, "timeline-pane") and not shown(app, "commander-pane")
        inside_the_screen(app)
        seen = await tab_through_the_panes(pilot, app)
        assert seen == ["commander-pane", "responders-pane", "timeline-pane", "workstreams-pane"]
        header = app.board.header.render().plain
        for part in ("INC-1", "SEV1", "investigating", "you: alice"):
            assert part in header


async def test_tabs_in_a_burst_on_80x24_each_step_one_pane(incident, make_board) -> None:
    """Tab pressed twice faster than a redraw (a held key, a quick typist) goes two panes on,
    not one: each step counts from where the last one is going, not from the old focus."""
    from textual import events

    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        await pilot.pause()
        for _ in range(2):
            app.post_message(events.Key("tab", "\t"))
        await until(pilot, lambda: app.focused is app.board.responders)
        assert shown(app, "responders-pane") and not shown(app, "commander-pane")
        for _ in range(2):
            app.post_message(events.Key("shift+tab", None))
        await until(pilot, lambda: app.focused is app.board.workstreams)
        await pilot.pause()
        assert app.focused is app.board.workstreams


async def test_a_tab_between_a_steps_focus_call_and_the_focus_landing_counts_from_the_step(incident, make_board) -> None:
    """Textual moves the focus a turn after ``focus()``: a tab in that turn (a burst, under load)
    still counts from the pane the last step is going to, not from the focus it is leaving."""
    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        await pilot.pause()
        screen = app.board
        assert screen.step_pane(1)
        first = screen._stepping_to
        screen._focus_in(first)  # the refresh has come: focus() asked for, not landed yet
        assert app.focused is app.board.workstreams
        assert screen.step_pane(1)
        assert screen._stepping_to is not first
        await until(pilot, lambda: app.focused is app.board.responders)
        await pilot.pause()
        assert app.focused is app.board.responders
        assert shown(app, "responders-pane") and not shown(app, "commander-pane")


async def test_a_wide_board_shows_every_pane_at_once(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        assert not app.screen.has_class("-narrow")
        assert all(shown(app, pane) for pane in PANES)


async def test_60x20_keeps_every_pane_inside_its_border(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot)
        await pilot.pause()
        inside_the_screen(app)


async def test_the_footer_ends_with_whole_keys(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        footer = app.screen.query_one(BoardFooter)
        await until(pilot, lambda: screen_lines(app)[-1].rstrip().endswith("^p palette"))
        last = screen_lines(app)[-1]
        before_palette = last.split("▏")[0].rstrip()
        described = [f"{key.key_display} {key.description}" for key, _ in footer.shown if key.description]
        assert any(before_palette.endswith(words) for words in described), last  # no key cut in half either


async def test_a_click_on_a_footer_key_presses_it(incident, make_board) -> None:
    from warroom.tui.screens.info import HelpScreen

    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        footer = app.screen.query_one(BoardFooter)
        await until(pilot, lambda: footer.shown)
        start = next(start for key, start in footer.shown if key.description == "help")
        await pilot.click(BoardFooter, offset=(start + 1, 0))
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_moving_between_panes_redraws_neither_the_header_nor_the_footer(incident, make_board, monkeypatch) -> None:
    """A focus change used to rebuild the footer's key widgets several times over and repaint
    the whole screen (~300 ms a tab); now only what looks different with focus is drawn again."""
    from textual.widgets._footer import FooterKey

    from warroom.tui.widgets.header import BoardHeader

    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: screen_lines(app)[-1].startswith("n new c claim"))
        await pilot.pause()
        drawn: list[str] = []
        for kind in (BoardHeader, BoardFooter, FooterKey):
            render = kind.render

            def counting(widget, _render=render):
                drawn.append(type(widget).__name__)
                return _render(widget)

            monkeypatch.setattr(kind, "render", counting)
        for pane in (app.board.timeline, app.board.workstreams, app.board.responders, app.board.timeline):
            pane.focus()
            await pilot.pause()
        assert drawn == []
        assert screen_lines(app)[-1].startswith("n new c claim")


async def test_the_highlighted_workstream_stays_on_screen_after_a_resize(incident, make_board) -> None:
    for n in range(1, 21):
        incident.act("alice", ev.WorkstreamOpened(title=f"Workstream number {n}"))
    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        table = app.board.workstreams
        await until(pilot, lambda: table.row_count == 20)
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 19
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()

        def visible() -> bool:
            rows = table.scrollable_content_region.height - 1  # less the header row
            return table.scroll_y <= table.cursor_row < table.scroll_y + rows

        await until(pilot, visible)
        await pilot.resize_terminal(140, 45)
        await pilot.resize_terminal(100, 24)
        await until(pilot, visible)


async def test_at_80x24_the_footer_shows_the_commanders_keys_to_the_commander(incident, make_board) -> None:
    # Issue 22 part 2 item 10: at 80 columns the footer dropped B, i and s even for the commander.
    incident.act("bob", ev.ResponderJoined())
    incident.act("alice", ev.RoleAssigned(role="comms", handle="bob"))
    incident.act("carol", ev.ResponderJoined())

    def shown_keys(app) -> set[str]:
        return {key.key_display for key, _ in app.screen.query_one(BoardFooter).shown}

    for handle, wanted, unwanted in (
        ("alice", {"B", "i", "s"}, set()),  # the commander
        ("bob", {"B"}, {"i", "s"}),  # comms
        ("carol", {"n", "c", "y"}, {"B", "i", "s"}),  # neither: the workstream keys, as before
    ):
        app = make_board(handle)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await until(pilot, lambda: screen_lines(app)[-1].rstrip().endswith("^p palette"))
            await until(pilot, lambda: wanted <= shown_keys(app))
            assert not unwanted & shown_keys(app), (handle, shown_keys(app))
            last = screen_lines(app)[-1]
            assert "c claim" in last and last.index("c claim") < last.index("▏")  # the order is kept
            if handle == "alice":
                assert last.index("n new") < last.index("B broadcast") < last.index("i command") < last.index("s sev")


async def test_the_footer_follows_the_viewers_role(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        footer = app.screen.query_one(BoardFooter)
        await until(pilot, lambda: bool(footer.shown))
        assert "s" not in {key.key_display for key, _ in footer.shown}
        incident.act("alice", ev.CommandHandoverOffered(to="bob"))
        incident.act("bob", ev.CommandHandoverAccepted())
        await until(pilot, lambda: "s" in {key.key_display for key, _ in footer.shown})


def test_a_title_in_wide_characters_never_pushes_the_severity_or_your_handle_off_the_header() -> None:
    """The header lays out by priority in terminal cells: a CJK title (two cells a character) is
    cut to the room the essentials leave, never counted by characters and drawn twice as wide."""
    from rich.cells import cell_len

    from warroom.incident import IncidentState, apply
    from warroom.tui.widgets.header import header_content

    state = IncidentState()
    title = "東京リージョンの決済サービスが全面的に落ちている件について調査中です"
    apply(state, ev.StoredEvent(seq=1, id=uuid.uuid4(), at=datetime.now(timezone.utc), actor="alice",
                                body=ev.IncidentDeclared(incident_id="INC-1", title=title, severity=1)))
    for width in (60, 80, 140):
        line = header_content(state, "INC-1", "alice", offline=False, width=width).plain
        assert cell_len(line) <= width, (width, line)
        for part in ("INC-1", "SEV1", "investigating", "alice"):
            assert part in line, (width, line)
        assert "東京" in line
