"""Hand-offs offered twice and going off shift with several workstreams (issue 10, item 2)."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.screens import ConfirmScreen, FormScreen

from .conftest import SIZE, notices, ready, screen_shown, type_text, until


def carol_owns_two(incident) -> None:
    for title in ("Fail over the primary", "Drain the queue"):
        incident.act("alice", ev.WorkstreamOpened(title=title))
    for handle in ("bob", "carol"):
        incident.act(handle, ev.ResponderJoined())
    incident.act("carol", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("carol", ev.WorkstreamClaimed(workstream="WS-2"))


async def hand_off_from_the_prompt(pilot, app, note: str) -> None:
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("enter")
    await screen_shown(pilot, FormScreen, "#field-note")
    await pilot.press("tab")
    await type_text(pilot, note)
    await pilot.press("enter")


async def test_going_off_shift_offers_the_next_workstream_not_already_offered(incident, make_board) -> None:
    carol_owns_two(incident)
    app = make_board("carol")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o")
        await hand_off_from_the_prompt(pilot, app, "primary is fenced")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].pending is not None)
        await pilot.press("o")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.yes == "Hand off WS-2"
        await hand_off_from_the_prompt(pilot, app, "queue at 40k")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].pending is not None)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "every workstream you own is offered" in notices(app)
    state = incident.state()
    assert [state.workstreams[w].pending.note for w in ("WS-1", "WS-2")] == ["primary is fenced", "queue at 40k"]
    assert sum(entry.text.startswith("offered WS-1") for entry in state.timeline) == 1


async def test_offering_a_workstream_already_offered_asks_to_replace_the_offer(incident, make_board) -> None:
    carol_owns_two(incident)
    incident.act("carol", ev.HandoffOffered(workstream="WS-1", to="alice", note="first"))
    app = make_board("carol")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        app.board.workstreams.move_cursor(row=0)
        await pilot.press("h")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.box_title == "WS-1 is already offered to alice" and app.screen.yes == "Replace the offer"
        await hand_off_from_the_prompt(pilot, app, "second thoughts")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].pending.note == "second thoughts")
    entry = incident.state().timeline[-1]
    assert entry.text == 'offered WS-1 "Fail over the primary" to alice (replacing the offer to alice): second thoughts'


def test_the_rules_refuse_a_second_pending_offer_unless_it_replaces_the_first(incident) -> None:
    from warroom.incident import check

    carol_owns_two(incident)
    incident.act("carol", ev.HandoffOffered(workstream="WS-1", to="bob", note="n"))
    state = incident.state()
    again = check(state, "carol", ev.HandoffOffered(workstream="WS-1", to="alice"))
    assert again == "WS-1 is already offered to bob: wait for an answer, or re-offer it to replace that offer"
    assert check(state, "carol", ev.HandoffOffered(workstream="WS-1", to="alice", replace=True)) is None
    assert "replace" not in ev.HandoffOffered(workstream="WS-1", to="bob").model_dump(mode="json")
