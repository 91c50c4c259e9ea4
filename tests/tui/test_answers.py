"""y / Y answer exactly one offer: the highlighted row's, else the only one, else the one picked (issue 10, item 1)."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.screens import FormScreen

from .conftest import SIZE, notices, ready, screen_shown, until


def bob_has_two_offers(incident) -> None:
    for title in ("Fail over", "Drain the queue", "Status page", "Rollback"):
        incident.act("alice", ev.WorkstreamOpened(title=title))
    for handle in ("bob", "carol"):
        incident.act(handle, ev.ResponderJoined())
    incident.act("alice", ev.CommandHandoverOffered(to="bob", note="I need sleep"))
    incident.act("carol", ev.WorkstreamClaimed(workstream="WS-2"))
    incident.act("carol", ev.HandoffOffered(workstream="WS-2", to="bob", note="queue at 40k"))


async def test_y_on_a_row_with_no_offer_asks_which_offer_instead_of_taking_command(incident, make_board) -> None:
    bob_has_two_offers(incident)
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        app.board.workstreams.move_cursor(row=3)  # WS-4: nothing offered there
        await pilot.press("y")
        await screen_shown(pilot, FormScreen, "#field-offer")
        assert app.screen.form_title == "Accept which offer?"
        await pilot.press("down")  # command is listed first, then WS-2
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].owner == "bob")
    state = incident.state()
    assert state.commander == "alice" and state.command_offer is not None and state.command_offer.to == "bob"


async def test_y_on_the_offered_row_answers_that_offer(incident, make_board) -> None:
    bob_has_two_offers(incident)
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        app.board.workstreams.move_cursor(row=1)  # WS-2, offered to bob
        await pilot.press("Y")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].pending is None)
    state = incident.state()
    assert state.workstreams["WS-2"].owner == "carol" and state.command_offer is not None


async def test_the_toast_says_what_y_will_do_when_several_offers_wait(incident, make_board) -> None:
    for title in ("Fail over", "Drain the queue"):
        incident.act("alice", ev.WorkstreamOpened(title=title))
    for handle in ("bob", "carol"):
        incident.act(handle, ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        incident.act("alice", ev.CommandHandoverOffered(to="bob", note="handing over"))
        await until(pilot, lambda: "y accept · Y decline" in notices(app))
        incident.act("carol", ev.WorkstreamClaimed(workstream="WS-2"))
        incident.act("carol", ev.HandoffOffered(workstream="WS-2", to="bob", note="yours"))
        await until(pilot, lambda: "2 offers wait: y / Y ask which" in notices(app))
