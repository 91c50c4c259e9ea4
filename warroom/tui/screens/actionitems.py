"""The action items modal (``A``): every follow-up of this incident, and the keys that move one on.

Action items used to be write-only on the board (``a`` added one; only the CLI and the
post-mortem showed them), so a typo'd owner went unnoticed until the review. Here each
item shows its owner (marked when they are not a responder of this incident), kind,
status and due date, and the same status changes the CLI allows -- start, done, won't do
(with a reason), reopen -- and an edit of text, owner and due date run as the board's own
actions, so the rules judge them first.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from warroom.incident import IncidentState
from warroom.incident.state import ActionItem
from warroom.safetext import safe_block

from ..widgets.table import BoardTable, Cell
from .info import BOX_CSS
from .live import LiveModal


def item_cells(item: ActionItem, state: IncidentState, today: date) -> tuple[Cell, ...]:
    if item.owner is None:
        owner: Cell = ("nobody", "$unowned italic")
    elif item.owner in state.responders:
        owner = item.owner
    else:
        owner = (f"{item.owner} (not a responder)", "$pending")
    status: Cell = ("done", "$refused") if item.status == "done" else item.status_text
    if item.due is None:
        due: Cell = "-"
    elif item.is_overdue(today):
        due = (f"{item.due:%Y-%m-%d} OVERDUE", "$stale bold")
    else:
        due = f"{item.due:%Y-%m-%d}"
    return ((item.id, "bold"), status, due, owner, item.kind, item.text)


class ActionItemTable(BoardTable):
    # The action text last: it is the one column that may run off a narrow terminal.
    COLUMNS = (("id", "ID"), ("status", "Status"), ("due", "Due"), ("owner", "Owner"), ("kind", "Kind"), ("text", "Action"))

    def show(self, state: IncidentState, today: date) -> None:
        for item in state.action_items:
            self.sync_row(item.id, item_cells(item, state, today))


class ActionItemsScreen(LiveModal):
    DEFAULT_CSS = BOX_CSS.format(name="ActionItemsScreen") + """
    ActionItemsScreen > #box { width: 120; }
    ActionItemsScreen ActionItemTable { height: auto; max-height: 20; }
    ActionItemsScreen #action-item-detail { color: $text-muted; margin-top: 1; height: auto; }
    """
    BINDINGS: ClassVar = [
        Binding("escape,q", "close", "Close", id="action_items.close"),
        Binding("a", "add", "add", id="action_item"),
        Binding("s", "move('in_progress')", "start", id="action_items.start"),
        Binding("d", "move('done')", "done", id="action_items.done"),
        Binding("w", "move('wont_do')", "won't do", id="action_items.wont_do"),
        Binding("o", "move('open')", "reopen", id="action_items.reopen"),
        Binding("e", "edit", "edit", id="action_items.edit"),
    ]

    def compose(self) -> ComposeResult:
        self.table = ActionItemTable(id="action-items")
        with Vertical(id="box"):
            yield Label("Action items", classes="box-title")
            yield self.table
            yield Static("", id="action-items-empty")
            yield Static("", id="action-item-detail", markup=False)
            yield Static(
                "s: start   d: done   w: won't do (why)   o: reopen   e: edit   a: add one   esc: back to the board",
                classes="box-hint",
            )

    def on_mount(self) -> None:  # then LiveModal's: the first redraw, and the redraws after
        self.table.focus()

    def redraw(self) -> None:
        state = self.board.state
        self.drawn()
        self.table.show(state, self.board.clock().date())
        empty = "" if state.action_items else "No action items yet: a adds one (what should change after this incident)."
        self.query_one("#action-items-empty", Static).update(empty)

    def on_data_table_row_highlighted(self, event: BoardTable.RowHighlighted) -> None:
        """The highlighted item in full: its text may run off a narrow terminal's last column."""
        item = self.board.state.action_item(event.row_key.value or "")
        if item is not None:
            added = f"{item.id}, added by {item.added_by}: {item.text}"
            self.query_one("#action-item-detail", Static).update(safe_block(added))

    async def action_add(self) -> None:
        await self.board.controller.run("action_item")

    async def action_edit(self) -> None:
        """Its text, owner or due date (kind and status keep their own keys)."""
        item = self.table.highlighted_key
        if item is None:
            self.board.controller.refuse("there are no action items yet: a adds one")
            return
        await self.board.controller.run("action_item_edit", item=item)

    async def action_move(self, status: str) -> None:
        item = self.table.highlighted_key
        if item is None:
            self.board.controller.refuse("there are no action items yet: a adds one")
            return
        await self.board.controller.run("action_item_status", item=item, status=status)
