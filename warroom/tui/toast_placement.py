"""Where toasts go: at most two at a time, and never over what a key would act on.

Textual stacks every live notification bottom right, so three arriving together (~14
rows) covered the timeline's detail line and the highlighted row. Here the newest
``MAX_SHOWN`` toasts show and older live ones collapse into one "+N more" line (each
still expires on its own timer); the stack sits just above the detail line, or under
the header when that would cover the highlighted workstream or timeline row.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import DataTable, Static

from .textual_private import Toast, ToastHolder, ToastRack

MAX_SHOWN = 2


def arrange(screen: Screen) -> None:
    """Collapse and place ``screen``'s toasts (call after notifications change, the cursor moves, or a resize)."""
    racks = list(screen.query_children(ToastRack))
    if not racks:
        return
    rack = racks[0]
    holders = list(rack.query_children(ToastHolder))
    for index, holder in enumerate(holders):
        holder.display = index >= len(holders) - MAX_SHOWN
    hidden = max(0, len(holders) - MAX_SHOWN)
    more = list(rack.query_children("#toast-more").results(Static))
    if hidden and not more:
        label = Static(id="toast-more")
        rack.mount(label, before=0)
        more = [label]
    for label in more:
        if hidden:
            label.update(f"+{hidden} more")
        label.display = bool(hidden)
    if not holders:
        return  # nothing to place; moving an empty rack would only ask for another layout
    _place(screen, rack)
    screen.call_after_refresh(_place, screen, rack)  # again once the toasts have their height


def _place(screen: Screen, rack: ToastRack) -> None:
    width, height = screen.size
    detail = _shown(screen, "#timeline-detail")
    floor = detail.region.y if detail is not None else height - 1  # the detail line, else the footer
    needed = _height(rack)
    keep_clear = _highlighted_rows(screen)
    # As low as it fits without covering a highlighted row (low: away from the header and the cursor's usual place).
    top = next(
        (y for y in range(floor - needed, 0, -1) if not any(Region(0, y, width, needed).overlaps(row) for row in keep_clear)),
        max(floor - needed, 1),
    )
    rack.styles.dock = "top"
    rack.styles.align_vertical = "top"
    if rack.styles.margin.top != top:
        rack.styles.margin = (top, 0, 0, 0)  # the rack has its own layer: the header does not push it down


def _height(rack: ToastRack) -> int:
    """The stack's rows (the rack itself is invisible to layout: its toasts are what shows)."""
    rows = 0
    for holder in rack.query_children(ToastHolder):
        if holder.display:
            toasts = list(holder.query_children(Toast))
            rows += 1 + (toasts[0].region.height if toasts and toasts[0].region.height else 3)  # margin + toast
    return rows + sum(1 for label in rack.query_children("#toast-more") if label.display)


def _shown(screen: Screen, selector: str):
    found = list(screen.query(selector))
    if found and found[0].display and found[0].region.height and all(a.display for a in found[0].ancestors if a is not screen.app):
        return found[0]
    return None


def _highlighted_rows(screen: Screen) -> list[Region]:
    rows: list[Region] = []
    table = _shown(screen, "#workstreams")
    if isinstance(table, DataTable) and table.row_count:
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
    if timeline is not None and getattr(timeline, "menu", None) is not None:  # the f list, over the timeline's foot
        area, top = timeline.content_region, timeline.menu_top()
        rows.append(Region(area.x, area.y + top, area.width, area.height - top))
    return rows
