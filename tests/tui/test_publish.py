"""Publishing from the board (P) and saying how a component is affected (C): issue 26."""

from __future__ import annotations

from textual.widgets import Input

from warroom.config import ComponentConfig, Config
from warroom.incident import events as ev
from warroom.tui.screens.form_screen import FormScreen

from .conftest import SIZE, notices, ready, type_text, until


async def test_shift_p_publishes_under_a_public_title_of_its_own(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("P")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#field-title", Input).value == ""  # never prefilled with the internal title
        await type_text(pilot, "Some objects are missing")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.published)
    state = incident.state()
    assert state.public_title == "Some objects are missing" and state.title == "Customer objects expiring"


async def test_shift_c_sets_a_configured_component_and_is_refused_without_one(incident, make_board) -> None:
    app = make_board("alice", config=Config(component=[ComponentConfig(name="Storage API")]))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("C")
        assert isinstance(app.screen, FormScreen)
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.components == {"Storage API": "degraded"})
    bare = make_board("alice")
    async with bare.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("C")
        assert not isinstance(bare.screen, FormScreen)
        assert "no components: add [[component]] tables" in notices(bare)


async def test_shift_p_refused_for_a_plain_member(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("P")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can publish the incident" in notices(app)
