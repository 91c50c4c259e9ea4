"""How every screen over the board looks, pinned (issue 22 part 1 item 7), Posting-style: each
snapshot's ``run_before`` drives the App to the screen with keys, as a responder would.

The lobby, each form, help, a workstream's story, replay, the close confirmation, a pile of
toasts and the catch-up screen, at 80×24 and 120×36. The incident is ``test_snapshots``'s with a
fixed clock (``tests.builder``), seen by alice, its commander, so every form a commander can
open opens; a stakeholder update sent a little before ``NOW`` keeps the OVERDUE reminder toast
out of the pictures. After an intended change to a screen, look at the failing report, then
``pytest tests/tui/test_snapshots_screens.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.builder import LogBuilder
from warroom.config import Config, UiConfig
from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp, board_app
from warroom.tui.launch import lobby_app
from warroom.tui.screens.actionitems import ActionItemsScreen
from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.screens.info import CatchUpScreen, ConfirmScreen, HelpScreen
from warroom.tui.lobby import LobbyScreen
from warroom.tui.screens.replay import ReplayScreen
from warroom.tui.screens.story import StoryScreen

from .conftest import ready, until
from .test_snapshots import NOW, incident_log

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}
Steps = Callable[..., Awaitable[None]]


class _Store(FileStore):
    """The folder as every run names it (the lobby's header says where the store is)."""

    @property
    def location(self) -> str:
        return "~/incidents"


def _store(tmp_path: Path, *, erin_on_a_break: bool = False) -> FileStore:
    """``erin_on_a_break``: erin joined at the start and went on a long break (her catch-up,
    with no event of her own written when her board opens)."""
    log = incident_log()
    if erin_on_a_break:
        base, log = log, LogBuilder("INC-7")
        log.add(base.events[0].actor, base.events[0].body, minutes=0)
        log.add("erin", ev.ResponderJoined())
        log.add("erin", ev.ShiftChanged(shift="break", minutes=240))
        for event in base.events[1:]:
            log.add(event.actor, event.body)
    log.add("alice", ev.WorkstreamClaimed(workstream="WS-3"))
    log.add("alice", ev.ActionItemAdded(text="Alert on tokeniser p99 above 2s", owner="dev", kind="detective"))
    log.add("alice", ev.BroadcastSent(text="Card payments failing in eu-west-1; rollback under way", audience="stakeholders"), minutes=20)
    store = _Store(tmp_path / "store")
    store.import_events("INC-7", log.events)
    return store


def _board(tmp_path: Path, me: str = "alice") -> WarroomApp:
    return board_app(
        room=Room(_store(tmp_path, erin_on_a_break=me == "erin"), "INC-7", me),
        config=Config(ui=UiConfig(bell=False)),
        clock=lambda: NOW,
        themes_dir=tmp_path / "no-user-themes",
        export_folder=tmp_path / "exports",
    )


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def _form(*keys: str, field: str = "") -> Steps:
    """Press ``keys`` on the ready board, then wait for a form (with ``field``, if named)."""

    async def steps(pilot) -> None:
        app = pilot.app
        await ready(pilot)
        await pilot.press(*keys)
        selector = f"#field-{field}" if field else ".form-title"
        await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query(selector)))
        await _settle(pilot)

    return steps


def _screen(kind: type, *keys: str) -> Steps:
    async def steps(pilot) -> None:
        app = pilot.app
        await ready(pilot)
        await pilot.press(*keys)
        await until(pilot, lambda: isinstance(app.screen, kind))
        await _settle(pilot)

    return steps


async def _toasts(pilot) -> None:
    app = pilot.app
    await ready(pilot)
    for n, (title, words) in enumerate(
        [
            ("broadcast from carol", "Status page updated: card payments degraded in eu-west-1"),
            ("your workstream", "bob took your WS-3 “Talk to the acquirer”"),
            ("hand-off for you", "dev offers you WS-2 “Find why the card tokeniser times out”\n“vendor logs due 11:05”"),
            ("INC-7", "carol set severity SEV1"),
            ("broadcast from bob", "Rollback done in eu-west-1; watching the error budget"),
        ]
    ):
        app.notify(words, title=title, timeout=600)
    await until(pilot, lambda: any(w.display for w in app.screen.query("#toast-more")))
    await _settle(pilot)
    await _settle(pilot)


async def _edit_action_item(pilot) -> None:
    app = pilot.app
    await ready(pilot)
    await pilot.press("A")
    await until(pilot, lambda: isinstance(app.screen, ActionItemsScreen))
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, FormScreen) and bool(app.screen.query("#field-due")))
    await _settle(pilot)


async def _catch_up(pilot) -> None:
    app = pilot.app
    await ready(pilot, dismiss_catch_up=False)
    await until(pilot, lambda: isinstance(app.screen, CatchUpScreen))
    await _settle(pilot)


BOARD_SCREENS: dict[str, Steps] = {
    "open-workstream": _form("n"),
    "hand-off": _form("down", "down", "h", field="note"),
    "workstream-status": _form("u"),
    "note": _form("t"),
    "decision": _form("d"),
    "break": _form("b", "enter", field="minutes"),  # past "You are in command: break anyway?"
    "broadcast": _form("B"),
    "severity": _form("s"),
    "rename": _form("E"),
    "roles": _form("R"),
    "snooze": _form("z"),
    "hand-over-command": _form("i"),
    "action-item": _form("a", field="due"),
    "action-item-edit": _edit_action_item,
    "secondary": _form("D"),
    "close-confirmation": _screen(ConfirmScreen, "x"),
    "close": _form("x", "tab", "enter", field="summary"),
    "help": _screen(HelpScreen, "question_mark"),
    "story": _screen(StoryScreen, "w"),
    "replay": _screen(ReplayScreen, "ctrl+r"),
    "action-items": _screen(ActionItemsScreen, "A"),
    "toasts": _toasts,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", BOARD_SCREENS)
def test_board_screen(snap_compare, tmp_path: Path, name: str, size: str) -> None:
    assert snap_compare(_board(tmp_path), terminal_size=SIZES[size], run_before=BOARD_SCREENS[name])


@pytest.mark.parametrize("size", SIZES)
def test_catch_up(snap_compare, tmp_path: Path, size: str) -> None:
    """erin is back from a break: the board opens on the catch-up (state now, then what happened)."""
    assert snap_compare(_board(tmp_path, "erin"), terminal_size=SIZES[size], run_before=_catch_up)


def _lobby(tmp_path: Path) -> WarroomApp:
    return lobby_app(_store(tmp_path), "bob", Config(ui=UiConfig(bell=False)), themes_dir=tmp_path / "no-user-themes", clock=lambda: NOW)


async def _lobby_loaded(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, LobbyScreen) and app.screen.loaded)
    await _settle(pilot)


async def _lobby_declare(pilot) -> None:
    await _lobby_loaded(pilot)
    await pilot.press("n")
    await until(pilot, lambda: isinstance(pilot.app.screen, FormScreen))
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["lobby", "declare"])
def test_lobby_screen(snap_compare, tmp_path: Path, name: str, size: str) -> None:
    steps = _lobby_loaded if name == "lobby" else _lobby_declare
    assert snap_compare(_lobby(tmp_path), terminal_size=SIZES[size], run_before=steps)
