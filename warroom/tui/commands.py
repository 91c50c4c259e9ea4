"""The board's one command-palette provider: every action as "category: action", plus themes.

Entries come from the same key table as the bindings (``keys.BOARD_KEYS``), so the
palette can never offer an action the keyboard lacks, and each entry shows its
current key (after ``[ui] keymap``) as help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .keys import BOARD_KEYS, PANE_KEYS, REPLAY_KEY_IDS
from .screens.panes import PanesScreen

if TYPE_CHECKING:
    from .board_api import Shared


class BoardCommands(Provider):
    def _entries(self) -> Iterator[tuple[str, Callable[[], Any], str]]:
        app = cast("Shared", self.app)
        replay = getattr(self.screen, "read_only", False)  # a replay: nothing that acts or shows the live incident
        for key in BOARD_KEYS + PANE_KEYS if isinstance(self.screen, PanesScreen) else ():  # the lobby: its themes only
            if key.palette and not (replay and key in BOARD_KEYS and (key.id not in REPLAY_KEY_IDS or key.action.startswith("timeline("))):
                yield key.palette, partial(app.run_action, key.action, self.screen), f"key: {app.key_label(key)}"
        for name in app.warroom_themes:
            yield f"theme: {name}", partial(app.switch_theme, name), "switch the board's colours"

    async def discover(self) -> Hits:
        for name, command, help_text in self._entries():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, command, help_text in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)
