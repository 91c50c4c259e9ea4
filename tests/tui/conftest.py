"""Boards under Pilot: each test gets its own store folder and builds apps directly on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from warroom.config import Config
from warroom.incident import IncidentState, fold
from warroom.incident import events as ev
from warroom.incident.events import parse_stored
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp
from warroom.tui.board.screen import BoardScreen

SIZE = (140, 45)
REPO_ROOT_FOR_TESTS = Path(__file__).resolve().parents[2]
INCIDENT = "INC-1"


class Incident:
    """Acts on the shared store directly, as another responder's CLI would."""

    def __init__(self, folder: Path, incident_id: str = INCIDENT):
        self.folder = folder
        self.id = incident_id
        self.store = FileStore(folder)

    def act(self, actor: str, body: ev.Body) -> ev.StoredEvent:
        return self.store.append_sync(self.id, ev.EventDraft(actor=actor, body=body))

    def declare(self, actor: str = "alice", title: str = "Customer objects expiring", severity: int = 1) -> None:
        self.act(actor, ev.IncidentDeclared(incident_id=self.id, title=title, severity=severity))

    def state(self) -> IncidentState:
        """The incident as the log on disk says, folded afresh."""
        lines = self.store.path_for(self.id).read_text().splitlines()
        return fold(parse_stored(line) for line in lines if line.strip())


@pytest.fixture
def incident(store_dir: Path) -> Incident:
    found = Incident(store_dir)
    found.declare()
    return found


@pytest.fixture
def make_board(store_dir: Path, tmp_path: Path) -> Callable[..., WarroomApp]:
    def make(
        handle: str = "alice",
        *,
        config: Config | None = None,
        clock_offset: timedelta = timedelta(0),
        incident_id: str = INCIDENT,
        **kwargs,
    ) -> WarroomApp:
        room = Room(FileStore(store_dir), incident_id, handle)
        config = config or Config()
        themes_dir = kwargs.pop("themes_dir", tmp_path / "user-themes")
        kwargs.setdefault("export_folder", tmp_path / "exports")

        def board() -> BoardScreen:
            return BoardScreen(room, config, clock=lambda: datetime.now(timezone.utc) + clock_offset, **kwargs)

        return WarroomApp(board, config, themes_dir=themes_dir)

    return make


async def until(pilot, condition: Callable[[], object], *, tries: int = 400) -> None:
    """Let the app run until ``condition()`` holds (bounded: fails rather than hangs)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    assert condition(), "condition never held"


async def ready(pilot, *, dismiss_catch_up: bool = True) -> None:
    app = pilot.app
    await until(pilot, lambda: app.board is not None and app.board.ready)
    await pilot.pause()
    if dismiss_catch_up:
        from warroom.tui.screens.info import CatchUpScreen

        if isinstance(app.screen, CatchUpScreen):
            await pilot.press("escape")
            await pilot.pause()


def notices(app: WarroomApp) -> str:
    return "\n".join(message for _, message in app.notices)


async def type_text(pilot, text: str) -> None:
    """Put ``text`` into the focused input, as typing would (without a key round-trip per letter)."""
    from textual.widgets import Input

    focused = pilot.app.focused
    assert isinstance(focused, Input), f"expected an input to have focus, not {focused!r}"
    focused.insert_text_at_cursor(text)
    await pilot.pause()


async def screen_shown(pilot, kind: type, part: str) -> None:
    """Wait until a screen of ``kind`` is on top and has composed ``part``."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, kind) and bool(app.screen.query(part)))
