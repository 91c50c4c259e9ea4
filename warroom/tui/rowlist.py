"""A keyboard-driven list of rows that repaints only the rows that changed.

The lobby shows hundreds of incidents that change many times a second between them. A
``DataTable`` repaints every visible cell after any cell changes (its caches are keyed by a
table-wide update count): 40 rows of 10 cells per change, hundreds of milliseconds on a busy
machine. Here each row is rendered once into a ``Strip`` and kept until its cells, the column
widths, the cursor or the theme change; a change repaints that one line. Same row specs as
``BoardTable`` (``table.Cell``), and the same small API (``sync_row``, ``spec``,
``highlighted_key``, ``move_cursor``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.safetext import safe_line

from .keys import moving_keys
from .model.format import fit_cells
from .themes import theme_style

if TYPE_CHECKING:
    from .model.format import Cell

GAP = 2


class RowList(ScrollView, can_focus=True):
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    FLEX: ClassVar[str | None] = None
    """The column that gives up width (its text cut with "…") so the rest fit the widget."""
    FLEX_MIN: ClassVar[int] = 16
    FLEX_WANT: ClassVar[int] = 16
    """While the flex column would get less than this (or its whole text), ``DROPS`` go first."""
    SHORT: ClassVar[dict[str, str]] = {}
    """Headers columns take, with a one-space gap, when the flex column would be cut: the width
    a long header ("Unowned" over "-") keeps from the flex column goes to it first."""
    DROPS: ClassVar[tuple[str, ...]] = ()
    """Columns hidden, in this order, while the rest would not fit beside ``FLEX_WANT`` of the flex
    column: a narrow terminal loses its least useful columns whole, not the last ones off screen."""
    BINDINGS: ClassVar = [
        Binding("enter", "select", "Select", show=False, id="rows.select"),
        *moving_keys("rows", "cursor(-1)", "cursor(1)", "page(-1)", "page(1)"),
        Binding("home", "edge(0)", "Top", show=False, id="rows.top"),
        Binding("end", "edge(1)", "Bottom", show=False, id="rows.bottom"),
    ]
    COMPONENT_CLASSES: ClassVar = {"rowlist--header", "rowlist--cursor"}
    DEFAULT_CSS = """
    RowList > .rowlist--header { text-style: bold; background: $panel; }
    RowList > .rowlist--cursor { background: $primary 35%; }
    RowList:focus > .rowlist--cursor { background: $primary 60%; }
    """

    class _RowMessage(Message):
        def __init__(self, rows: RowList, key: str | None) -> None:
            super().__init__()
            self.rows = rows
            self.key = key

        @property
        def control(self) -> RowList:
            return self.rows

    class Highlighted(_RowMessage):
        """The cursor moved to the row ``key`` (``None``: there are no rows)."""

    class Selected(_RowMessage):
        """Enter (or a click) on the row ``key``."""

        key: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: list[str] = []
        self._specs: dict[str, tuple[Cell, ...]] = {}
        self._widths = [len(label) for _, label in self.COLUMNS]
        self._content = [0] * len(self.COLUMNS)
        """The widest cell of each column (headers aside)."""
        self._labels = [label for _, label in self.COLUMNS]
        self._gap = GAP
        self._shown = [True] * len(self.COLUMNS)
        self._strips: dict[str, tuple[tuple, Strip]] = {}
        self.cursor = 0

    # --- the API the lobby (and its tests) use --------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def highlighted_key(self) -> str | None:
        return self._keys[self.cursor] if self._keys else None

    def has_row(self, key: str) -> bool:
        return key in self._specs

    def spec(self, key: str) -> tuple[Cell, ...] | None:
        return self._specs.get(key)

    def keys(self) -> list[str]:
        return list(self._keys)

    def show_rows(self, rows: list[tuple[str, tuple[Cell, ...]]]) -> None:
        """Show exactly ``rows``, in this order; the cursor stays on the same row where it can."""
        keep = self.highlighted_key
        keys = [key for key, _ in rows]
        if keys == self._keys:
            for key, cells in rows:
                self.sync_row(key, cells)
            return
        self._keys = keys
        self._specs = dict(rows)
        self._strips = {key: cached for key, cached in self._strips.items() if key in self._specs}
        self._measure()
        self.cursor = keys.index(keep) if keep in keys else min(self.cursor, max(len(keys) - 1, 0))
        self.refresh()
        self._announce()

    def sync_row(self, key: str, cells: tuple[Cell, ...]) -> bool:
        """Show ``cells`` in row ``key`` (which must be listed); True if anything changed."""
        if self._specs.get(key) == cells:
            return False
        self._specs[key] = cells
        if not self._measure(cells):
            self.refresh_line(self._keys.index(key) + 1)
        return True

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        if not self._keys:
            return
        row = max(0, min(row, len(self._keys) - 1))
        if row != self.cursor:
            old, self.cursor = self.cursor, row
            self.refresh_line(old + 1)
            self.refresh_line(row + 1)
            self._announce()
        self._scroll_to_cursor(animate)

    def restyle(self) -> None:
        self._strips.clear()
        self.refresh()

    # --- keys and mouse -----------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.move_cursor(row=self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor + direction * max(self.size.height - 2, 1))

    def action_edge(self, end: int) -> None:
        self.move_cursor(row=len(self._keys) - 1 if end else 0)

    def action_select(self) -> None:
        if (key := self.highlighted_key) is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y - 1
        if event.y >= 1 and 0 <= row < len(self._keys):
            self.move_cursor(row=row)
            if event.chain > 1:
                self.action_select()

    # --- painting -------------------------------------------------------------------------------

    def _measure_content(self, cells: tuple[Cell, ...] | None) -> None:
        """Each column's widest cell, in terminal cells: over every row, or only widened for ``cells``."""
        if cells is None:
            content = [0] * len(self.COLUMNS)
            for spec in self._specs.values():
                content = [max(width, cell_len(cell_words(cell))) for width, cell in zip(content, spec)]
            self._content = content
        else:
            self._content = [max(width, cell_len(cell_words(cell))) for width, cell in zip(self._content, cells)]

    def _measure(self, cells: tuple[Cell, ...] | None = None) -> bool:
        """Column widths from the rows (only widening for one row's ``cells``); True if they changed."""
        self._measure_content(cells)
        labels = [label for _, label in self.COLUMNS]
        widths, shown, cut = self._fit(labels, GAP)
        gap = GAP
        if cut and self.SHORT:
            labels = [self.SHORT.get(key, label) for key, label in self.COLUMNS]
            gap = 1
            widths, shown, _ = self._fit(labels, gap)
        self.virtual_size = Size(sum(widths) + gap * (sum(shown) - 1), len(self._keys) + 1)
        if widths == self._widths and shown == self._shown and labels == self._labels:
            return False
        self._widths, self._shown, self._labels, self._gap = widths, shown, labels, gap
        self._strips.clear()
        self.refresh()
        return True

    def _fit(self, labels: list[str], gap: int) -> tuple[list[int], list[bool], bool]:
        """Widths under ``labels`` with ``gap`` between columns, which columns show, and whether
        the flex column is cut to fit the widget."""
        widths = [max(content, len(label)) for content, label in zip(self._content, labels)]
        flex = next((i for i, (key, _) in enumerate(self.COLUMNS) if key == self.FLEX), None)
        keys = [key for key, _ in self.COLUMNS]
        shown = [True] * len(widths)

        def needed() -> int:
            least = [min(w, self.FLEX_WANT) if i == flex else w for i, w in enumerate(widths)]
            return sum(w for w, s in zip(least, shown) if s) + gap * (sum(shown) - 1)

        for key in self.DROPS:
            if not self.size.width or needed() <= self.size.width:
                break
            shown[keys.index(key)] = False
        widths = [w if s else 0 for w, s in zip(widths, shown)]
        room = self.size.width - gap * (sum(shown) - 1)
        cut = flex is not None and room > 0 and sum(widths) > room
        if cut:
            assert flex is not None
            widths[flex] = max(self.FLEX_MIN, widths[flex] - (sum(widths) - room))
        return widths, shown, cut

    def _scroll_to_cursor(self, animate: bool) -> None:
        top, visible = self.scroll_offset.y, max(self.size.height - 1, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=animate)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=animate)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.highlighted_key))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = self.scroll_offset.x
        if y == 0:
            header = self._line(tuple(self._labels), self.get_component_rich_style("rowlist--header"))
            return header.crop_extend(scroll_x, scroll_x + width, self.get_component_rich_style("rowlist--header"))
        index = self.scroll_offset.y + y - 1
        base = self.rich_style
        if index >= len(self._keys):
            return Strip.blank(width, base)
        key = self._keys[index]
        cursor = index == self.cursor
        spec = self._specs[key]
        stamp = (spec, cursor, self.has_focus)
        cached = self._strips.get(key)
        if cached is None or cached[0] != stamp:
            style = base + self.get_component_rich_style("rowlist--cursor") if cursor else base
            cached = (stamp, self._line(spec, style))
            self._strips[key] = cached
        style = base + self.get_component_rich_style("rowlist--cursor") if cursor else base
        return cached[1].crop_extend(scroll_x, scroll_x + width, style)

    def _line(self, cells: tuple[Cell, ...], style: Style) -> Strip:
        text = Text(no_wrap=True, end="")
        for cell, width, shown in zip(cells, self._widths, self._shown):
            if not shown:
                continue
            words = fit_cells(cell_words(cell), width)
            piece = Text(words + " " * (width - cell_len(words) + self._gap), no_wrap=True, end="")
            if not isinstance(cell, str):
                piece.stylize(theme_style(self.app, cell[1]), 0, len(words))
            text.append_text(piece)
        segments = [Segment(s.text, style + s.style if s.style else style) for s in text.render(self.app.console)]
        return Strip(segments).simplify()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor + 1)

    def on_resize(self) -> None:
        self._measure()
        self._scroll_to_cursor(False)


def cell_words(cell: Cell) -> str:
    """A cell's text as shown: one line, safe for the terminal."""
    return safe_line(cell if isinstance(cell, str) else cell[0])

