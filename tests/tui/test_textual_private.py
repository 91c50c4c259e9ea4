"""One test per private Textual name in ``warroom.tui.textual_private``: an upgrade of Textual
that renames, drops or changes one fails here, naming it, before a responder meets it.
Also the public hooks used in place of private ones (``on_paste`` with ``prevent_default``,
``on_notify``) behave as the board relies on."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult, Notify
from textual.binding import Binding
from textual.message import Message
from textual.notifications import Notification
from textual.widgets import Input

from warroom.tui import textual_private
from warroom.tui.textual_private import Toast, ToastHolder, ToastRack, compute_wrap_offsets, forward_key, message_clock


def test_message_clock_is_the_clock_messages_are_stamped_with():
    before = message_clock()
    message = Message()
    after = message_clock()
    assert before <= message.time <= after


def test_compute_wrap_offsets_breaks_where_a_static_wraps():
    assert compute_wrap_offsets("alpha beta gamma", 6, 4) == [6, 11]
    assert compute_wrap_offsets("short", 20, 4) == []


async def test_a_notification_is_a_toast_in_a_holder_in_the_screens_rack():
    app = App()
    async with app.run_test(notifications=True) as pilot:
        app.notify("hello")
        await pilot.pause()
        racks = list(app.screen.query_children(ToastRack))
        assert len(racks) == 1
        holders = list(racks[0].query_children(ToastHolder))
        assert len(holders) == 1
        assert len(list(holders[0].query_children(Toast))) == 1


class _TypingApp(App):
    BINDINGS = [Binding("x", "board_key", "a board key")]

    def __init__(self) -> None:
        super().__init__()
        self.board_keys = 0
        self.notified_before_toast: list[int] = []

    def compose(self) -> ComposeResult:
        yield Input(id="words")

    def action_board_key(self) -> None:
        self.board_keys += 1

    def on_notify(self, event: Notify) -> None:
        self.notified_before_toast.append(len(list(self.screen.query(Toast))))


async def test_forward_key_delivers_once_and_is_never_handed_down_again():
    app = _TypingApp()
    async with app.run_test() as pilot:
        words = app.query_one(Input)
        words.focus()
        await pilot.pause()
        forward_key(words, events.Key("y", "y"))
        await pilot.pause()
        assert words.value == "y"  # delivered to the widget it was forwarded to
        forward_key(app.screen, events.Key("z", "z"))
        await pilot.pause()
        assert words.value == "y"  # bubbled up unhandled: the App did not hand it down to the focused input again
        app.screen.post_message(events.Key("q", "q"))
        await pilot.pause()
        assert words.value == "yq"  # what a plain post does: taken for a fresh key press


async def test_on_notify_runs_before_textual_mounts_the_toast():
    """The board's ``on_notify`` arranges the stack with ``call_later``: after Textual's own handler."""
    app = _TypingApp()
    async with app.run_test(notifications=True) as pilot:
        app.notify("one")
        await pilot.pause()
        assert app.notified_before_toast == [0]
        assert len(list(app.screen.query(Toast))) == 1


class _OnePasteInput(Input):
    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        self.insert_text_at_cursor(event.text.replace("\n", " / "))


async def test_prevent_default_in_a_public_on_paste_replaces_inputs_own():
    class PasteApp(App):
        def compose(self) -> ComposeResult:
            yield _OnePasteInput()

    app = PasteApp()
    async with app.run_test() as pilot:
        field = app.query_one(_OnePasteInput)
        field.focus()
        app.post_message(events.Paste("a\nb"))  # as the terminal sends it
        await pilot.pause()
        assert field.value == "a / b"  # Input's own handler would have kept only "a"


def test_every_private_name_is_tested_here():
    names = set(textual_private.__all__)
    tested = {"Toast", "ToastHolder", "ToastRack", "compute_wrap_offsets", "forward_key", "message_clock", "withdraw_notification"}
    assert names == tested


async def test_withdraw_notification_takes_one_toast_down_and_leaves_the_others():
    app = App()
    async with app.run_test(notifications=True) as pilot:
        app.notify("keep me")
        gone = Notification("take me down", "", "information", 60)
        app.post_message(Notify(gone))
        await pilot.pause()
        assert len(list(app.screen.query(Toast))) == 2
        textual_private.withdraw_notification(app, gone)
        textual_private.withdraw_notification(app, gone)  # already gone: no matter
        await pilot.pause()
        await pilot.pause()
        assert [str(t.render()) for t in app.screen.query(Toast)] == ["keep me"]
