"""Every board computes from the incident's policy, never from its own config (issue 10, item 6)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.config import Config
from warroom.incident import Policy
from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp, board_app
from warroom.tui.widgets.commander import CommandSummary

from .conftest import SIZE, ready, until


def board(store_dir: Path, tmp_path: Path, handle: str, local: Policy, offset: timedelta) -> WarroomApp:
    """A board whose own config says ``local`` (what `warroom join` passes as the room's defaults)."""
    return board_app(
        room=Room(FileStore(store_dir), "INC-1", handle, local),
        config=Config(policy=local),
        clock=lambda: datetime.now(timezone.utc) + offset,
        themes_dir=tmp_path / "themes",
        export_folder=tmp_path / "exports",
    )


async def test_two_boards_with_different_configs_show_the_same_update_due(incident, store_dir, tmp_path) -> None:
    impatient = Policy(update_minutes_sev1=1, fatigue_warn_hours=0.01)
    for handle, local in (("alice", impatient), ("bob", Policy())):
        app = board(store_dir, tmp_path, handle, local, timedelta(minutes=5))
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            summary = str(app.board.query_one(CommandSummary).render())
            # SEV1: the incident's 20 minutes, 5 in: due in 14-15m whatever this board's config says
            assert re.search(r"next update due in 1[45]m", summary), (handle, summary)
            assert "tired" not in app.board.responders.spec("alice")[3][0]


async def test_a_policy_change_by_the_commander_reaches_every_board(incident, store_dir, tmp_path) -> None:
    app = board(store_dir, tmp_path, "bob", Policy(), timedelta(minutes=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        incident.act("alice", ev.PolicyChanged(policy=Policy(update_minutes_sev1=3)))
        await until(pilot, lambda: "update OVERDUE" in str(app.board.query_one(CommandSummary).render()))


async def test_declaring_from_the_board_records_the_local_defaults(store_dir, tmp_path) -> None:
    from .conftest import Incident, type_text

    app = board(store_dir, tmp_path, "alice", Policy(update_minutes_sev2=7), timedelta(0))
    async with app.run_test(size=SIZE) as pilot:
        from textual.widgets import Input

        await until(pilot, lambda: isinstance(app.focused, Input))  # the declare form is up
        await type_text(pilot, "Checkout down")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.declared)
        assert Incident(store_dir).state().policy.update_minutes_sev2 == 7
