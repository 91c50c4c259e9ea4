"""The board's Workstreams and Responders tables keep each row drawn (``PaneTable``, issue 23 item 3).

A row is rendered once and its strip kept: these tests pin that a kept strip never outlives what
it shows (a row's cells, its column widths, the cursor) and that the look is the DataTable's the
snapshots were taken with (the columns line up under their headers, the cursor's colours win over
a cell's own), which a stale cache or a shifted pad would break without any snapshot of a still
board noticing.
"""

from __future__ import annotations

import subprocess
import sys

from warroom.incident import events as ev
from warroom.tui.screens.story import StoryScreen
from warroom.tui.widgets.workstreams import WorkstreamTable

from .conftest import ready, until


def _open_three(incident) -> None:
    for title in ("Stop the lifecycle rule", "Restore from versioning", "Tell the customers"):
        incident.act("alice", ev.WorkstreamOpened(title=title))


async def three_rows(pilot, *, focused: bool = False) -> WorkstreamTable:
    """The board's Workstreams table once its three rows are shown (and the focus on it)."""
    table = pilot.app.board.workstreams
    await until(pilot, lambda: table.row_count == 3)
    if focused:
        table.focus()
        await until(pilot, lambda: table.has_focus)
    return table


def line_of(table: WorkstreamTable, key: str) -> str:
    return table.render_line(table.keys().index(key) + 1 - int(table.scroll_y)).text


def tail_background(table: WorkstreamTable, y: int):
    """The background of the blank end of line ``y`` (the row's tint)."""
    return list(table.render_line(y))[-1].style.bgcolor


async def test_a_changed_row_is_drawn_anew_and_the_rows_that_did_not_change_are_kept(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test() as pilot:
        await ready(pilot)
        table = await three_rows(pilot)
        assert "unowned" in line_of(table, "WS-2")
        table.render_line(3)
        third = table._strips["WS-3"][1]
        incident.act("alice", ev.WorkstreamClaimed(workstream="WS-2"))  # the owner column keeps its width ("unowned")
        await until(pilot, lambda: table.spec("WS-2")[2] == ("alice", "$you bold"))
        assert "alice" in line_of(table, "WS-2") and "unowned" not in line_of(table, "WS-2")
        table.render_line(3)
        assert table._strips["WS-3"][1] is third  # drawn once, kept while its cells, widths and cursor stay


async def test_a_wider_cell_widens_its_column_and_every_row_stays_under_its_header(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test() as pilot:
        await ready(pilot)
        table = await three_rows(pilot)
        for handle in ("bob", "a-responder-with-a-long-handle"):
            incident.act(handle, ev.ResponderJoined())
        incident.act("a-responder-with-a-long-handle", ev.WorkstreamClaimed(workstream="WS-3"))
        await until(pilot, lambda: table.spec("WS-3")[2] == "a-responder-with-a-long-handle")
        header = table.render_line(0).text
        assert header.startswith(" ID ")
        for key in ("WS-1", "WS-2", "WS-3"):
            row, status = line_of(table, key), table.spec(key)[3]
            assert row.index(key) == header.index("ID")
            assert row[header.index("Status") :].startswith(status if isinstance(status, str) else status[0]), (header, row)
        assert len(header) == table.size.width  # the title column took the width the others left


async def test_the_cursor_row_takes_the_cursors_colours_over_a_cells_own(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test() as pilot:
        await ready(pilot)
        table = await three_rows(pilot, focused=True)
        cursor = table.get_component_rich_style("panetable--cursor")
        unowned = [s for s in table.render_line(1) if s.text == "unowned"]
        assert unowned and unowned[0].style.color == cursor.color and unowned[0].style.bgcolor == cursor.bgcolor
        plain = [s for s in table.render_line(2) if s.text == "unowned"]
        assert plain and plain[0].style.italic and plain[0].style.color != cursor.color  # "$unowned italic" off the cursor
        await pilot.press("j")
        await until(pilot, lambda: table.highlighted_key == "WS-2")
        assert [s for s in table.render_line(1) if s.text == "unowned"][0].style.color != cursor.color  # the kept strip let go
        assert [s for s in table.render_line(2) if s.text == "unowned"][0].style.color == cursor.color


async def test_the_tables_keys_move_the_cursor_and_enter_opens_the_workstream(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test() as pilot:
        await ready(pilot)
        table = await three_rows(pilot, focused=True)
        await pilot.press("end")
        await until(pilot, lambda: table.highlighted_key == "WS-3")
        await pilot.press("home")
        await until(pilot, lambda: table.highlighted_key == "WS-1")
        await pilot.press("down")
        await until(pilot, lambda: table.highlighted_key == "WS-2")
        await pilot.press("enter")
        from warroom.tui.screens.story import StoryScreen

        await until(pilot, lambda: isinstance(app.screen, StoryScreen))
        ids = {binding.id for bindings in table._bindings.key_to_bindings.values() for binding in bindings}
        assert ids >= {"table.up", "table.down", "table.select", "table.top", "table.bottom"}


async def test_a_click_on_a_workstream_opens_it(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test() as pilot:
        await ready(pilot)
        table = await three_rows(pilot)
        await pilot.click(table, offset=(4, 2))  # WS-2's row, under the header
        await until(pilot, lambda: isinstance(app.screen, StoryScreen))
        assert table.highlighted_key == "WS-2" and app.screen.ws_id == "WS-2"


async def test_the_row_under_the_mouse_is_tinted_until_a_key_moves_the_cursor(incident, make_board) -> None:
    _open_three(incident)
    app = make_board("alice")
    async with app.run_test() as pilot:
        await ready(pilot)
        table = await three_rows(pilot)
        plain = table.render_line(3).text, tail_background(table, 3)
        await pilot.hover(table, offset=(4, 3))  # WS-3's row
        hover = table.get_component_rich_style("panetable--hover")
        await until(pilot, lambda: tail_background(table, 3) == hover.bgcolor != plain[1])
        assert table.render_line(3).text == plain[0]
        await pilot.hover(app.board.timeline)
        await until(pilot, lambda: tail_background(table, 3) == plain[1])
        await pilot.hover(table, offset=(4, 3))
        await until(pilot, lambda: tail_background(table, 3) == hover.bgcolor)
        table.focus()
        await pilot.press("j")
        await until(pilot, lambda: table.highlighted_key == "WS-2" and tail_background(table, 3) == plain[1])


def test_the_board_loads_no_data_table() -> None:
    """The board's own tables are ``PaneTable``s: a join never imports Textual's DataTable (its
    module and its long default CSS), only the checklist and action items screens do."""
    code = "import sys, warroom.tui.board.screen; print('textual.widgets._data_table' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
