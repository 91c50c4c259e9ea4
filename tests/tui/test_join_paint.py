"""What a join and a tab cost the screen (issue 23 items 3 and 5): how often the board is drawn, not how long it takes.

Times are the benches' business (``bench/startup.py``, ``bench/search.py``); these tests pin the
drawing behind them, which a change can undo without any test of the board's looks noticing.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from warroom.config import Config
from warroom.config_files import DEFAULT_THEME
from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp
from warroom.tui.frame_first import BoardFrame

from .conftest import INCIDENT, SIZE, BoardScreen, ready  # BoardScreen: wherever the board's module lives


async def test_a_board_loaded_before_it_is_mounted_is_drawn_loaded_from_its_first_frame(incident, store_dir: Path, tmp_path: Path) -> None:
    """``warroom join`` on a terminal loads the incident while the frame says "loading…"
    (``frame_first.py``), so the board is never drawn empty and then again: every frame it is
    in already shows the incident. (Drawing it empty first cost ~40 ms of CPU at 10,000 events.)
    Alice declared the incident, so she is on shift already: her board joins without writing.
    Started without the collector (``cli/early.py``), the board turns it on again once drawn."""
    incident.act("alice", ev.WorkstreamOpened(title="Roll back the deploy"))
    boards: list[BoardScreen] = []
    seen: list[tuple[bool, int]] = []

    async def open_board(app: WarroomApp) -> None:  # what ``frame_first.run_frame_first`` does once the frame shows
        board = BoardScreen(Room(FileStore(store_dir), INCIDENT, "alice"), Config())
        await board.load_before_mount()
        assert board.state.title == "Customer objects expiring"  # loaded, and not yet on screen
        boards.append(board)
        await app.switch_screen(board)

    app = WarroomApp(lambda: BoardFrame(INCIDENT, "alice"), ui=(DEFAULT_THEME, {}), then=open_board, themes_dir=tmp_path / "themes")
    display = app._display

    def displayed(screen, renderable) -> None:
        if boards and screen is boards[0] and renderable is not None:
            seen.append((boards[0].header._loading, boards[0].workstreams.row_count))
        display(screen, renderable)

    vars(app)["_display"] = displayed  # this one App's frames, as bench/search.py counts them
    gc.disable()  # as ``cli/early.py`` starts a join on a terminal
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.pause()
            assert gc.isenabled()  # the board turned the collector on again once drawn, having frozen what it loaded
            assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()
    assert seen, "the board was never drawn"
    assert all(frame == (False, 1) for frame in seen), seen


def test_a_join_on_a_terminal_starts_without_the_collector(monkeypatch) -> None:
    """Starting makes objects that live as long as the program; collecting while they are made
    cost ~40 ms of a 10,000-event join's CPU (``bench/startup.py --cpu``)."""
    from warroom.cli import early
    from warroom.tui import frame_first

    collecting: list[bool] = []
    monkeypatch.setattr(frame_first, "run_frame_first", lambda *args: collecting.append(gc.isenabled()) or 0)
    try:
        assert early.start_frame_first(["join", "INC-1"], early.PlainStart("INC-1", None)) == 0
    finally:
        gc.enable()
    assert collecting == [False]


def test_a_join_on_a_terminal_looks_for_no_pydantic_plugins_unless_asked(monkeypatch) -> None:
    """pydantic imports ``importlib.metadata`` and scans every installed distribution for plugins
    when it builds its first validator (~15 ms of CPU before the board can draw); a join on a
    terminal turns plugins off first, and a choice already made in the environment stands."""
    from warroom.cli import early
    from warroom.tui import frame_first

    steps: list[str] = []
    monkeypatch.setattr(early, "without_pydantic_plugins", lambda: steps.append("plugins off"))
    monkeypatch.setattr(frame_first, "run_frame_first", lambda *args: steps.append("frame") or 0)
    try:
        assert early.start_frame_first(["join", "INC-1"], early.PlainStart("INC-1", None)) == 0
    finally:
        gc.enable()
    assert steps == ["plugins off", "frame"]
    script = (
        "import os, sys\n"
        "from warroom.cli.early import without_pydantic_plugins\n"
        "without_pydantic_plugins()\n"
        "from warroom.config import UserConfig\n"
        "assert UserConfig.model_validate({'handle': 'alice'}).handle == 'alice'\n"
        "print(os.environ['PYDANTIC_DISABLE_PLUGINS'], 'importlib.metadata' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"} | {"PYTHONPATH": str(REPO_ROOT)}
    for chosen, said in ((None, "__all__ False"), ("logfire", "logfire True")):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             env=env if chosen is None else env | {"PYDANTIC_DISABLE_PLUGINS": chosen})
        assert run.stdout.strip() == said


