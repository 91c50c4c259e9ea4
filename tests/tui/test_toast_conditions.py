"""Toasts that stay in their place (issue 22 part 2 item 5): a toast about a condition goes when
the condition does; "+N more" never lands on a pane's border or title; over a modal (the
catch-up screen at 80×24) no toast covers it."""

from __future__ import annotations

from datetime import timedelta

from textual.geometry import Region

from warroom.incident import events as ev
from warroom.incident.rules import INTEGRATION
from warroom.tui.screens.info import CatchUpScreen

from .conftest import SIZE, ready, until
from .test_toast_stack import burst, more_line, toasts_shown
from .test_update_reminder import Clock, board


def _shown_messages(app) -> list[str]:
    return [str(t.render()) for t in toasts_shown(app)]


async def test_the_overdue_toast_goes_once_the_update_is_sent(incident, store_dir, tmp_path) -> None:
    clock = Clock()
    app = board(store_dir, tmp_path, "alice", clock, bell=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(pilot)
        clock.offset = timedelta(minutes=25)  # SEV1: an update every 20 minutes
        await until(pilot, lambda: any("OVERDUE" in m for m in _shown_messages(app)))
        sent = incident.act("alice", ev.BroadcastSent(text="we are restoring from versioning", audience="stakeholders"))
        await until(pilot, lambda: app.board.state.seq >= sent.seq, tries=1500)  # the log is followed, not pushed
        # The log stamps the update in real time, so the board's clock (25 min ahead) would find
        # it overdue again at once: a new lapse, whose new toast replaced the old one (the test
        # passed only when it looked between the two). A minute after the update, nothing is owed.
        clock.offset = timedelta(minutes=1)
        await until(pilot, lambda: not app.board.header.overdue and not any("OVERDUE" in m for m in _shown_messages(app)))


async def test_the_set_status_mitigated_toast_goes_once_it_is_mitigated(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    fired = ev.AlertFired(group="g", fingerprint="f1", name="disk full", starts_at=incident.state().declared_at)
    incident.store.append_sync(incident.id, ev.EventDraft(actor="alertmanager", body=fired), INTEGRATION)
    app = make_board("alice")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(pilot)
        resolved = ev.AlertResolved(group="g", fingerprint="f1", name="disk full")
        incident.store.append_sync(incident.id, ev.EventDraft(actor="alertmanager", body=resolved), INTEGRATION)
        await until(pilot, lambda: any("set status mitigated" in m for m in _shown_messages(app)))
        incident.act("alice", ev.StatusChanged(status="mitigated"))  # from the CLI
        await until(pilot, lambda: app.board.state.status == "mitigated", tries=1500)
        await until(pilot, lambda: not any("set status mitigated" in m for m in _shown_messages(app)))


def _more_region(app) -> Region:
    return next(w for w in app.screen.query("#toast-more") if w.display).region


async def test_more_is_never_on_a_pane_border_or_title(incident, make_board) -> None:
    for n in range(1, 6):
        incident.act("alice", ev.WorkstreamOpened(title=f"Workstream {n}"))
    for size in ((80, 24), (120, 36)):
        app = make_board("alice")
        async with app.run_test(size=size, notifications=True) as pilot:
            await ready(pilot)
            await burst(pilot, 5)
            await until(pilot, lambda: more_line(app) == "+3 more")
            await pilot.pause()
            more = _more_region(app)
            for pane in app.screen.query(".pane"):
                if not (pane.display and pane.region.height):
                    continue
                area = pane.region
                borders = [  # top and bottom rows (the title on the top one), left and right columns
                    Region(area.x, area.y, area.width, 1),
                    Region(area.x, area.bottom - 1, area.width, 1),
                    Region(area.x, area.y, 1, area.height),
                    Region(area.right - 1, area.y, 1, area.height),
                ]
                assert not any(more.overlaps(border) for border in borders), (size, pane.id, more)
            assert len(toasts_shown(app)) <= 2


async def test_toasts_never_cover_the_catch_up_screen_at_80x24(incident, make_board) -> None:
    for n in range(1, 8):
        incident.act("alice", ev.WorkstreamOpened(title=f"Workstream {n}"))
        incident.act("alice", ev.NoteAdded(text=f"note {n}"))
    app = make_board("bob")  # a newcomer: the catch-up first
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot, dismiss_catch_up=False)
        await until(pilot, lambda: isinstance(app.screen, CatchUpScreen))
        for n in range(4):
            app.notify(f"broadcast number {n}\nwith a second line", title=f"broadcast {n}", timeout=60)
        await until(pilot, lambda: len(list(app.screen.query("Toast"))) == 4)
        await pilot.pause()
        await pilot.pause()
        box = next(child for child in app.screen.children if child.id == "box").region
        await until(pilot, lambda: not any(t.region.overlaps(box) for t in toasts_shown(app)))
        more = [w for w in app.screen.query("#toast-more") if w.display]
        assert all(not w.region.overlaps(box) for w in more)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await until(pilot, lambda: len(toasts_shown(app)) == 2)
