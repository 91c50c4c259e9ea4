"""An overdue stakeholder update is loud once per lapse, on the boards that can send it (issue 10, item 12)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.config import Config, UiConfig
from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp, board_app

from .conftest import SIZE, ready, until


class Clock:
    """A clock the test moves by hand (the incident was declared a moment ago, in real time)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


def board(store_dir: Path, tmp_path: Path, handle: str, clock: Clock, *, bell: bool = True) -> WarroomApp:
    app = board_app(
        room=Room(FileStore(store_dir), "INC-1", handle),
        config=Config(ui=UiConfig(bell=bell)),
        clock=clock,
        themes_dir=tmp_path / "themes",
        export_folder=tmp_path / "exports",
    )
    app.bells = 0  # type: ignore[attr-defined]

    def bell() -> None:
        app.bells += 1  # type: ignore[attr-defined]

    app.bell = bell  # type: ignore[method-assign]
    return app


def header(app: WarroomApp) -> str:
    return app.board.header.render().plain


def reminders(app: WarroomApp) -> list[str]:
    return [message for _, message in app.notices if "stakeholder update OVERDUE" in message]


async def test_commander_gets_one_toast_and_one_bell_per_overdue_episode(incident, store_dir, tmp_path) -> None:
    clock = Clock()
    app = board(store_dir, tmp_path, "alice", clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "OVERDUE" not in header(app)
        clock.offset = timedelta(minutes=25)  # SEV1: an update every 20 minutes
        await until(pilot, lambda: "OVERDUE" in header(app))
        for _ in range(3):
            app.board.refresh_clocks()
            await pilot.pause()
        assert len(reminders(app)) == 1 and app.bells == 1, app.notices
        assert "B to broadcast" in reminders(app)[0]

        clock.offset = timedelta(0)  # the update is sent now (the store stamps real time) ...
        incident.act("alice", ev.BroadcastSent(text="we are on it", audience="stakeholders"))
        await until(pilot, lambda: "OVERDUE" not in header(app))
        clock.offset = timedelta(minutes=25)  # ... and the next one, due 20 minutes later, lapses too
        await until(pilot, lambda: len(reminders(app)) == 2)
        assert app.bells == 2


async def test_comms_is_reminded_and_everyone_else_sees_the_header(incident, store_dir, tmp_path) -> None:
    for handle in ("bob", "carol"):
        incident.act(handle, ev.ResponderJoined())
    incident.act("alice", ev.RoleAssigned(role="comms", handle="bob"))
    clock = Clock()
    clock.offset = timedelta(minutes=25)
    for handle, toasts, bell in (("bob", 1, False), ("carol", 0, True)):
        app = board(store_dir, tmp_path, handle, clock, bell=bell)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await until(pilot, lambda: "OVERDUE" in header(app))
            app.board.refresh_clocks()
            await pilot.pause()
            assert len(reminders(app)) == toasts, (handle, app.notices)
            assert app.bells == 0, handle  # bob turned the bell off; carol cannot send the update


async def test_the_header_keeps_incident_sev_status_overdue_and_you_when_narrow(incident, store_dir, tmp_path) -> None:
    incident.act("alice", ev.StatusChanged(status="identified"))
    clock = Clock()
    clock.offset = timedelta(minutes=25)
    app = board(store_dir, tmp_path, "alice", clock)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: "OVERDUE" in header(app))
        line = header(app)
        for part in ("INC-1", "SEV1", "identified", "OVERDUE", "alice"):
            assert part in line, (part, line)
        assert len(line) <= 60
