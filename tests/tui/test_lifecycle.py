"""Closing, reopening and linking on the board (issue 10 item 4, issue 13 part 2), under Pilot."""

from __future__ import annotations


from warroom.incident import events as ev
from warroom.links import link_incidents
from warroom.store import FileStore
from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.screens.info import ConfirmScreen
from warroom.tui.widgets.commander import summary_content

from .conftest import SIZE, Incident, notices, ready, screen_shown, type_text, until


async def test_x_lists_what_is_still_open_and_asks_before_closing(incident, make_board) -> None:
    incident.act("alice", ev.StatusChanged(status="mitigated"))
    incident.act("bob", ev.WorkstreamOpened(title="Fail over"))
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("carol", ev.ResponderJoined())
    incident.act("bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="half way"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.box_title == "INC-1 still has open work"
        assert app.screen.message.splitlines()[:3] == [
            "• status is mitigated, not resolved",
            '• WS-1 "Fail over" is active (bob)',
            "• WS-1 is offered to carol (hand-off pending)",
        ]
        await pilot.press("escape")
        assert not isinstance(app.screen, ConfirmScreen) and not app.board.state.closed
        await pilot.press("x")
        await pilot.press("tab", "enter")  # close anyway: never the button Enter starts on
        await screen_shown(pilot, FormScreen, "#field-summary")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.closed and bool(app.board.exported))
    assert incident.state().closed


async def test_at_80x24_a_long_still_open_list_scrolls_and_the_buttons_stay_in_sight(incident, make_board) -> None:
    """Twelve open workstreams: the buttons and keys ran off the box's bottom, leaving no way to answer shown."""
    for n in range(12):
        incident.act("bob", ev.WorkstreamOpened(title=f"Restore bucket {n} from the overnight snapshot"))
    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("x")
        await screen_shown(pilot, ConfirmScreen, "#no")
        box = app.screen.query_one("#box").content_region
        for part in ("#yes", "#no", ".box-hint"):
            await until(pilot, lambda part=part: box.contains_region(app.screen.query_one(part).region))
        await until(pilot, lambda: "↑↓: read the rest" in str(app.screen.query_one(".box-hint").render()))
        scroll = app.screen.query_one("#confirm-scroll")
        await pilot.press("down", "down")
        await until(pilot, lambda: scroll.scroll_y > 0)
        assert app.focused is app.screen.query_one("#no")  # arrows read the list; Enter still starts on Cancel


async def test_x_enter_enter_leaves_an_incident_with_open_work_open(incident, make_board) -> None:
    # Issue 22 part 2 item 1: the commander's x, Enter, Enter closed an unresolved SEV1.
    incident.act("bob", ev.WorkstreamOpened(title="Fail over"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("x")
        await screen_shown(pilot, ConfirmScreen, "#no")
        assert app.screen.focused is not None and app.screen.focused.id == "no"
        await pilot.press("enter", "enter")
        await until(pilot, lambda: not isinstance(app.screen, (ConfirmScreen, FormScreen)))
        assert not app.board.state.closed
    assert not incident.state().closed


async def test_a_closed_board_refuses_notes_but_takes_action_items_and_reexports(incident, make_board, tmp_path) -> None:
    incident.act("alice", ev.StatusChanged(status="resolved"))
    incident.act("alice", ev.IncidentClosed(summary="done"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "INC-1 is closed: it takes only action items (a) and a reopen by its commander (X)" in notices(app)
        await pilot.press("t")
        assert not isinstance(app.screen, FormScreen)  # refused before anything is typed
        assert app.notices[-1] == ("warning", "INC-1 is closed")
        await pilot.press("a")
        await type_text(pilot, "Lock timeout on migrations")
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.board.exported))
    assert [e.type for e in incident.state().timeline if not e.rejected][-1] == "action_item_added"
    assert "Lock timeout on migrations" in (tmp_path / "exports" / "INC-1-postmortem.md").read_text(encoding="utf-8")


async def test_capital_x_reopens_for_the_commander_with_a_reason(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    incident.act("alice", ev.IncidentClosed())
    bob = make_board("bob")
    async with bob.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("X")
        assert "only the commander can reopen the incident" in notices(bob)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("X")
        await screen_shown(pilot, FormScreen, "#field-reason")
        await type_text(pilot, "errors are back")
        await pilot.press("enter")
        await until(pilot, lambda: not app.board.state.closed)
        assert "INC-1 is open again" in notices(app)
    assert incident.state().timeline[-1].text == "reopened the incident: errors are back"


async def test_links_show_in_the_commander_pane_and_a_merge_tells_the_duplicates_responders(store_dir, make_board) -> None:
    primary, duplicate = Incident(store_dir, "INC-1"), Incident(store_dir, "INC-2")
    primary.declare("alice", title="Checkout 500s")
    duplicate.declare("bob", title="Payments failing")
    duplicate.act("carol", ev.ResponderJoined())
    app = make_board("carol", incident_id="INC-2")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        store_of_inc2 = app.board.room.store
        store = FileStore(store_dir)
        await link_incidents(store, "bob", "INC-2", "INC-1", "duplicate-of")
        await store.aclose()
        await until(pilot, lambda: app.board.state.closed)
        await until(pilot, lambda: "carry on in INC-1 (warroom join INC-1)" in notices(app))
        assert "INC-2 is a duplicate of INC-1 and is closed" in notices(app)
        shown = summary_content(app.board.state, "carol", app.board.clock(), app.board.policy).plain
        assert "Linked    a duplicate of INC-1 “Checkout 500s”" in shown and "closed" in shown
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.box_title == "INC-2 is a duplicate of INC-1" and app.screen.yes == "Join INC-1"
        await pilot.press("enter")
        await until(pilot, lambda: app.board.room.incident_id == "INC-1" and app.board.ready)
        assert app.board.room.store is store_of_inc2  # INC-1's board replaced INC-2's, on the same store
        assert app.board.state.title == "Checkout 500s"


async def test_d_declares_a_secondary_incident_caused_by_this_one(incident, make_board, store_dir) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("D")
        await screen_shown(pilot, FormScreen, "#field-title")
        await type_text(pilot, "Replica lag after the failover")
        await pilot.press("enter")
        await until(pilot, lambda: "declared INC-2, caused by INC-1" in notices(app))
        await until(pilot, lambda: bool(app.board.state.links))
        assert "caused INC-2 “Replica lag after the failover”" in summary_content(app.board.state, "alice", app.board.clock(), app.board.policy).plain
    secondary = Incident(store_dir, "INC-2").state()
    assert secondary.commander == "alice" and secondary.title == "Replica lag after the failover"
    assert [(link.incident, link.kind) for link in secondary.links] == [("INC-1", "caused-by")]
    assert [(link.incident, link.kind) for link in incident.state().links] == [("INC-2", "causes")]


def test_the_commander_pane_puts_each_linked_title_beside_its_own_id() -> None:
    from datetime import timedelta

    from tests.builder import LogBuilder
    from warroom.config import Config

    log = LogBuilder("INC-1")
    log.declare("alice")
    log.add("bob", ev.IncidentLinked(incident="INC-3", kind="duplicated-by", title="checkout errors", mirror=True))
    log.add("carol", ev.IncidentLinked(incident="INC-2", kind="causes", title="EU payments", mirror=True))
    state = log.state()
    shown = summary_content(state, "alice", state.declared_at + timedelta(minutes=1), Config().policy).plain
    assert "INC-3 “checkout errors” is a duplicate of this; caused INC-2 “EU payments”" in " ".join(shown.split())
