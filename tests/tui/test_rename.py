"""Renaming an incident from the board: E asks for the new title, prefilled with the current one."""

from __future__ import annotations

from textual.widgets import Input

from warroom.incident import events as ev
from warroom.tui.screens.form_screen import FormScreen

from .conftest import SIZE, notices, ready, type_text, until


async def test_shift_e_renames_the_incident_from_a_prefilled_form(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("E")
        assert isinstance(app.screen, FormScreen)
        field = app.screen.query_one("#field-title", Input)
        assert app.focused is field and field.value == "Customer objects expiring"
        await pilot.press("ctrl+u")  # Input: delete everything left of the cursor (it starts at the end)
        await type_text(pilot, "EU buckets lose objects")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.title == "EU buckets lose objects")
        assert "EU buckets lose objects" in str(app.board.header.render())
    state = incident.state()
    assert state.title == "EU buckets lose objects"
    assert state.timeline[-1].text == 'renamed the incident: "Customer objects expiring" → "EU buckets lose objects"'


async def test_shift_e_refused_for_non_commander(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("E")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can rename the incident" in notices(app)


async def test_editing_keys_in_a_burst_act_in_the_order_they_were_typed(incident, make_board) -> None:
    """A terminal can deliver ctrl+u, a few letters and Enter in one read (a fast typist on a slow
    link, tmux send-keys). The letters are the Input's own, but its editing keys are bindings that
    ran only once they had bubbled up to the App: ctrl+u wiped the new words and Enter submitted
    an empty title ("Title is needed")."""
    from textual import events

    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("E")
        assert isinstance(app.screen, FormScreen)
        burst = [("end", None), ("ctrl+u", None), *((c, c) for c in "New tytle"), ("backspace", None),
                 ("left", None), ("left", None), ("backspace", None), ("i", "i"), ("end", None), ("e", "e"), ("enter", None)]
        for key, character in burst:  # posted before any is handled: one read from the terminal
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: app.board.state.title != "Customer objects expiring")
    assert incident.state().title == "New title"
