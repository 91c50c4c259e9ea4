"""Closing over HTTP: only the board that closed exports by itself (issue 21 item 10).

Every other board open on the incident is told, in a toast, who closed it and that ``e``
exports it there; it writes nothing until asked. Boards under Pilot, on a real server.
"""

from __future__ import annotations

from pathlib import Path

from tests.server.harness import ServerProcess, warroom
from tests.tui.conftest import SIZE, notices, ready, screen_shown, until
from warroom.config import Config
from warroom.room import Room
from warroom.store.http import HttpStore
from warroom.tui.app import WarroomApp
from warroom.tui.board.screen import BoardScreen
from warroom.tui.screens.form_screen import FormScreen


def board(server: ServerProcess, token: str, handle: str, exports: Path) -> WarroomApp:
    room = Room(HttpStore(server.url, token=token), "INC-8", handle)
    config = Config()
    return WarroomApp(lambda: BoardScreen(room, config, export_folder=exports), config, themes_dir=exports.parent / "themes")


async def test_the_closing_board_exports_and_the_others_are_told_e_exports(server, tokens, tmp_path: Path) -> None:
    warroom("declare", "INC-8", "--title", "Checkout 500s", "--server", server.url, "--token", tokens["alice"], env=server.env)
    warroom("status", "INC-8", "resolved", "--server", server.url, "--token", tokens["alice"], env=server.env)
    closer = board(server, tokens["alice"], "alice", tmp_path / "alice-exports")
    watcher = board(server, tokens["bob"], "bob", tmp_path / "bob-exports")
    async with watcher.run_test(size=SIZE) as watching:
        await ready(watching)
        async with closer.run_test(size=SIZE) as closing:
            await ready(closing)
            await closing.press("x")
            await screen_shown(closing, FormScreen, "#field-summary")
            await closing.press("enter")
            await until(closing, lambda: closer.board.state.closed and bool(closer.board.exported))
        await until(watching, lambda: watcher.board.state.closed and "alice closed INC-8" in notices(watcher))
        assert "alice closed INC-8: e exports the post-mortem draft, JSON and CSV here" in notices(watcher)
        await watching.pause(0.2)
        assert not watcher.board.exported and not (tmp_path / "bob-exports").exists()  # nothing written until asked
        await watching.press("e")
        await until(watching, lambda: bool(watcher.board.exported))
    assert sorted(p.name for p in (tmp_path / "alice-exports").iterdir()) == sorted(p.name for p in (tmp_path / "bob-exports").iterdir())
