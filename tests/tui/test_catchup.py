"""The catch-up on the board (issue 10 item 10): the state now first, then what changed, people's
notes included and routine lines counted, for a returning responder and a newcomer alike."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.screens.info import CatchUpScreen

from .conftest import SIZE, screen_shown


async def test_a_newcomer_sees_the_state_and_the_notes_not_a_wall_of_opened_lines(incident, make_board) -> None:
    for n in range(1, 13):
        incident.act("alice", ev.WorkstreamOpened(title=f"Region {n}"))
    incident.act("carol", ev.ResponderJoined())
    incident.act("carol", ev.WorkstreamClaimed(workstream="WS-3"))
    incident.act("carol", ev.NoteAdded(text="Replica lag back to 2s after failover"))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, CatchUpScreen, "#catchup-lines")
        lines = str(app.screen.query_one("#catchup-lines").render()).splitlines()
    assert lines[0] == "Now" and lines[1] == "  SEV1 · investigating · commander alice"
    assert "  you own no workstream" in lines
    changed = lines[lines.index("What happened so far") + 1 :]
    assert changed[0] == "  12 workstreams opened by alice"
    assert any(line.endswith("carol: Replica lag back to 2s after failover") for line in changed)
    assert not any("opened WS-" in line or "earlier" in line for line in lines)


async def test_back_from_a_break_you_see_what_you_own_and_what_is_offered_to_you(incident, make_board) -> None:
    incident.act("alice", ev.WorkstreamOpened(title="Fail over the primary"))
    incident.act("alice", ev.WorkstreamOpened(title="Drain the queue"))
    incident.act("bob", ev.ResponderJoined())
    incident.act("carol", ev.ResponderJoined())
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("carol", ev.WorkstreamClaimed(workstream="WS-2"))
    incident.act("carol", ev.HandoffOffered(workstream="WS-2", to="bob", note="queue at 40k"))
    incident.act("bob", ev.ShiftChanged(shift="break", minutes=15))
    incident.act("carol", ev.NoteAdded(text="the replica is promoted", workstream="WS-1"))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, CatchUpScreen, "#catchup-lines")
        text = str(app.screen.query_one("#catchup-lines").render())
    now, changed = text.split("While you were away")
    assert "you own WS-1 “Fail over the primary” (active)" in now
    assert "carol offers you WS-2 “Drain the queue”: queue at 40k" in now
    assert "carol: on WS-1: the replica is promoted" in changed


async def test_at_80x24_a_long_catch_up_scrolls_and_its_way_back_stays_on_screen(incident, make_board) -> None:
    for n in range(1, 25):
        incident.act("alice", ev.NoteAdded(text=f"finding {n}"))
    app = make_board("bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_shown(pilot, CatchUpScreen, "#catchup-lines")
        await pilot.pause()
        box, hint = app.screen.query_one("#box").region, app.screen.query_one(".box-hint").region
        assert hint.height >= 1 and box.y <= hint.y and hint.bottom <= box.bottom - 1 <= 24


async def test_at_80x24_the_help_keeps_its_remap_hint_on_screen(incident, make_board) -> None:
    from warroom.tui.screens.info import HelpScreen

    from .conftest import ready

    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await screen_shown(pilot, HelpScreen, "#help-keys")
        await pilot.pause()
        box, hint = app.screen.query_one("#box").region, app.screen.query_one(".box-hint").region
        assert hint.height >= 2 and box.y <= hint.y and hint.bottom <= box.bottom - 1 <= 24
