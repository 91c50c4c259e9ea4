"""``f`` on the board: pick what the timeline shows from a list drawn over the pane's foot.

Choices add up (notes by bob on WS-2); picking one that is already on (marked ✓) takes it
off again, and Esc in the timeline clears the lot. Typing narrows the list (one workstream
of fifty). The choices come from ``tui.model.find.choices``.

The timeline view draws this list on its own bottom rows while it has the keys, as it
draws a search's matches; the list is not a widget. A widget shown, focused and hidden again
made Textual lay the screen out anew and the footer rebuild itself: ≈450 ms from ``f`` to
the list. Here ``f`` and every key in the list redraw only the view.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from warroom.safetext import safe_line

from .timeline_parts import strip_of

MOVES = {"up": -1, "down": 1, "pageup": -1, "pagedown": 1, "home": -1_000_000, "end": 1_000_000}
"""The keys that move the highlight, and by how many lines (pages, for the page keys)."""
HINT = "enter: add (✓ takes off) · esc: back"


class FilterList:
    """What the list shows and which line is highlighted; ``lines`` draws it."""

    def __init__(self, choices: Sequence[tuple[str, str]], current: str = "") -> None:
        self.choices = [(choice, safe_line(label)) for choice, label in choices]
        """(choice, label): the labels hold responders' words, made safe for the terminal once."""
        self.current = safe_line(current)
        """The filter now on, as the title says it."""
        self.typed = ""
        self.shown = self.choices
        self.highlighted = 0
        self._top = 0
        self._drawn: tuple[tuple, list[Strip]] = ((), [])
        """The lines last drawn, and what they were drawn for: the view asks for them a row at a time."""

    @property
    def choice(self) -> str | None:
        """The highlighted choice (``None``: nothing matches what was typed)."""
        return self.shown[self.highlighted][0] if self.shown else None

    def narrow(self, typed: str) -> None:
        """Show only the choices whose label holds ``typed`` (any case)."""
        self.typed = typed
        needle = typed.casefold()
        self.shown = [row for row in self.choices if needle in row[1].casefold()] if typed else self.choices
        self.highlighted = self._top = 0

    def move(self, by: int) -> None:
        if self.shown:
            self.highlighted = max(0, min(self.highlighted + by, len(self.shown) - 1))

    def highlight(self, choice: str) -> None:
        """Put the highlight on ``choice`` (as arrow keys would)."""
        self.highlighted = [row[0] for row in self.shown].index(choice)

    def choice_at(self, row: int) -> str | None:
        """The choice drawn on ``row`` of the list as last drawn (row 0 is the title)."""
        line = self._top + row - 1
        return self.shown[line][0] if row >= 1 and line < len(self.shown) else None

    def height(self, room: int) -> int:
        """Rows the list takes in a view ``room`` rows high: a title and the choices, at most
        three fifths of the view (the rest of the timeline stays in sight above it)."""
        return max(min(1 + max(len(self.shown), 1), max(room * 3 // 5, 3), room), 0)

    def lines(self, width: int, height: int, styles: dict[str, Style]) -> list[Strip]:
        """The list as ``height`` lines of ``width`` cells: the title, then the choices that fit
        around the highlighted one. ``styles``: base, title, hint, cursor (the highlighted line)."""
        drawn_for = (self.typed, self.highlighted, width, height, tuple(styles.items()))
        if self._drawn[0] == drawn_for:
            return self._drawn[1]
        rows = height - 1
        if self.highlighted < self._top:
            self._top = self.highlighted
        elif self.highlighted >= self._top + rows:
            self._top = self.highlighted - rows + 1
        strips = [self._title(width, styles)]
        for line in range(self._top, self._top + rows):
            text = Text()
            if line < len(self.shown):
                text.append(self.shown[line][1])
            elif line == 0:
                text.append(f"  nothing matches “{self.typed}”", styles["hint"])
            strips.append(_strip(text, width, styles["base"], styles["cursor"] if line == self.highlighted and self.shown else None))
        self._drawn = (drawn_for, strips)
        return strips

    def _title(self, width: int, styles: dict[str, Style]) -> Strip:
        title = Text()
        title.append("─ Filter the timeline ", styles["title"])
        if self.current:
            title.append(f"· now: {self.current} ", styles["title"])
        title.append(f"· {self.typed}▏ " if self.typed else "· type to narrow ", styles["hint"])
        if self.shown:
            title.append(f"· {self.highlighted + 1}/{len(self.shown)} ", styles["hint"])
        hint = Text()
        hint.append(f" {HINT} ", styles["hint"])
        if title.cell_len + hint.cell_len + 2 > width:
            hint = Text()
        hint.append("─", styles["title"])
        title.append("─" * max(width - title.cell_len - hint.cell_len, 0), styles["title"])
        return _strip(title + hint, width, styles["base"])


def _strip(text: Text, width: int, base: Style, whole: Style | None = None) -> Strip:
    """``text`` cut (or padded) to ``width``, on ``base``; ``whole`` styles the full width."""
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis", pad=True)
    if whole is not None:
        text.stylize(whole)
    return strip_of(text, width, base)