async def test_moving_between_panes_never_redraws_the_whole_screen(incident, make_board) -> None:
    """Textual repaints the whole screen when the focus moves (``Screen.focused`` repaints);
    the board's panes are restyled and redrawn on their own, so a tab draws only what changed."""
    app = make_board("alice")
    frames: list[str] = []
    display = app._display

    def displayed(screen, renderable) -> None:
        if renderable is not None:
            frames.append(type(renderable).__name__)  # LayoutUpdate: every line of the screen; ChopsUpdate: the changed parts
        display(screen, renderable)

    vars(app)["_display"] = displayed  # this one App's frames, as bench/search.py counts them
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause()
        board = app.board
        for pane in (board.timeline, board.workstreams):  # the first focus of each styles its scrollbars: a layout
            pane.focus()
            await pilot.pause()
        frames.clear()
        for key in ("tab", "tab", "tab", "shift+tab"):
            await pilot.press(key)
            await pilot.pause()
        assert frames and "LayoutUpdate" not in frames, frames


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_a_tab_between_panes_is_drawn_in_one_frame(incident, make_board, size) -> None:
    """Both panes' borders, the blurred and the focused widget go out in one frame. The widgets
    ask for their repaints one by one; Textual's frame used to go out after the first two, and
    the rest waited for the next one, 17-33 ms later (``OneFrameScreen``): two frames a tab.
    At 80x24 the Workstreams pane and the lower pane shown are both on screen: a tab between
    them moves the focus at once (it used to wait for a frame, which repainted the lower pane's
    border for a subtitle set to the words it had)."""
    app = make_board("alice")
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.pause()
        board = app.board
        drawn: list[str] = []  # the panes' renders and "frame" for each frame written, in order
        for pane_id in ("workstreams-pane", "timeline-pane"):
            pane = board.query_one(f"#{pane_id}")

            def render_lines(crop, _pane=pane, _render=pane.render_lines):
                drawn.append(_pane.id)
                return _render(crop)

            vars(pane)["render_lines"] = render_lines
        display = app._display

        def displayed(screen, renderable) -> None:
            if renderable is not None:
                drawn.append("frame")
            display(screen, renderable)

        vars(app)["_display"] = displayed
        for focus_first in (board.timeline, board.workstreams, board.timeline):
            focus_first.focus()
            await pilot.pause()
            drawn.clear()
            await pilot.press("tab" if focus_first is board.timeline else "shift+tab")
            await pilot.pause()
            frames, panes = [], set()
            for what in drawn:
                if what == "frame":
                    frames.append(panes)
                    panes = set()
                else:
                    panes.add(what)
            assert [frame for frame in frames if frame] == [{"workstreams-pane", "timeline-pane"}], drawn  # (a frame of neither: the clock)
        assert app.focused is board.workstreams
        assert board.query_one("#workstreams-pane").has_pseudo_class("focus-within")
        assert not board.query_one("#timeline-pane").has_pseudo_class("focus-within")


def record_restyles(app: WarroomApp) -> list[object]:
    """The nodes ``app`` restyles from now on (Textual's ``App.update_styles``), in order."""
    restyled: list[object] = []
    update_styles = app.update_styles

    def recording(node, animate: bool = True) -> None:
        restyled.append(node)
        update_styles(node, animate=animate)

    vars(app)["update_styles"] = recording
    return restyled


async def test_the_frame_is_not_styled_again_when_first_shown(tmp_path: Path) -> None:
    """As the board below: the frame a join paints first (styling it again: ~3 ms of CPU before the first frame)."""

    async def nothing_yet(app: WarroomApp) -> None:
        pass

    app = WarroomApp(lambda: BoardFrame(INCIDENT, "alice"), ui=(DEFAULT_THEME, {}), then=nothing_yet, themes_dir=tmp_path / "themes")
    restyled = record_restyles(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardFrame)
        assert app.screen.query_one("#workstreams-pane").has_pseudo_class("focus-within")
        assert app.screen not in restyled


async def test_a_board_is_not_styled_again_when_first_shown(incident, make_board) -> None:
    """Textual restyles every widget of a screen when it is shown; the board's were all styled
    as they were mounted, a moment before (styling them again: ~5 ms of a join's CPU)."""
    app = make_board("alice")
    restyled = record_restyles(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause()
        assert app.board.query_one("#workstreams-pane").has_pseudo_class("focus-within")  # styled as mounted, focus included
        assert app.board not in restyled

