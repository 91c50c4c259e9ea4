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
