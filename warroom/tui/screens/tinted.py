"""The board under a box, tinted: the same cells Textual draws, each style tinted once, not once per cell.

A modal screen with a translucent background (``ModalScreen``: ``$background 60%``) shows the
screen under it tinted. Textual draws that through Rich (``renderables.BackgroundScreen``): the
screen below rendered to segments, every segment's colours blended with the tint anew (colour
conversions and a new style each), then cut back into lines; after a join the catch-up box is
drawn that way over the whole board, ~2.5 ms of CPU per frame on top of the board's own
rendering, and again for every frame the box is part of. The board uses a few dozen styles, so
``TintedScreen`` blends each style once (the blend is Textual's own,
``BackgroundScreen.process_segments``) and keeps the screen below's lines as they are, segment
for segment: the same cells, colours and weights (``tests/tui/test_tinted.py`` compares them
with Textual's).
"""

from __future__ import annotations

from typing import Self, TypeVar

from rich.console import Console, ConsoleOptions
from rich.console import RenderResult as RichRenderResult
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.app import RenderableType
from textual.color import Color
from textual.geometry import Region
from textual.css.styles import RulesMap
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from ..textual_private import screen_below, screen_lines

ResultType = TypeVar("ResultType")

MAX_BLENDED = 4096
"""Styles kept blended (a board has a few dozen, and some a hundred with the mouse's cell offsets)."""


class Kept:
    """What a ``TintedScreen`` keeps between its frames: each style blended, and the lines last drawn."""

    def __init__(self, tint: Color) -> None:
        self.tint = tint
        self.blended: dict[tuple[RichStyle | None, RichStyle | None], RichStyle] = {}
        """Each style of the screen below with the screen's own under it, tinted (a new ``Kept``
        for another tint: a theme change)."""
        self.lines: tuple[object, list[Strip]] | None = None
        """The lines last drawn, and what they were drawn for (the screen below, its size, the base style)."""


class TintedLines(Visual):
    """``below``'s lines, each style blended with ``tint`` once (what ``BackgroundScreen`` draws)."""

    def __init__(self, below: Screen[object], tint: Color, kept: Kept) -> None:
        self.below = below
        self.tint = tint
        self.kept = kept
        self.blended = kept.blended

    def _tinted(self, style: RichStyle | None, base: RichStyle | None) -> RichStyle:
        ((_, tinted, _),) = BackgroundScreen.process_segments([Segment(" ", style)], self.tint)
        assert tinted is not None
        if base:
            tinted = base + tinted  # as Textual puts the screen's own style under what it renders
        self.blended[style, base] = tinted
        return tinted

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        base = style.rich_style
        drawn_for = (self.below, self.below.size, base, height)
        kept = self.kept.lines
        if kept is not None and kept[0] == drawn_for:
            return kept[1]
        lines = self.lines(base, height)
        self.kept.lines = (drawn_for, lines)
        return lines

    def lines(self, base: RichStyle | None = None, height: int | None = None) -> list[Strip]:
        """The screen below's lines, tinted, under ``base`` (the screen's own style, as Textual puts it under)."""
        blended, tinted = self.blended, self._tinted
        strips = []
        for line in screen_lines(self.below)[:height]:
            segments = []
            for text, style, _control in line:
                key = (style, base)
                segments.append(Segment(text, blended[key] if key in blended else tinted(style, base)))
            strips.append(Strip(segments, line.cell_length))
        return strips

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RichRenderResult:
        """The same lines for Rich (Textual draws it as a ``Visual``)."""
        for strip in self.lines():
            yield from strip
            yield Segment.line()

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.below.size.height


class TintedScreen(ModalScreen[ResultType]):
    """A ``ModalScreen`` drawing the screen under it as ``TintedLines`` (see the module)."""

    _kept: Kept | None = None

    def render(self) -> RenderableType:
        tint = self.styles.background
        if tint.a >= 1:
            return super().render()
        below = screen_below()  # as Screen.render takes it (each screen showing through takes the next)
        if below is None or below is self:  # none to show through (drawn outside a frame): Textual's own
            return super().render()
        if self._kept is None or self._kept.tint != tint or len(self._kept.blended) > MAX_BLENDED:
            self._kept = Kept(tint)  # a theme's colours: blended anew
        return TintedLines(below, tint, self._kept)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        if regions and self._kept is not None:
            # The screen below was drawn anew there (Textual hands its repaints to the screen on top
            # as regions): its lines are taken again. A repaint of this screen's own (a toast, a
            # layout) draws the lines kept.
            self._kept.lines = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
