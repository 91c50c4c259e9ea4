"""The checklist view (``l``): the playbook's items, your role's first, and its fields.

A commander under pressure forgets the step the playbook exists for (stop the automation
before hunting the cause; tell support before the customers do). Here every item shows
whose it is, its stage, whether it is required before close, and who ticked it when;
space ticks or unticks the highlighted one, ``a`` adds one (commander), ``f`` sets a field.
``Req`` marks the items required before close (``*``; amber while not ticked).
Each is an event on the timeline, run as the board's own actions so the rules judge it first.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.scalar import Scalar
from textual.content import Content
from textual.widgets import Label, Static

from warroom.incident import IncidentState
from warroom.incident.playbook import ChecklistItem, for_role, show_value
from warroom.safetext import safe_block, safe_line

from ..widgets.table import BoardTable, Cell
from .info import BOX_CSS
from .live import LiveModal


def item_cells(item: ChecklistItem, mine: bool) -> tuple[Cell, ...]:
    done: Cell = ("[x]", "$refused") if item.done else ("[ ]", "bold" if item.required else "")
    role: Cell = (item.role, "$you bold") if mine else item.role
    required: Cell = ("*", "$warning bold") if item.required and not item.done else ("*" if item.required else "")
    by = f"{item.by} {item.at:%H:%M}" if item.done and item.by and item.at else ""
    return (done, (item.id, "bold"), role, item.stage, required, by, item.text)


def fields_content(state: IncidentState) -> Content:
    """``Fields  Customers affected 1,200 · Objects lost -`` (unset required ones marked)."""
    if not state.fields:
        return Content("")
    parts: list[str | tuple[str, str]] = [("Fields  ", "bold")]
    for n, found in enumerate(state.fields.values()):
        parts.append(" · " if n else "")
        unset = found.value is None
        parts += [safe_line(found.label) + " ", (safe_line(show_value(found.kind, found.value)), "$warning" if unset and found.required else "bold")]
    return Content.assemble(*parts)


class ChecklistTable(BoardTable):
    # The item's text last: the one column that may run off a narrow terminal (the detail line has it whole).
    COLUMNS = (("done", "Done"), ("id", "ID"), ("role", "Role"), ("stage", "Stage"), ("required", "Req"), ("by", "Ticked by"), ("text", "Item"))
    FLEX = "text"

    def show(self, state: IncidentState, roles: list[str]) -> None:
        """Rows in ``for_role`` order as first drawn; later ticks change cells in place, never the order."""
        for item in for_role(state.checklist, roles):
            self.sync_row(item.id, item_cells(item, item.role in roles))


class ChecklistScreen(LiveModal):
    DEFAULT_CSS = BOX_CSS.format(name="ChecklistScreen") + """
    ChecklistScreen > #box { width: 120; }
    ChecklistScreen ChecklistTable { height: auto; }
    ChecklistScreen #checklist-fields { margin-top: 1; height: auto; }
    ChecklistScreen #checklist-detail { color: $text-muted; margin-top: 1; height: auto; }
    """
    BINDINGS: ClassVar = [
        Binding("escape,q,l", "close", "Close", id="checklist.close"),
        Binding("space,x", "tick", "tick / untick", id="checklist.tick"),
        Binding("a", "add", "add an item", id="checklist.add"),
        Binding("f", "set_field", "set a field", id="checklist.field"),
    ]

    def compose(self) -> ComposeResult:
        self.table = ChecklistTable(id="checklist")
        with Vertical(id="box"):
            yield Label("Checklist", classes="box-title", id="checklist-title")
            yield self.table
            yield Static("", id="checklist-empty")
            yield Static("", id="checklist-fields")
            yield Static("", id="checklist-detail", markup=False)
            yield Static("space: tick / untick   a: add an item (commander)   f: set a field   esc: back to the board", classes="box-hint")

    def on_mount(self) -> None:  # then LiveModal's: the first redraw, and the redraws after
        self.table.focus()

    def redraw(self) -> None:
        state = self.board.state
        self.drawn()
        roles = state.roles_of(self.board.me)
        self.table.show(state, roles)
        done = sum(item.done for item in state.checklist.values())
        playbook = f" · {state.playbook} playbook" if state.playbook else ""
        mine = f" · {', '.join(roles)} first" if roles else ""
        self.query_one("#checklist-title", Label).update(f"Checklist{playbook} · {done}/{len(state.checklist)} done{mine}")
        empty = "" if state.checklist else "No checklist: declare with a playbook to have one, or a adds an item (commander)."
        self.query_one("#checklist-empty", Static).update(empty)
        self.query_one("#checklist-empty", Static).display = bool(empty)
        self.query_one("#checklist-fields", Static).update(fields_content(state))

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_table)

    def _fit_table(self) -> None:
        """The table gets the rows the box has left (it scrolls), so the fields, the highlighted
        item and the keys stay in sight: on an 80x24 terminal they ran off the box's bottom."""
        box = self.query_one("#box")
        box_rows = int(self.size.height * 0.9) - box.styles.gutter.height  # the box's max-height: 90%
        others = sum(
            widget.outer_size.height + widget.styles.margin.height
            for widget in box.children
            if widget is not self.table and widget.display
        )
        fit = max(3, box_rows - others)
        if self.table.styles.max_height != Scalar.from_number(fit):
            self.table.styles.max_height = fit

    def on_data_table_row_highlighted(self, event: BoardTable.RowHighlighted) -> None:
        """The highlighted item in full: its text may run off a narrow terminal's last column."""
        item = self.board.state.checklist.get(event.row_key.value or "")
        if item is not None:
            added = f", added by {item.added_by}" if item.added_by else ""
            self.query_one("#checklist-detail", Static).update(safe_block(f"{item.id} ({item.role}, {item.stage}{added}): {item.text}"))

    async def action_tick(self) -> None:
        item = self.table.highlighted_key
        if item is None:
            self.board.controller.refuse("there is no checklist item to tick")
            return
        await self.board.controller.run("checklist_tick", item=item)

    async def action_add(self) -> None:
        await self.board.controller.run("checklist_add")

    async def action_set_field(self) -> None:
        await self.board.controller.run("set_field")
