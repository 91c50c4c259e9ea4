"""Where toasts go: at most two at a time, never over what a key would act on, a pane's title
or border, or a modal.

Textual stacks every live notification bottom right, so three arriving together (~14
rows) covered the timeline's detail line and the highlighted row, "+N more" overwrote pane
borders and the Timeline title, and at 80×24 toasts covered the catch-up screen. Here the
newest ``MAX_SHOWN`` toasts show and older live ones collapse into one "+N more" line (each
still expires on its own timer). On the board the stack sits just above the detail line,
or higher when that would cover the highlighted workstream or timeline row or a pane's
title; the "+N more" line never lands on a pane's border row. Over a modal the stack goes
where the modal is not, with fewer toasts (down to the "+N more" line alone) when it does
not fit, and out of sight when nothing does: a modal is never covered.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from rich.cells import cell_len
from textual.geometry import Region
from textual.screen import Screen
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from .textual_private import Toast, ToastHolder, ToastRack
from .widgets.panetable import PaneTable

MAX_SHOWN = 2
_MORE: weakref.WeakKeyDictionary[ToastRack, Static] = weakref.WeakKeyDictionary()
"""Each rack's "+N more" label (kept, so its words change even before it has mounted)."""
TOAST_ROWS_GUESS = 3
"""A toast's rows before it has been laid out (its margin comes on top)."""


def arrange(screen: Screen) -> None:
    """Collapse and place ``screen``'s toasts (call after notifications change, the cursor moves, or a resize)."""
    racks = list(screen.query_children(ToastRack))
    if not racks:
        return
    rack = racks[0]
    holders = list(rack.query_children(ToastHolder))
    if not holders:
        for line in rack.query_children("#toast-more-line"):
            line.display = False
        if (label := _MORE.get(rack)) is not None:
            label.display = False
        return  # nothing to place; moving an empty rack would only ask for another layout
    if rack not in _MORE:
        # Like Textual's ToastHolder: an invisible full-width row, so only the words cover anything.
        _MORE[rack] = Static(_more_words(len(holders), MAX_SHOWN), id="toast-more")
        rack.mount(Horizontal(_MORE[rack], id="toast-more-line"), before=0)
    _place(screen, rack)
    screen.call_after_refresh(_place, screen, rack)  # again once the toasts have their height


def _place(screen: Screen, rack: ToastRack) -> None:
    holders = list(rack.query_children(ToastHolder))
    lines = list(rack.query_children("#toast-more-line"))
    if not holders:
        return
    if screen.is_modal:
        shown, top = _over_a_modal(screen, holders)
    else:
        shown, top = _on_the_board(screen, holders)
    for index, holder in enumerate(holders):
        holder.display = index >= len(holders) - shown
    hidden = len(holders) - shown
    for line in lines:
        line.display = bool(hidden) and top is not None
    if (label := _MORE.get(rack)) is not None:
        label.update(_more_words(len(holders), shown))
        label.display = bool(hidden) and top is not None
    rack.styles.dock = "top"
    rack.styles.align_vertical = "top"
    if top is None:
        rack.styles.margin = (screen.size.height, 0, 0, 0)  # below the last row: out of sight
    elif rack.styles.margin.top != top:
        rack.styles.margin = (top, 0, 0, 0)  # the rack has its own layer: the header does not push it down


def _more_words(count: int, shown: int) -> str:
    hidden = count - shown
    return f"+{hidden} more" if shown else f"{hidden} notification{'s' if hidden != 1 else ''}"


def _on_the_board(screen: Screen, holders: Sequence[ToastHolder]) -> tuple[int, int]:
    width, height = screen.size
    detail = _shown(screen, "#timeline-detail")
    floor = detail.region.y if detail is not None else height - 1  # the detail line, else the footer
    highlighted, titles = _highlighted_rows(screen), _pane_titles(screen)
    borders = _pane_border_rows(screen)
    shown = min(MAX_SHOWN, len(holders))
    collapsed = len(holders) > shown
    needed = _height(holders[len(holders) - shown :], collapsed)
    # As low as it fits without covering a highlighted row or a title (low: away from the header
    # and the cursor's usual place), with the "+N more" line (the stack's first) off every border;
    # on a screen too short for that, the titles give way before the rows a key acts on.
    for keep_clear in (highlighted + titles, highlighted):
        for y in range(floor - needed, 0, -1):
            if collapsed and y in borders:
                continue
            if not any(Region(0, y, width, needed).overlaps(row) for row in keep_clear):
                return shown, y
    return shown, max(floor - needed, 1)


def _over_a_modal(screen: Screen, holders: Sequence[ToastHolder]) -> tuple[int, int | None]:
    """The most toasts that fit beside the modal's box, and where (``None``: nowhere)."""
    width, height = screen.size
    boxes = [child.region for child in screen.children if not isinstance(child, ToastRack) and child.display and child.region]
    for shown in range(min(MAX_SHOWN, len(holders)), -1, -1):
        needed = _height(holders[len(holders) - shown :], len(holders) > shown)
        for y in range(height - needed, -1, -1):
            if not any(Region(0, y, width, needed).overlaps(box) for box in boxes):
                return shown, y
    return 0, None


def _height(holders: Sequence[ToastHolder], collapsed: bool) -> int:
    """The rows ``holders`` take, with the "+N more" line when ``collapsed``."""
    rows = 0
    for holder in holders:
        toasts = list(holder.query_children(Toast))
        rows += 1 + (toasts[0].region.height if toasts and toasts[0].region.height else TOAST_ROWS_GUESS)  # margin + toast
    return rows + int(collapsed)


def _shown(screen: Screen, selector: str) -> Widget | None:
    found = list(screen.query(selector))
    if found and found[0].display and found[0].region.height and all(a.display for a in found[0].ancestors if a is not screen.app):
        return found[0]
    return None


def _panes(screen: Screen) -> list[Widget]:
    return [pane for pane in screen.query(".pane") if pane.display and pane.region.height]


def _pane_border_rows(screen: Screen) -> set[int]:
    """The rows a pane's top or bottom border is drawn on."""
    return {y for pane in _panes(screen) for y in (pane.region.y, pane.region.bottom - 1)}


def _pane_titles(screen: Screen) -> list[Region]:
    """Where each pane's title sits on its top border."""
    titles = []
    for pane in _panes(screen):
        title = str(pane.border_title or "")
        if title:
            titles.append(Region(pane.region.x, pane.region.y, cell_len(title) + 4, 1))
    return titles


def _highlighted_rows(screen: Screen) -> list[Region]:
    rows: list[Region] = []
    table = _shown(screen, "#workstreams")
    if isinstance(table, PaneTable) and table.row_count:
        top = table.content_region.y + table.header_height
        y = top + table.cursor_row - int(table.scroll_y)
        if top <= y < table.content_region.bottom:
            rows.append(Region(table.content_region.x, y, table.content_region.width, 1))
    timeline = _shown(screen, "#timeline")
    cursor = getattr(timeline, "cursor", -1)
    if timeline is not None and cursor >= 0:
        y = timeline.content_region.y + cursor - int(timeline.scroll_y)
        if timeline.content_region.y <= y < timeline.content_region.bottom:
            rows.append(Region(timeline.content_region.x, y, timeline.content_region.width, 1))
    menu_top = getattr(timeline, "menu_top", None)
    if timeline is not None and getattr(timeline, "menu", None) is not None and menu_top is not None:  # the f list, over the timeline's foot
        area, top = timeline.content_region, menu_top()
        rows.append(Region(area.x, area.y + top, area.width, area.height - top))
    return rows
