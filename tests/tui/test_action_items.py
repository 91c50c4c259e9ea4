"""Action items on the board (issue 10 item 8): an owner who is not a responder is confirmed, never
silently accepted; ``A`` lists every item with owner and kind and moves them on as the CLI can."""

from __future__ import annotations

import json

from textual.widgets import Input

from warroom.incident import events as ev
from warroom.tui.screens import ConfirmScreen, FormScreen
from warroom.tui.screens.actionitems import ActionItemsScreen

from .conftest import SIZE, ready, screen_shown, type_text, until


async def add_item(pilot, text: str, owner: str) -> None:
    await pilot.press("a")
    await screen_shown(pilot, FormScreen, "#field-owner")
    await type_text(pilot, text)
    await pilot.press("tab")
    await type_text(pilot, owner)
    await pilot.press("enter")


async def test_an_owner_outside_the_room_is_confirmed_and_no_keeps_the_answers(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await add_item(pilot, "Lock timeout on migrations", "alcie")
        await screen_shown(pilot, ConfirmScreen, "#confirm-message")
        assert app.screen.box_title == "alcie is not in the room"
        assert "alcie is not a responder of INC-1 (did you mean alice?)" in app.screen.message
        assert not app.board.state.action_items
        await pilot.press("tab", "enter")  # "Change the owner": the form again, filled in
        await screen_shown(pilot, FormScreen, "#field-owner")
        assert app.screen.query_one("#field-text", Input).value == "Lock timeout on migrations"
        owner = app.screen.query_one("#field-owner", Input)
        assert owner.value == "alcie"
        owner.value = "alice"
        await pilot.press("enter")  # a responder: no question
        await until(pilot, lambda: len(app.board.state.action_items) == 1)
        assert not isinstance(app.screen, ConfirmScreen)

        await add_item(pilot, "Alert on replica lag", "erin")
        await screen_shown(pilot, ConfirmScreen, "#confirm-message")
        assert app.screen.yes == "Add it for erin"
        await pilot.press("enter")  # owners can be outside the room
        await until(pilot, lambda: len(app.board.state.action_items) == 2)
    assert [(a.text, a.owner) for a in incident.state().action_items] == [
        ("Lock timeout on migrations", "alice"),
        ("Alert on replica lag", "erin"),
    ]


async def test_A_lists_the_action_items_and_moves_them_on(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    incident.act("bob", ev.ActionItemAdded(text="Lock timeout on migrations", owner="alice", kind="preventative"))
    incident.act("bob", ev.ActionItemAdded(text="Page the DBA rota", owner="alcie"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("A")
        await screen_shown(pilot, ActionItemsScreen, "#action-items")
        table = app.screen.table
        assert table.spec("A-1")[1:] == ("open", "-", "alice", "preventative", "Lock timeout on migrations")
        assert table.spec("A-2")[3:5] == (("alcie (not a responder)", "$pending"), "corrective")
        detail = app.screen.query_one("#action-item-detail")
        await until(pilot, lambda: str(detail.render()) == "A-1, added by bob: Lock timeout on migrations")

        await pilot.press("s")
        await until(pilot, lambda: app.board.state.action_items[0].status == "in_progress")
        await until(pilot, lambda: table.spec("A-1")[1] == "in progress")
        await pilot.press("d")
        await until(pilot, lambda: app.board.state.action_items[0].status == "done")
        await pilot.press("d")  # the rules refuse what changes nothing
        await until(pilot, lambda: "A-1 is already done" in "\n".join(m for _, m in app.notices))

        await pilot.press("down", "w")
        await screen_shown(pilot, FormScreen, "#field-reason")
        await type_text(pilot, "the rota pages already")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.action_items[1].status == "wont_do")
        await screen_shown(pilot, ActionItemsScreen, "#action-items")
        await until(pilot, lambda: table.spec("A-2")[1] == "won't do: the rota pages already")
        await pilot.press("o")
        await until(pilot, lambda: app.board.state.action_items[1].status == "open")

        await add_item(pilot, "Dry-run lifecycle rules", "bob")  # a from the list adds one
        await until(pilot, lambda: table.has_row("A-3"))
        await pilot.press("escape")
        assert not isinstance(app.screen, ActionItemsScreen)
    assert [a.status for a in incident.state().action_items] == ["done", "open", "open"]


def test_cli_warns_about_an_owner_outside_the_room_and_still_records_it(cli) -> None:
    cli("declare", "--title", "Checkout down")
    cli("note", "INC-1", "here", actor="bob")
    outside = cli("action", "INC-1", "Lock timeout on migrations", "--owner", "bbo")
    assert outside.stderr.strip() == "warroom: warning: bbo is not a responder of INC-1 (did you mean bob?)"
    assert "added action item A-1" in outside.stdout
    inside = cli("action", "INC-1", "Alert on replica lag", "--owner", "bob")
    assert inside.stderr == "" and "added action item A-2" in inside.stdout
    assert cli("action", "INC-1", "No owner at all").stderr == ""
    items = json.loads(cli("show", "INC-1", "--json").stdout)["action_items"]
    assert [(i["id"], i["owner"]) for i in items] == [("A-1", "bbo"), ("A-2", "bob"), ("A-3", None)]
