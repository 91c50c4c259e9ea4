"""Action items on the board, finished (issue 22 part 2 item 6): a due date in the form; an edit of
text, owner and due date (``action_item_edited``: through the rules, on the timeline, in the export,
and ``warroom action edit`` on the CLI); one default kind; focus on the field to change; and no
key lost when a Tab comes in the same burst as the words around it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from textual import events
from textual.widgets import Input

from warroom.incident import events as ev
from warroom.tui.screens import ConfirmScreen, FormScreen
from warroom.tui.screens.actionitems import ActionItemsScreen
from warroom.tui.screens.board_forms import action_item_form

from .conftest import SIZE, notices, ready, screen_shown, type_text, until


def _burst(app, text: str) -> None:
    """Post every key of ``text`` (``\\t`` a Tab, ``\\n`` Enter) before any is handled: one read from the terminal."""
    for character in text:
        if character == "\t":
            app.post_message(events.Key("tab", None))
        elif character == "\n":
            app.post_message(events.Key("enter", None))
        else:
            app.post_message(events.Key(character, character))


async def test_a_tab_in_a_burst_moves_on_before_the_words_after_it(incident, make_board) -> None:
    incident.act("raaj", ev.ResponderJoined())
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        await screen_shown(pilot, FormScreen, "#field-owner")
        _burst(app, "Version the buckets\traaj\t2026-12-24\n")
        await until(pilot, lambda: len(app.board.state.action_items) == 1)
    item = incident.state().action_items[0]
    assert (item.text, item.owner, item.due, item.kind) == ("Version the buckets", "raaj", date(2026, 12, 24), "corrective")


async def test_a_bad_due_date_or_handle_is_said_in_the_form_with_the_focus_on_it(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        await screen_shown(pilot, FormScreen, "#field-due")
        await type_text(pilot, "Version the buckets")
        app.screen.query_one("#field-due", Input).value = "24/12/2026"
        await pilot.press("enter")
        await until(pilot, lambda: app.focused is app.screen.query_one("#field-due"))
        assert "Due takes a date: YYYY-MM-DD" in str(app.screen.query_one("#form-error").render())
        app.screen.query_one("#field-due", Input).value = "2026-12-24"
        app.screen.query_one("#field-owner", Input).value = "raaj!"
        await pilot.press("enter")
        await until(pilot, lambda: app.focused is app.screen.query_one("#field-owner"))
        assert "Owner takes a handle" in str(app.screen.query_one("#form-error").render())
        assert not app.board.state.action_items


async def test_change_the_owner_comes_back_to_the_owner_field(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        await screen_shown(pilot, FormScreen, "#field-owner")
        await type_text(pilot, "Lock timeout on migrations")
        app.screen.query_one("#field-owner", Input).value = "bbo"
        await pilot.press("enter")
        await screen_shown(pilot, ConfirmScreen, "#confirm-message")
        await pilot.press("enter")  # "Change the owner"
        await screen_shown(pilot, FormScreen, "#field-owner")
        await until(pilot, lambda: app.focused is app.screen.query_one("#field-owner"))
        assert app.screen.query_one("#field-text", Input).value == "Lock timeout on migrations"


def test_one_default_kind_on_the_board_the_cli_and_in_the_log(cli) -> None:
    form = action_item_form()
    kind = next(field for field in form.fields if field.name == "kind")
    assert kind.value == "corrective" == ev.ActionItemAdded(text="x").kind
    cli("declare", "--title", "Checkout down")
    cli("action", "INC-1", "Pin the driver version")
    assert json.loads(cli("show", "INC-1", "--json").stdout)["action_items"][0]["kind"] == "corrective"


async def test_e_in_the_action_items_edits_text_owner_and_due_and_the_timeline_says_so(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    incident.act("alice", ev.ActionItemAdded(text="Lock timeout on migrations", owner="alcie"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("A")
        await screen_shown(pilot, ActionItemsScreen, "#action-items")
        await pilot.press("e")
        await screen_shown(pilot, FormScreen, "#field-due")
        assert app.screen.form_title == "Edit A-1"
        assert app.screen.query_one("#field-owner", Input).value == "alcie"
        app.screen.query_one("#field-owner", Input).value = "bob"
        app.screen.query_one("#field-due", Input).value = "2026-12-24"
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.action_items[0].owner == "bob")
        assert isinstance(app.screen, ActionItemsScreen)
        await pilot.press("e")
        await screen_shown(pilot, FormScreen, "#field-due")
        await pilot.press("enter")  # nothing changed: the rules say so, nothing is recorded
        await until(pilot, lambda: "A-1 already reads so" in notices(app))
    item = incident.state().action_items[0]
    assert (item.text, item.owner, item.due) == ("Lock timeout on migrations", "bob", date(2026, 12, 24))
    edited = [e for e in incident.state().timeline if e.type == "action_item_edited"]
    assert [e.text for e in edited] == ["edited action item A-1: owner bob (was alcie), due 2026-12-24"]


def test_cli_action_edit_changes_what_it_names_and_keeps_the_rest(cli, isolated_environment: Path, tmp_path: Path) -> None:
    cli("declare", "--title", "Checkout down")
    cli("note", "INC-1", "here", actor="bob")
    cli("action", "INC-1", "Lock timeout on migrations", "--owner", "bob", "--due", "2026-12-09")
    done = cli("action", "edit", "INC-1", "A-1", "--text", "Lock timeout on every migration", "--no-due")
    assert 'edited action item A-1: text "Lock timeout on every migration" (was "Lock timeout on migrations"), no due date' in done.stdout
    outside = cli("action", "edit", "INC-1", "a-1", "--owner", "bbo")
    assert outside.stderr.strip() == "warroom: warning: bbo is not a responder of INC-1 (did you mean bob?)"
    items = json.loads(cli("show", "INC-1", "--json").stdout)["action_items"]
    assert [(i["text"], i["owner"], i["due"], i["kind"]) for i in items] == [("Lock timeout on every migration", "bbo", None, "corrective")]
    missing = cli("action", "edit", "INC-1", "A-7", "--owner", "bob", check=False)
    assert missing.returncode != 0 and missing.stderr.strip() == "warroom: refused: there is no action item A-7 in INC-1 (A-1 to A-1)"
    unchanged = cli("action", "edit", "INC-1", "A-1", "--owner", "bbo", check=False)
    assert unchanged.stderr.strip().endswith("A-1 already reads so: change its text, owner or due date")
    nothing = cli("action", "edit", "INC-1", "A-1", check=False)
    assert nothing.returncode == 2 and "say what to change" in nothing.stderr and "Traceback" not in nothing.stderr
    cli("close", "INC-1", "--no-export", "--force")
    cli("action", "edit", "INC-1", "A-1", "--no-owner")  # follow-ups are refined after the close
    folder = tmp_path / "out"
    cli("export", "INC-1", "--format", "json", "--dir", str(folder))
    exported = (folder / "INC-1.json").read_text()
    assert "action_item_edited" in exported and "edited action item A-1: owner nobody (was bbo)" in exported
