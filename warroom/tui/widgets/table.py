"""A DataTable that updates a row cell by cell, and only the cells that changed.

Rows are described as *specs*: plain text, or ``(text, style)`` where the style names
theme variables (``"$stale bold"``). Specs compare cheaply, so a redraw after an event
touches only the cells whose words or colour changed; the theme is applied when a spec
becomes a Rich ``Text`` (again, for every cell, when the theme changes).

Columns take the width there is: every column is as wide as its widest cell except the
``FLEX`` one, which gets the rest of the pane (cut with an ellipsis when the pane is too
narrow for all of it), so a long title never leaves half the pane empty and a long
cell never pushes the last column off screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style as RichStyle
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from warroom.safetext import safe_line

from ..keys import moving_keys
from ..model.format import Cell
from ..themes import theme_style

__all__ = ["BoardTable", "Cell"]



class BoardTable(DataTable):
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    FLEX: ClassVar[str | None] = None
    """The column that takes the width the others leave."""
    DEFAULT_CSS = """
    BoardTable { scrollbar-gutter: stable; overflow-x: hidden; }
    """
    BINDINGS: ClassVar = [
        Binding("enter", "select_cursor", "Select", show=False, id="table.select"),
        *moving_keys("table"),
        Binding("left", "cursor_left", "Left", show=False, id="table.left"),
        Binding("right", "cursor_right", "Right", show=False, id="table.right"),
        Binding("home", "scroll_top", "Top", show=False, id="table.top"),
        Binding("end", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=True)
        self._specs: dict[str, tuple[Cell, ...]] = {}
        for key, label in self.COLUMNS:
            # Text, not str: DataTable reads a str label as markup, and rich's markup imports its
            # table of emoji codes on first use (~3 ms of a join's CPU) for plain column names.
            self.add_column(Text(label), key=key)

    @property
    def highlighted_key(self) -> str | None:
        """The row key under the cursor, or ``None`` for an empty table."""
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None

    def has_row(self, key: str) -> bool:
        return key in self._specs

    def spec(self, key: str) -> tuple[Cell, ...] | None:
        """The cells last shown for ``key`` (for tests and for what changed)."""
        return self._specs.get(key)

    def sync_row(self, key: str, cells: tuple[Cell, ...]) -> bool:
        """Show ``cells`` in row ``key``, adding the row if new; True if anything changed."""
        old = self._specs.get(key)
        if old == cells:
            return False
        self._specs[key] = cells
        if old is None:
            self.add_row(*(self._text(cell) for cell in cells), key=key)
        else:
            for (column, _), before, after in zip(self.COLUMNS, old, cells):
                if before != after:
                    self.update_cell(key, column, self._text(after), update_width=True)
        self._fit_columns()
        return True

    def keep_only(self, keys: set[str]) -> None:
        """Remove the rows whose key is not in ``keys`` (a replay going back in time)."""
        for key in [key for key in self._specs if key not in keys]:
            del self._specs[key]
            self.remove_row(key)
        self._fit_columns()

    def on_resize(self) -> None:
        self._fit_columns()
        self.call_after_refresh(self._show_cursor_row)

    def _show_cursor_row(self) -> None:
        """After a resize the highlighted row stays on screen (a key acts on the row you see)."""
        if self.row_count:
            self._scroll_cursor_into_view(animate=False)

    def _fit_columns(self) -> None:
        if self.FLEX is None or not self.size.width:
            return
        others = 0
        for index, (key, label) in enumerate(self.COLUMNS):
            if key != self.FLEX:
                natural = max([cell_len(label), *(cell_len(_words(cells[index])) for cells in self._specs.values())])
                others += natural + 2 * self.cell_padding
        flex = self.columns[self.FLEX]  # type: ignore[index]  # a column's key is its str (ColumnKey hashes and compares as one)
        width = max(cell_len(str(flex.label)), self.scrollable_content_region.width - others - 2 * self.cell_padding)
        if flex.auto_width or flex.width != width:
            flex.auto_width, flex.width = False, width
            self._require_update_dimensions = True
            self._clear_caches()  # rendered cells are cached without their width
            self.refresh()

    def restyle(self) -> None:
        """Re-apply theme colours to every cell (after a theme change)."""
        for key, cells in self._specs.items():
            for (column, _), cell in zip(self.COLUMNS, cells):
                self.update_cell(key, column, self._text(cell))

    def _text(self, cell: Cell) -> Text:
        if isinstance(cell, str):
            return Text(safe_line(cell), no_wrap=True, overflow="ellipsis")
        text, style = cell
        return Text(safe_line(text), style=self._rich_style(style), no_wrap=True, overflow="ellipsis")

    def _rich_style(self, spec: str) -> RichStyle:
        return theme_style(self.app, spec)


def _words(cell: Cell) -> str:
    return safe_line(cell if isinstance(cell, str) else cell[0])
