"""Taking command while owning work or holding another role (issue 22 part 2 item 9): omar became
"commander, deputy" and kept two workstreams. Now the board asks, starting on keep, whether to
release the workstreams and drop the other role."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.screens import ConfirmScreen

from .conftest import SIZE, ready, screen_shown, until


def _omar_holds_work(incident) -> None:
    incident.act("omar", ev.ResponderJoined())
    incident.act("alice", ev.RoleAssigned(role="deputy", handle="omar"))
    for title in ("Fail over the primary", "Drain the queue"):
        incident.act("alice", ev.WorkstreamOpened(title=title))
    incident.act("omar", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("omar", ev.WorkstreamClaimed(workstream="WS-2"))
    incident.act("alice", ev.ShiftChanged(shift="break", minutes=30))  # anyone on shift may take command


async def _take_command(pilot) -> ConfirmScreen:
    app = pilot.app
    await pilot.press("i")
    await screen_shown(pilot, ConfirmScreen, "#confirm-message")  # alice holds command, off shift: take it?
    await pilot.press("tab", "enter") if app.screen.focused.id == "no" else await pilot.press("enter")
    await until(pilot, lambda: app.board.state.commander == "omar")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.box_title == "You are in command")
    return app.screen


async def test_taking_command_asks_to_let_go_and_enter_keeps(incident, make_board) -> None:
    _omar_holds_work(incident)
    app = make_board("omar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        question = await _take_command(pilot)
        assert "You still own WS-1, WS-2 and are deputy" in question.message
        assert question.focused.id == "no" and question.no == "Keep them"
        await pilot.press("enter")  # in a hurry: nothing is let go
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
    state = incident.state()
    assert state.roles_of("omar") == ["commander", "deputy"]
    assert [ws.owner for ws in state.workstreams.values()] == ["omar", "omar"]


async def test_taking_command_and_letting_go_releases_the_work_and_drops_the_role(incident, make_board) -> None:
    _omar_holds_work(incident)
    app = make_board("omar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _take_command(pilot)
        await pilot.press("shift+tab", "enter")  # "Let them go"
        await until(pilot, lambda: app.board.state.roles_of("omar") == ["commander"])
        await until(pilot, lambda: all(ws.owner is None for ws in app.board.state.workstreams.values()))


async def test_accepting_command_asks_too(incident, make_board) -> None:
    incident.act("omar", ev.ResponderJoined())
    incident.act("alice", ev.RoleAssigned(role="scribe", handle="omar"))
    incident.act("alice", ev.CommandHandoverOffered(to="omar", note="yours"))
    app = make_board("omar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("y")
        await until(pilot, lambda: app.board.state.commander == "omar")
        await screen_shown(pilot, ConfirmScreen, "#confirm-message")
        assert "You are still scribe" in app.screen.message


async def test_nothing_to_let_go_asks_nothing(incident, make_board) -> None:
    incident.act("omar", ev.ResponderJoined())
    incident.act("alice", ev.CommandHandoverOffered(to="omar", note="yours"))
    app = make_board("omar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("y")
        await until(pilot, lambda: app.board.state.commander == "omar")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
