"""At most two toasts, then "+N more"; never over the detail line or a highlighted row (issue 10, item 9)."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets._toast import Toast

from warroom.incident import events as ev

from .conftest import ready, until


def toasts_shown(app) -> list[Toast]:
    return [t for t in app.screen.query(Toast) if t.parent.display and t.region.height]


def more_line(app) -> str:
    found = [w for w in app.screen.query("#toast-more") if w.display]
    return str(found[0].render()) if found else ""


def highlighted_rows(app) -> list[Region]:
    """The screen rows of the workstream cursor and the highlighted timeline entry, when shown."""
    rows = []
    table, timeline = app.board.workstreams, app.board.timeline
    if table.region.height and table.row_count:
        y = table.content_region.y + table.header_height + table.cursor_row - int(table.scroll_y)
        rows.append(Region(table.content_region.x, y, table.content_region.width, 1))
    if timeline.region.height and timeline.cursor >= 0:
        y = timeline.content_region.y + timeline.cursor - int(timeline.scroll_y)
        rows.append(Region(timeline.content_region.x, y, timeline.content_region.width, 1))
    return rows


def covered(app) -> list[Region]:
    """What toasts must leave visible: the detail line and the highlighted rows."""
    keep = highlighted_rows(app)
    detail = app.screen.query_one("#timeline-detail")
    if detail.region.height:
        keep.append(detail.region)
    return [r for r in keep for t in toasts_shown(app) if t.region.overlaps(r)]


async def burst(pilot, count: int) -> None:
    app = pilot.app
    for n in range(count):
        app.notify(f"broadcast number {n}\nwith a second line", title=f"broadcast {n}", timeout=60)
    await until(pilot, lambda: len(toasts_shown(app)) == min(count, 2) and (count <= 2 or more_line(app)))
    await pilot.pause()
    await pilot.pause()


async def test_three_toasts_show_two_and_collapse_the_rest(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await ready(pilot)
        await burst(pilot, 5)
        assert len(toasts_shown(app)) == 2
        assert more_line(app) == "+3 more"
        assert [str(t.render()).splitlines()[0] for t in toasts_shown(app)] == ["broadcast 3", "broadcast 4"]  # the newest


async def test_toasts_never_cover_the_detail_line_or_the_highlighted_rows(incident, make_board) -> None:
    for n in range(1, 16):
        incident.act("alice", ev.WorkstreamOpened(title=f"Workstream {n}"))
    for n in range(1, 40):
        incident.act("alice", ev.NoteAdded(text=f"note {n}"))
    for size in ((140, 45), (80, 24)):
        app = make_board("alice")
        async with app.run_test(size=size, notifications=True) as pilot:
            await ready(pilot)
            await until(pilot, lambda: app.board.workstreams.row_count == 15)
            await burst(pilot, 3)
            assert covered(app) == [], size
            for keys in (("end",), ("pageup",), ("home",)):  # the workstream cursor at the bottom, middle, top
                await pilot.press(*keys)
                await pilot.pause()
                await pilot.pause()
                assert covered(app) == [], (size, keys)
            app.board.timeline.focus()
            for keys in (("end",), ("pageup",), ("up", "up")):
                await pilot.press(*keys)
                await pilot.pause()
                await pilot.pause()
                assert covered(app) == [], (size, keys)


async def test_toasts_move_clear_of_the_filter_list(incident, make_board) -> None:
    for n in range(1, 40):
        incident.act("alice", ev.NoteAdded(text=f"note {n}"))
    for size in ((140, 45), (80, 24)):
        app = make_board("alice")
        async with app.run_test(size=size, notifications=True) as pilot:
            await ready(pilot)
            await burst(pilot, 2)
            await pilot.press("f")
            await until(pilot, lambda: app.board.timeline.menu is not None)
            area = app.board.timeline.content_region
            height = app.board.timeline.menu.height(area.height)
            listed = Region(area.x, area.bottom - height, area.width, height)
            await until(pilot, lambda: not any(t.region.overlaps(listed) for t in toasts_shown(app)))
            assert len(toasts_shown(app)) == 2, size
