"""One test per private Textual name in ``warroom.tui.textual_private``: an upgrade of Textual
that renames, drops or changes one fails here, naming it, before a responder meets it.
Also the public hooks used in place of private ones (``on_paste`` with ``prevent_default``,
``on_notify``) behave as the board relies on."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult, Notify
from textual.binding import Binding
from textual.message import Message
from textual.notifications import Notification
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

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
    tested = {
        "OneFrameScreen", "Toast", "ToastHolder", "ToastRack", "UnderneathScreen", "compute_wrap_offsets", "forward_key", "message_clock",
        "screen_below", "screen_lines", "withdraw_notification",
    }
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


class _Focusable(Static, can_focus=True):
    pass


class _TwoPanesApp(App):
    """Two bordered panes whose border says which holds the focus, as the board's do."""

    CSS = """
    Vertical { border: solid $secondary; height: 1fr; }
    Vertical:focus-within { border: solid $accent; }
    _Focusable:focus { text-style: bold; }
    """

    def __init__(self, screen_class: type[Screen]) -> None:
        super().__init__()
        self.screen_class = screen_class
        self.frames = 0

    def get_default_screen(self) -> Screen:
        return self.screen_class()

    def on_mount(self) -> None:
        self.screen.mount(Vertical(_Focusable("left", id="left")), Vertical(_Focusable("right", id="right")))

    def _display(self, screen: Screen, renderable) -> None:
        if renderable is not None:
            self.frames += 1
        super()._display(screen, renderable)


async def frames_for_a_focus_change(screen_class: type[Screen]) -> int:
    app = _TwoPanesApp(screen_class)
    async with app.run_test() as pilot:
        app.query_one("#left").focus()
        await pilot.pause()
        app.frames = 0
        app.query_one("#right").focus()
        await pilot.pause()
        return app.frames


async def test_one_frame_screen_draws_a_focus_change_in_one_frame():
    """``Screen._update_timer`` (the frame timer, replaced) and ``Screen._on_timer_update`` (the
    frame, composed from the updates read): a plain screen draws a focus change between two
    bordered panes in two frames (its timer fires before the screen has read every pane's
    update), a ``OneFrameScreen`` in one. When the plain screen draws one, Textual has changed
    how frames are timed and ``OneFrameScreen`` may be unneeded."""
    assert await frames_for_a_focus_change(Screen) == 2
    assert await frames_for_a_focus_change(textual_private.OneFrameScreen) == 1


class _CoveredApp(App):
    """Textual's default screen under a pushed one, as ``WarroomApp`` has it."""

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def get_default_screen(self) -> Screen:
        return self.under

    def on_mount(self) -> None:
        self.push_screen(Screen())


@pytest.mark.parametrize("under_class", [textual_private.UnderneathScreen, Screen])
async def test_the_screen_under_the_first_is_laid_out_only_once_shown(under_class):
    """Textual counts the screen just below the top one as showing through (``App._background_screens``),
    so a resize lays it out (``Screen._screen_resized``) and its frame timer (``Screen._on_timer_update``)
    repaints the whole top screen; ``UnderneathScreen`` (the App's default screen, under a join's frame
    and board) skips both while covered and is laid out at the new size once shown."""
    under = under_class()
    app = _CoveredApp(under)
    covered_work: list[str] = []
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause(0.05)
        assert under in app._background_screens
        for name in ("_refresh_layout", "_compositor_refresh"):
            work = getattr(under, name)
            setattr(under, name, lambda *args, _name=name, _work=work, **kwargs: (covered_work.append(_name), _work(*args, **kwargs))[1])
        await pilot.resize_terminal(60, 20)
        await pilot.pause(0.1)
        if under_class is Screen:
            assert covered_work  # Textual's own: laid out and repainted under the top screen
            return
        assert covered_work == []
        app.pop_screen()
        await pilot.pause(0.05)
        assert app.screen is under and under.size == (60, 20)


class _BelowTheBox(Screen):
    def compose(self) -> ComposeResult:
        yield Static("under the box")


async def test_a_translucent_screen_takes_the_screen_below_and_its_lines_as_textual_does():
    """``Screen.render`` takes the screen a translucent screen shows through from the stack Textual
    sets for each frame (``visible_screen_stack``, popped: the next one down for the next screen
    drawn); ``BackgroundScreen`` draws that screen from its compositor (``Screen._compositor``)."""
    from textual.screen import ModalScreen

    taken: list[object] = []

    class _Box(ModalScreen):
        def render(self):
            taken.append(textual_private.screen_below())
            return ""

    app = App()
    async with app.run_test(size=(30, 5)) as pilot:
        below = _BelowTheBox()
        await app.push_screen(below)
        await app.push_screen(_Box())
        await pilot.pause()
        assert below in taken and None not in taken
        lines = textual_private.screen_lines(below)
        assert len(lines) == 5 and all(line.cell_length == 30 for line in lines)
        assert "".join(text for text, _, _ in lines[0]).startswith("under the box")
    assert textual_private.screen_below() is None  # outside a frame
