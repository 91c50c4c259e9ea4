"""Forms never lose what was typed without saying so (issue 10, item 5)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Label, OptionList, Static

from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.screens.info import ConfirmScreen

from .conftest import SIZE, ready, screen_shown, type_text, until


def burst(app, key: str, words: str) -> None:
    """``key`` and ``words`` as a burst from the terminal: all queued before any form exists."""
    for name, character in [(key, key)] + [(c if c != " " else "space", c) for c in words]:
        app.post_message(events.Key(name, character))


def error_line(app) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


async def open_form(pilot, key: str) -> FormScreen:
    await pilot.press(key)
    await screen_shown(pilot, FormScreen, "#form-error")
    return pilot.app.screen


async def test_escape_asks_before_discarding_a_typed_note(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_form(pilot, "t")
        await type_text(pilot, "replica lag back to 2s")
        await pilot.press("escape")
        await screen_shown(pilot, ConfirmScreen, "#yes")
        assert "Discard this note?" in str(app.screen.query_one(".box-title", Label).render())
        await pilot.press("escape")  # keep editing: the words are still there
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-text", Input).value == "replica lag back to 2s"
        await pilot.press("escape")
        await screen_shown(pilot, ConfirmScreen, "#yes")
        await pilot.press("enter")  # starts on "Keep editing": typed words are never lost to Enter alone
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("escape")
        await screen_shown(pilot, ConfirmScreen, "#yes")
        await pilot.press("tab", "enter")  # Discard
        await until(pilot, lambda: not isinstance(app.screen, (FormScreen, ConfirmScreen)))
        assert not any(e.type == "note_added" for e in app.board.state.timeline)


async def test_escape_on_an_untouched_form_closes_at_once(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_form(pilot, "t")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_pasted_note_keeps_every_line(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_form(pilot, "t")
        await pilot.press("F", "a", "i", "l", "o", "v", "e", "r", ":", "space")
        app.post_message(events.Paste("replica promoted\r\nlag 2s\tsteady"))
        await until(pilot, lambda: "steady" in app.screen.query_one("#field-text", Input).value)
        await pilot.press("enter")
        await until(pilot, lambda: any(e.type == "note_added" for e in app.board.state.timeline))
        note = next(e for e in app.board.state.timeline if e.type == "note_added")
        assert note.text == "Failover: replica promoted\nlag 2s steady"


async def test_typing_straight_after_tab_is_not_dropped(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "B")
        await pilot.press("D", "e", "p", "l", "o", "y", "tab")
        assert isinstance(app.focused, OptionList)
        await pilot.press("e", "d", "space", "v", "2")
        message = form.query_one("#field-text", Input)
        assert message.value == "Deployed v2"
        assert app.focused is message
        await pilot.press("tab", "tab", "exclamation_mark")  # back into a filled field: added to, never replaced
        assert message.value == "Deployed v2!"


async def test_a_complaint_goes_away_once_it_no_longer_applies(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_form(pilot, "n")
        await pilot.press("enter")
        await until(pilot, lambda: "Title is needed" in error_line(app))
        await pilot.press("D")
        await until(pilot, lambda: error_line(app).strip() == "")


async def test_a_number_field_says_what_it_accepts_and_refuses_letters_aloud(incident, make_board) -> None:
    from warroom.incident import events as ev

    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "b")
        labels = " ".join(str(label.render()) for label in form.query(".field-label"))
        assert "Minutes (a whole number from 1 to 1440)" in labels
        await pilot.press("end", "x")
        await until(pilot, lambda: "whole number" in error_line(app))
        assert form.query_one("#field-minutes", Input).value == "15"
        await pilot.press("5")
        await until(pilot, lambda: error_line(app).strip() == "")


async def test_keys_typed_straight_after_the_form_key_land_in_the_form(incident, make_board) -> None:
    """A fast typist (or a terminal delivering a burst) sends `t` and the words at once: every
    key after the one that opens the form is the form's, none is lost or run on the board."""
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        burst(app, "t", "quick one")
        await screen_shown(pilot, FormScreen, "#form-error")
        await until(pilot, lambda: app.screen.query_one("#field-text", Input).value == "quick one")


async def test_keys_typed_straight_after_a_story_key_land_in_its_form(incident, make_board) -> None:
    """The same from a workstream's story (a form opened by a modal, not by the board): q among
    the letters must not reach the board's quit key."""
    from warroom.incident import events as ev
    from warroom.tui.screens.story import StoryScreen

    incident.act("alice", ev.WorkstreamOpened(title="Fail over"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        await pilot.press("enter")
        await screen_shown(pilot, StoryScreen, "#story-text")
        burst(app, "t", "quick one")
        await screen_shown(pilot, FormScreen, "#form-error")
        await until(pilot, lambda: app.screen.query_one("#field-text", Input).value == "quick one")
        assert app.is_running


async def test_words_typed_after_a_refused_form_key_run_no_board_keys(incident, make_board) -> None:
    """On a closed incident `t` is refused; the note typed straight after it in one burst
    ("tafter close", enter) is not a string of board keys: its `a` opened an action-item form
    and the rest filed "fter close" as an action item."""
    from warroom.incident import events as ev

    incident.act("alice", ev.IncidentClosed(summary="done"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        board = app.screen
        keys = [("t", "t")] + [(c if c != " " else "space", c) for c in "after close"] + [("enter", "\r")]
        for key, character in keys:
            app.post_message(events.Key(key, character))  # all typed before the refusal showed
        await until(pilot, lambda: any("is closed" in n.message for n in app._notifications))
        await pilot.pause(0.2)
        assert app.screen is board
        assert not any(e.type == "action_item_added" for e in incident.state().timeline)
        await pilot.press("a")  # a key typed after the refusal is a board key again
        await screen_shown(pilot, FormScreen, "#form-error")


async def test_field_checks_are_textual_validators_and_mark_the_field(incident, make_board) -> None:
    """Issue 22 part 1 item 8: the checks are ``textual.validation`` validators on each Input (as
    Toolong's find dialog does); a refused answer marks its field invalid until it is fixed."""
    from textual.validation import Validator

    from warroom.incident import events as ev

    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "b")
        minutes = form.query_one("#field-minutes", Input)
        assert minutes.validators and all(isinstance(v, Validator) for v in minutes.validators)
        minutes.value = "5000"
        await pilot.press("enter")
        await until(pilot, lambda: "Minutes must be between 1 and 1440" in error_line(app))
        assert minutes.has_class("-invalid") and app.focused is minutes
        minutes.value = "20"
        await until(pilot, lambda: error_line(app).strip() == "")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.shift_of("bob") == "break")


async def test_a_form_taller_than_the_terminal_opens_on_its_title(incident, make_board) -> None:
    """At 80x24 Textual's auto-focus centred the first field, scrolling the form's title and the
    field's label out of view ("Declare an incident", "Add an action item")."""
    from textual.containers import VerticalScroll

    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "a")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "field-text")
        await pilot.pause()
        scroll = form.query_one("#form", VerticalScroll)
        assert scroll.max_scroll_y > 0, "the form is taller than the terminal"
        assert scroll.scroll_y == 0
