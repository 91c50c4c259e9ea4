"""How the board looks, pinned: every built-in theme at 80×24, 120×36 and 160×48 (issue 10, item 14).

The incident is built with a fixed clock (``tests.builder``) and the board's clock is
fixed too, so every duration, "due in" and time on shift is the same on every run.
bob is a responder but neither commander nor comms: his header says the stakeholder
update is OVERDUE without a reminder toast popping up over the board. Snapshots live in
``__snapshots__/test_snapshots/``; after an intended change to the layout, look at the
failing report and then run ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.builder import T0, LogBuilder
from warroom.config import Config, UiConfig
from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp, board_app
from warroom.tui.themes import BUILTIN_THEMES

from .conftest import ready

SIZES = {"80x24": (80, 24), "120x36": (120, 36), "160x48": (160, 48)}
NOW = T0 + timedelta(minutes=47)


def incident_log() -> LogBuilder:
    log = LogBuilder("INC-7")
    log.declare("alice", title="Checkout API returns 502 for card payments in eu-west-1", severity=1)
    for who in ("bob", "carol", "dev"):
        log.add(who, ev.ResponderJoined())
    log.add("alice", ev.RoleAssigned(role="comms", handle="carol"))
    log.add("alice", ev.RoleAssigned(role="scribe", handle="alice"))
    titles = (
        "Roll back payments-gateway 4.12 to 4.11 in every region and watch the error budget recover",
        "Find why the card tokeniser times out",
        "Talk to the acquirer",
        "Customer comms and status page",
    )
    for title in titles:
        log.add("alice", ev.WorkstreamOpened(title=title))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("dev", ev.WorkstreamClaimed(workstream="WS-2"))
    log.add("bob", ev.WorkstreamStatusSet(workstream="WS-1", status="active", note="rollback started in eu-west-1"))
    log.add("dev", ev.NoteAdded(text="Tokeniser p99 at 9s since 10:02; connection pool exhausted"))
    log.add("dev", ev.WorkstreamStatusSet(workstream="WS-2", status="blocked", note="waiting for the vendor's logs"))
    log.add("alice", ev.BroadcastSent(text="Rolling back payments-gateway; card payments failing in eu-west-1"))
    return log


def board(tmp_path: Path, theme: str) -> WarroomApp:
    store = FileStore(tmp_path / "store")
    store.import_events("INC-7", incident_log().events)
    return board_app(
        room=Room(store, "INC-7", "bob"),
        config=Config(ui=UiConfig(theme=theme, bell=False)),
        clock=lambda: NOW,
        themes_dir=tmp_path / "no-user-themes",
        export_folder=tmp_path / "exports",
    )


async def settled(pilot) -> None:
    await ready(pilot)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_board(snap_compare, tmp_path: Path, theme: str, size: str) -> None:
    assert snap_compare(board(tmp_path, theme), terminal_size=SIZES[size], run_before=settled)


def checklist_board(tmp_path: Path) -> WarroomApp:
    """bob (comms) on an incident declared with the data-loss playbook: some items ticked, a field set."""
    from warroom.playbooks import load_playbooks

    log = LogBuilder("INC-7")
    playbook = load_playbooks(tmp_path / "no-user-playbooks").get("data-loss")
    log.add("alice", ev.IncidentDeclared(incident_id="INC-7", title="Customer objects expiring in eu-west-1", severity=1, playbook=playbook), minutes=0)
    log.add("bob", ev.ResponderJoined())
    log.add("alice", ev.RoleAssigned(role="comms", handle="bob"))
    log.add("alice", ev.ChecklistTicked(item="C-1"))
    log.add("bob", ev.ChecklistTicked(item="C-5"))
    log.add("alice", ev.ChecklistItemAdded(text="Brief the DPO on what was lost", role="commander", stage="resolve", required=True))
    log.add("bob", ev.FieldSet(name="customers_affected", value=1200))
    log.add("alice", ev.FieldSet(name="automation_stopped", value="stopped"))
    log.add("bob", ev.BroadcastSent(text="Deletions stopped; restoring", audience="stakeholders"), minutes=30)  # no reminder toast
    store = FileStore(tmp_path / "store")
    store.import_events("INC-7", log.events)
    return board_app(
        room=Room(store, "INC-7", "bob"),
        config=Config(ui=UiConfig(theme="warroom-dark", bell=False)),
        clock=lambda: NOW,
        themes_dir=tmp_path / "no-user-themes",
        export_folder=tmp_path / "exports",
    )


@pytest.mark.parametrize("size", ["80x24", "120x36"])
def test_checklist(snap_compare, tmp_path: Path, size: str) -> None:
    from warroom.tui.screens.checklist import ChecklistScreen

    from .conftest import until

    async def opened(pilot) -> None:
        await settled(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChecklistScreen) and pilot.app.screen.table.row_count == 11)
        await pilot.pause()

    assert snap_compare(checklist_board(tmp_path), terminal_size=SIZES[size], run_before=opened)
