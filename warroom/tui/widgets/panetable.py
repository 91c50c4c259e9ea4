"""The board's two standing tables (Workstreams, Responders) drawn on ``RowList``'s way.

A join's first board frame draws both tables. As ``DataTable``s they cost ~13 ms of CPU more
to mount and draw than as ``RowList``s (a Pilot A/B of the two tables alone): a DataTable
renders every visible cell through Rich, line by line, parses its long default CSS and resolves
its component classes. Here each row becomes one ``Strip`` and is kept until its cells, the
column widths, the cursor, the focus or the theme change (``RowList``).

The look stays the DataTable's, cell for cell: one space of padding each side of a cell, the
bold header on ``$panel``, the cursor bar in the block-cursor colours (which win over a cell's
own colours, as a DataTable's do), and the ``FLEX`` column widened to the width the others
leave (cut with an ellipsis when the pane is too narrow for it). Same row specs and API as
``BoardTable`` (``sync_row``, ``spec``, ``highlighted_key``, ``keep_only``, ``restyle``);
the messages are ``RowList.Highlighted`` and ``RowList.Selected``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip

from ..keys import moving_keys
from ..model.format import fit_cells
from ..rowlist import RowList, cell_words
from ..themes import theme_style

if TYPE_CHECKING:
    from ..model.format import Cell

__all__ = ["PaneTable"]

PAD = 1
"""Spaces each side of a cell (a DataTable's ``cell_padding``)."""


class PaneTable(RowList, inherit_bindings=False):
    # The ids the board's tables always had (``[ui.keymap]`` remaps by them); left and right
    # scroll, as a row cursor's did, so they never reach the board's own keys.
    BINDINGS: ClassVar = [
        Binding("enter", "select", "Select", show=False, id="table.select"),
        *moving_keys("table", "cursor(-1)", "cursor(1)", "page(-1)", "page(1)"),
        Binding("left", "scroll_left", "Left", show=False, id="table.left"),
        Binding("right", "scroll_right", "Right", show=False, id="table.right"),
        Binding("home", "edge(0)", "Top", show=False, id="table.top"),
        Binding("end", "edge(1)", "Bottom", show=False, id="table.bottom"),
    ]
    DEFAULT_CSS = """
    PaneTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .panetable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .panetable--header { background-tint: $foreground 5%; }
        }
        & > .panetable--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .panetable--header { background: ansi_bright_blue; color: ansi_default; }
        & > .panetable--hover { background: $block-hover-background; }
        & > .panetable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar = {"panetable--header", "panetable--cursor", "panetable--hover"}
    header_height: ClassVar[int] = 1
    _hover: int | None = None
    """The row under the mouse (tinted, as a DataTable's), until a key moves the cursor."""

    @property
    def cursor_row(self) -> int:
        """The highlighted row's index (0 for an empty table)."""
        return self.cursor

    def column_width(self, key: str) -> int:
        """The width column ``key`` shows its cells in (its padding aside)."""
        return self._widths[[column for column, _ in self.COLUMNS].index(key)]

    def sync_row(self, key: str, cells: tuple[Cell, ...]) -> bool:
        """Show ``cells`` in row ``key``, adding the row (last) if new; True if anything changed."""
        if key in self._specs:
            return super().sync_row(key, cells)
        self._keys.append(key)
        self._specs[key] = cells
        if not self._measure(cells):
            self.refresh_line(len(self._keys))
        if len(self._keys) == 1:
            self._announce()  # the cursor is on a row now
        return True

    def keep_only(self, keys: set[str]) -> None:
        """Remove the rows whose key is not in ``keys`` (a replay going back in time)."""
        self.show_rows([(key, self._specs[key]) for key in self._keys if key in keys])

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        self._hover_on(None)
        super().move_cursor(row=row, animate=animate)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = event.y + self.scroll_offset.y - 1
        self._hover_on(row if event.y >= 1 and 0 <= row < len(self._keys) else None)

    def on_leave(self) -> None:
        self._hover_on(None)

    def _hover_on(self, row: int | None) -> None:
        if row != self._hover:
            for line in (self._hover, row):
                if line is not None:
                    self.refresh_line(line + 1)
            self._hover = row

    def on_click(self, event: events.Click) -> None:
        """A click on a row highlights and selects it (a DataTable's way: one click opens a workstream)."""
        event.prevent_default()  # not RowList's too (there a click only highlights)
        row = event.y + self.scroll_offset.y - 1
        if event.y >= 1 and 0 <= row < len(self._keys):
            self.move_cursor(row=row)
            self.action_select()

    def _measure(self, cells: tuple[Cell, ...] | None = None) -> bool:
        """Column widths: each its widest cell, the flex column the rest of the pane; True if
        they changed (every kept row is drawn again)."""
        self._measure_content(cells)
        widths = [max(content, cell_len(label)) for content, (_, label) in zip(self._content, self.COLUMNS)]
        room = self.scrollable_content_region.width
        flex = next((i for i, (key, _) in enumerate(self.COLUMNS) if key == self.FLEX), None)
        if flex is not None and room:
            others = sum(width + 2 * PAD for i, width in enumerate(widths) if i != flex)
            widths[flex] = max(cell_len(self.COLUMNS[flex][1]), room - others - 2 * PAD)
        self.virtual_size = Size(sum(widths) + 2 * PAD * len(widths), len(self._keys) + 1)
        if widths == self._widths:
            return False
        self._widths = widths
        self._strips.clear()
        self.refresh()
        return True

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            header = self.get_component_rich_style("panetable--header")
            labels = tuple(label for _, label in self.COLUMNS)
            return self._row_strip(labels, header, Style()).crop_extend(0, width, header)
        index = self.scroll_offset.y + y - 1
        base = self.rich_style
        if index >= len(self._keys):
            return Strip.blank(width, base)
        key = self._keys[index]
        spec = self._specs[key]
        marks = [name for name, row in (("panetable--hover", self._hover), ("panetable--cursor", self.cursor)) if row == index]
        if marks:
            component = self.get_component_rich_style(*marks)
            style, over = base + component, Style(color=component.color, bgcolor=component.bgcolor)
        else:
            style, over = base, Style()
        stamp = (spec, style, over)
        cached = self._strips.get(key)
        if cached is None or cached[0] != stamp:
            cached = (stamp, self._row_strip(spec, style, over))
            self._strips[key] = cached
        return cached[1].crop_extend(0, width, style)

    def _row_strip(self, cells: tuple[Cell, ...], style: Style, over: Style) -> Strip:
        """One row as a DataTable draws it: ``style`` under every cell, a cell's own style over
        it, and ``over`` (the cursor's colours) over that."""
        segments: list[Segment] = []
        pad = Segment(" " * PAD, style)
        for cell, width in zip(cells, self._widths):
            words = fit_cells(cell_words(cell), width)  # as Rich cuts a DataTable's cell
            own = style + theme_style(self.app, cell[1]) + over if not isinstance(cell, str) else style + over
            segments += [pad, Segment(words, own), Segment(" " * (width - cell_len(words) + PAD), style)]
        return Strip(segments).simplify()
