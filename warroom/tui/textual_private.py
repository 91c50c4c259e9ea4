"""Every private Textual name the board uses, in one place, each with the reason it is needed.

Textual may rename or drop anything with a leading underscore in any release. Importing
them here and nowhere else means an upgrade breaks one module, and
``tests/tui/test_textual_private.py`` (one test per name) says which name moved before a
responder meets it. ``pyproject.toml`` pins Textual to the range these tests passed on.
Where a public way does the same job, the board uses it instead (a public ``on_paste``
with ``prevent_default`` rather than overriding ``Input._on_paste``; ``on_notify`` rather
than ``App._on_notify``; the keymap the App set, kept by the App, rather than
``App._keymap``).
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from textual import events
from textual.app import App
from textual.notifications import Notification
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import Timer
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

ReturnType = TypeVar("ReturnType")

# The clock Textual stamps every message with (``Message.time``): a key's ``event.time``
# can only be compared with a time taken from the same clock (``time.monotonic`` on POSIX,
# ``time.perf_counter`` on Windows). Used to tell which keys were typed before a refusal showed.
from textual._time import get_time as message_clock

# Where Textual itself breaks a line of text at a width (cells, wide characters, tabs):
# the timeline's detail line cuts a long note where the wrapped text would break, so the
# cut and the "… more" marker agree with what a Static draws.
from textual._wrap import compute_wrap_offsets

# The widgets Textual puts notifications in. Textual stacks every live toast bottom right;
# the board collapses older ones into "+N more" and moves the stack off the rows a key
# would act on (``toast_placement.py``), which needs the rack, its holders and the toasts.
from textual.widgets._toast import Toast, ToastHolder, ToastRack

# The screens showing through the one being drawn: Textual sets it for each frame
# (``Compositor.render_update``), and a translucent screen takes the one below it from it
# (``Screen.render``). ``screens/tinted.py`` draws that screen below as Textual does, faster.
from textual._context import visible_screen_stack

__all__ = [
    "OneFrameScreen", "Toast", "ToastHolder", "ToastRack", "UnderneathScreen", "compute_wrap_offsets", "forward_key", "message_clock",
    "screen_below", "screen_lines", "withdraw_notification",
]


def forward_key(target: Widget, key: events.Key) -> None:
    """Deliver a copy of ``key`` to ``target`` (a screen or a widget) as if typed there.

    Keys typed in a burst straight after the key that opens a form or the timeline's search
    reach the App before the form or search has focus. Textual's own ``_forward_event`` (how
    the App hands every key down) marks the copy forwarded: if it bubbles back up, the App
    takes it as already delivered. A plain ``post_message`` would be taken for a fresh key
    press and handed down to the focused widget again (typed twice, or forwarded forever)."""
    target._forward_event(events.Key(key.key, key.character))


def withdraw_notification(app: App[ReturnType], notification: Notification) -> None:
    """Take ``notification``'s toast down now (one already gone is no matter).

    A toast about a condition (the stakeholder update is OVERDUE; every alert resolved, so
    set status mitigated) must go when the condition does, not linger until its timer ends.
    Textual removes one notification only privately (``App._unnotify``, what clicking a toast
    does); its public ``clear_notifications`` would take every other toast down too."""
    app._unnotify(notification)


class OneFrameScreen(Screen[ReturnType]):
    """A ``Screen`` whose frame takes in the updates already posted to it when its frame timer fires.

    A widget asks for a repaint by posting ``Update`` to its screen when it next goes idle;
    the screen starts its frame timer (``Screen._update_timer``) whenever its own queue is
    empty, and the timer composes the frame (``Screen._on_timer_update``) from the updates
    the screen has read so far. A focus change repaints several widgets (the two panes'
    ``:focus-within`` borders, the blurred and the focused widget, their scroll bars): the
    frame fired after the first two of them, and the rest, already posted, waited for the
    next frame, which Textual's timer puts 17-33 ms later (it skips to the second tick after
    a late one). A tab between panes at 100,000 events was two frames ~40 ms apart; here the
    timer lets the screen read what is already posted (one turn of the loop) and draws one.
    """

    _frame_timer: Timer | None = None

    @property
    def _update_timer(self) -> Timer:
        if self._frame_timer is None:
            self._frame_timer = self.set_interval(UPDATE_PERIOD, self._frame, name="screen_update", pause=True)
        return self._frame_timer

    async def _frame(self) -> None:
        await asyncio.sleep(0)  # the screen reads the updates already in its queue first
        self._on_timer_update()


class UnderneathScreen(Screen[None]):
    """Textual's default screen, under every screen the App pushes, laid out only when it is shown.

    Textual counts the screen just below the top one among the screens that may show through
    (``App._background_screens``: it includes the first screen below whatever its background),
    so every resize also lays out the default screen, empty under the board, and its frame
    timer then repaints the whole top screen over the regions that layout "changed": a second
    full frame of the join's frame and of the board, for nothing shown. Here a resize is taken
    only while this screen is on top; a screen is laid out again whenever it is shown anyway
    (``Screen._on_screen_resume``)."""

    def _screen_resized(self, size: Size) -> None:
        if self.app.screen is self:
            super()._screen_resized(size)

    def _on_timer_update(self) -> None:
        if self.app.screen is self:
            super()._on_timer_update()
        else:
            self._update_timer.pause()


def screen_below() -> Screen[object] | None:
    """The screen a translucent screen being drawn shows through, taken as ``Screen.render`` takes
    it (the next one down for each screen drawn: a box over a box over the board); ``None`` if
    none is (drawn outside a frame)."""
    try:
        return visible_screen_stack.get().pop()
    except LookupError:  # no stack set, or none left (IndexError)
        return None


def screen_lines(screen: Screen[object]) -> list[Strip]:
    """``screen`` as drawn, one ``Strip`` per line (its compositor's render, as ``BackgroundScreen``
    renders it: the widgets' cached lines, cut together)."""
    return screen._compositor.render_strips()
