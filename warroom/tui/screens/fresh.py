"""A screen shown for the first time is not styled again: it was styled as it was mounted.

Textual restyles a screen and every widget in it each time the screen is shown (its
``ScreenResume``): a screen shown again, after a modal or a theme change, may need it. A screen
shown for the first time was styled widget by widget as it was mounted, a moment before, and
styling it all again cost a join ~3 ms of CPU for the frame and ~5 ms for the board
(``bench/startup.py --cpu``). The screens a join or the lobby shows first (the frames, the board
and replay's panes, the lobby) derive from ``FreshScreen``; later resumes restyle as Textual
does. (Not the modals: the catch-up box, shown at 80×24, drew differently without its restyle.)
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.message import Message
from textual.screen import Screen

ResultType = TypeVar("ResultType")


class FreshScreen(Screen[ResultType]):
    """A ``Screen`` whose first ``ScreenResume`` asks for no restyle (see the module)."""

    _shown = False

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.ScreenResume) and not self._shown:
            self._shown = True
            message = events.ScreenResume(refresh_styles=False)
        return super().post_message(message)
