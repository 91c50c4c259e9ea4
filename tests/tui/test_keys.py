"""Every key on the board, driven through Pilot against a real file store.

Each test presses the keys a responder would and checks both the log on disk (what
the incident now records) and the board (what the responder sees).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static

from warroom.config import Config, UiConfig
from warroom.incident import events as ev
from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.screens.info import CatchUpScreen, ConfirmScreen, HelpScreen
from warroom.tui.widgets import CommandSummary, TimelineView

from .conftest import SIZE, notices, ready, screen_shown, type_text, until


def open_ws(incident, actor: str = "alice", title: str = "Stop the lifecycle rule") -> None:
    incident.act(actor, ev.WorkstreamOpened(title=title))


async def test_n_opens_a_workstream(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, FormScreen)
        assert app.focused is not None and app.focused.id == "field-title"
        await type_text(pilot, "Stop the lifecycle rule")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.workstreams.has_row("WS-1"))
        assert app.board.workstreams.spec("WS-1")[1:3] == ("Stop the lifecycle rule", ("unowned", "$unowned italic"))
    assert incident.state().workstreams["WS-1"].title == "Stop the lifecycle rule"


async def test_escape_cancels_a_form_and_blank_title_is_not_sent(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n", "enter")  # blank title: the form keeps the focus and says why
        assert isinstance(app.screen, FormScreen)
        assert "Title is needed" in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, FormScreen)
    assert incident.state().workstreams == {}


async def test_c_claims_the_highlighted_workstream_from_any_pane(incident, make_board) -> None:
    open_ws(incident)
    open_ws(incident, title="Restore expired objects")
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.move_cursor(row=1)
        app.board.query_one(TimelineView).focus()
        await pilot.press("c")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].owner == "alice")
        assert app.board.workstreams.spec("WS-2")[2] == ("alice", "$you bold")
        assert app.board.responders.spec("alice")[4] == "1"
    state = incident.state()
    assert state.workstreams["WS-2"].owner == "alice" and state.workstreams["WS-1"].owner is None


async def test_claiming_an_owned_workstream_is_refused_with_the_reason(incident, make_board) -> None:
    open_ws(incident)
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("carol")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert "WS-1 is owned by bob: ask them to hand it off" in notices(app)
        assert app.board.workstreams.spec("WS-1")[2] == "bob"
    assert incident.state().workstreams["WS-1"].owner == "bob"


async def test_the_commander_takes_an_owned_workstream_only_after_confirming(incident, make_board) -> None:
    open_ws(incident)
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert incident.state().workstreams["WS-1"].owner == "bob"
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # starts on Cancel: taking work from someone is never Enter alone
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert app.board.state.workstreams["WS-1"].owner == "bob"
        await pilot.press("c")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].owner == "alice")
    assert incident.state().timeline[-1].text == 'claimed WS-1 "Stop the lifecycle rule" from bob'


async def test_r_releases(incident, make_board) -> None:
    open_ws(incident)
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("r")
        await until(pilot, lambda: app.board.workstreams.spec("WS-1")[2] == ("unowned", "$unowned italic"))
    assert incident.state().workstreams["WS-1"].owner is None


async def test_h_hands_off_to_an_on_shift_responder_who_accepts_with_y(incident, make_board) -> None:
    open_ws(incident)
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("bob", ev.ResponderJoined())
    alice, bob = make_board("alice"), make_board("bob")
    async with alice.run_test(size=SIZE) as pa, bob.run_test(size=SIZE) as pb:
        await ready(pa)
        await ready(pb)
        await pa.press("h")
        form = alice.screen
        assert isinstance(form, FormScreen) and alice.focused.id == "field-to"
        await pa.press("tab")
        await type_text(pa, "tried restarting; next: revert CHG-1182")
        await pa.press("enter")
        await until(pa, lambda: alice.board.workstreams.spec("WS-1")[2] == ("alice → bob (pending)", "$pending"))
        await until(pb, lambda: "offers you WS-1" in notices(bob))
        assert "tried restarting" in notices(bob)
        await pb.press("y")
        await until(pb, lambda: bob.board.workstreams.spec("WS-1")[2] == ("bob", "$you bold"))
        await until(pa, lambda: "bob accepted WS-1" in notices(alice))
    assert incident.state().workstreams["WS-1"].owner == "bob"


async def test_hand_off_note_is_required(incident, make_board) -> None:
    open_ws(incident)
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("bob", ev.ResponderJoined())
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("h", "enter")
        assert isinstance(app.screen, FormScreen)
        assert app.focused.id == "field-note"
    assert incident.state().workstreams["WS-1"].pending is None


async def test_hand_off_refused_when_not_yours(incident, make_board) -> None:
    open_ws(incident)
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("h")
        assert not isinstance(app.screen, FormScreen)
        assert "only its owner can hand it off" in notices(app)


async def test_hand_off_with_nobody_else_on_shift_says_so_not_that_you_cannot_hand_over_to_yourself(incident, make_board) -> None:
    open_ws(incident)
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("h")
        assert not isinstance(app.screen, FormScreen)
        said = notices(app)
        assert "nobody else is on shift to take WS-1" in said and "yourself" not in said


async def test_shift_y_declines_a_hand_off(incident, make_board) -> None:
    open_ws(incident)
    incident.act("bob", ev.ResponderJoined())
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("alice", ev.HandoffOffered(workstream="WS-1", to="bob", note="over to you"))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("Y")
        await until(pilot, lambda: app.board.workstreams.spec("WS-1")[2] == "alice")
    state = incident.state()
    assert state.workstreams["WS-1"].owner == "alice" and state.workstreams["WS-1"].pending is None


async def test_y_with_nothing_offered_says_so(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("y")
        assert "nothing has been offered to you" in notices(app)


async def test_u_sets_workstream_status_with_a_note(incident, make_board) -> None:
    open_ws(incident)
    incident.act("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("u")
        assert app.focused.id == "field-status"
        await pilot.press("down", "tab")  # active -> blocked
        await type_text(pilot, "waiting on storage team")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.workstreams.spec("WS-1")[3] == ("BLOCKED", "$blocked bold"))
    ws = incident.state().workstreams["WS-1"]
    assert (ws.status, ws.status_note) == ("blocked", "waiting on storage team")


async def test_u_refused_on_someone_elses_workstream(incident, make_board) -> None:
    open_ws(incident)
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("carol")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("u")
        assert not isinstance(app.screen, FormScreen)
        assert "only they or the commander can change its status" in notices(app)


async def test_t_adds_a_note_to_the_timeline(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await type_text(pilot, "objects_expired_total is flat")
        await pilot.press("enter")
        timeline = app.board.query_one(TimelineView)
        await until(pilot, lambda: timeline.entries[-1].text == "objects_expired_total is flat")
        assert timeline.highlighted is timeline.entries[-1]  # following: the newest is in view


async def test_star_marks_the_highlighted_entry(incident, make_board) -> None:
    incident.act("alice", ev.NoteAdded(text="rule disabled at 09:41"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.query_one(TimelineView)
        target = next(e for e in timeline.entries if e.text == "rule disabled at 09:41")
        timeline.move_cursor(timeline.index_of(target.seq))
        await pilot.press("asterisk")
        await until(pilot, lambda: target.starred)
        line = timeline.render_line(timeline.index_of(target.seq) - int(timeline.scroll_offset.y)).text
        assert "★" in line
        assert timeline.highlighted is target  # starring does not yank the cursor away
    assert incident.state().entry(target.seq).starred


async def test_b_takes_a_break_and_o_comes_back_with_a_catch_up(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("b")
        assert app.focused.id == "field-minutes"
        await pilot.press("enter")  # the default, 15 minutes
        await until(pilot, lambda: app.board.state.shift_of("bob") == "break")
        assert app.board.responders.spec("bob")[2][0].startswith("break until ")
        incident.act("alice", ev.SeverityChanged(severity=2))
        incident.act("alice", ev.BroadcastSent(text="severity down, restore going well"))
        await until(pilot, lambda: app.board.state.severity == 2)
        await pilot.press("o")
        await screen_shown(pilot, CatchUpScreen, "#catchup-lines")
        lines = str(app.screen.query_one("#catchup-lines").render())
        assert "SEV1 → SEV2" in lines and "restore going well" in lines
        await pilot.press("enter")
        assert app.board.state.shift_of("bob") == "on"
    assert incident.state().responders["bob"].shift == "on"


async def test_going_off_shift_while_owning_is_refused_and_offers_the_hand_off(incident, make_board) -> None:
    open_ws(incident)
    incident.act("bob", ev.ResponderJoined())
    incident.act("carol", ev.ResponderJoined())
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o")
        assert "you still own WS-1: hand it off first" in notices(app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await screen_shown(pilot, FormScreen, "#field-note")
        assert app.screen.form_title == "Hand off WS-1"
        await pilot.press("tab")
        await type_text(pilot, "all yours")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].pending is not None)
    state = incident.state()
    assert state.responders["bob"].shift == "on"
    assert state.workstreams["WS-1"].pending.to == "alice"  # the first on-shift responder


async def test_o_goes_off_shift_when_free(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o")
        await until(pilot, lambda: app.board.responders.spec("bob")[2] == ("off", "$shift-off"))
    assert incident.state().responders["bob"].shift == "off"


async def test_commander_broadcasts_with_shift_b(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("B")
        assert app.focused.id == "field-text"
        await type_text(pilot, "rule disabled; restore next")
        await pilot.press("enter")
        await until(pilot, lambda: "rule disabled; restore next" in str(app.board.query_one("#broadcasts").render()))
    assert incident.state().broadcasts[-1].text == "rule disabled; restore next"


async def test_non_commander_broadcast_is_refused(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("B")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can broadcast (alice is in command)" in notices(app)
    assert incident.state().broadcasts == []


async def test_i_takes_command_when_the_commander_is_away(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("i")
        assert "alice is in command: ask them to hand over" in notices(app)
        incident.act("alice", ev.ShiftChanged(shift="break", minutes=10))
        await until(pilot, lambda: app.board.state.shift_of("alice") == "break")
        await pilot.press("i")
        # Taking command from someone is never one unconfirmed key: the question names who holds it.
        assert isinstance(app.screen, ConfirmScreen) and app.screen.box_title == "alice holds command"
        assert "alice is on a break until" in app.screen.message
        await pilot.press("escape")
        await pilot.pause()
        assert app.board.state.commander == "alice"
        await pilot.press("i")
        await pilot.press("enter")  # starts on Cancel
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert app.board.state.commander == "alice"
        await pilot.press("i")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: "Commander bob" in str(app.board.query_one(CommandSummary).render()))
    assert incident.state().commander == "bob"


async def test_b_in_command_asks_before_the_commander_slips_away(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("b")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.yes == "Break anyway"
        assert "Hand over command first" in app.screen.message
        await pilot.press("escape")
        await pilot.pause()
        assert app.board.state.shift_of("alice") == "on" and not isinstance(app.screen, FormScreen)
        await pilot.press("b")
        await pilot.press("enter")
        await screen_shown(pilot, FormScreen, "#field-minutes")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.shift_of("alice") == "break")
    state = incident.state()
    assert state.commander == "alice" and state.responders["alice"].shift == "break"


async def test_i_as_commander_hands_over_command_and_y_accepts_it(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    alice, bob = make_board("alice"), make_board("bob")
    async with alice.run_test(size=SIZE) as pa, bob.run_test(size=SIZE) as pb:
        await ready(pa)
        await ready(pb)
        await pa.press("i")
        assert alice.focused.id == "field-to"
        await pa.press("tab")
        await type_text(pa, "restore running; next update 10:20")
        await pa.press("enter")
        await until(pb, lambda: "offers you command" in notices(bob))
        await pb.press("y")
        await until(pa, lambda: "bob is now in command" in notices(alice))
        assert "Commander bob" in str(alice.board.query_one(CommandSummary).render())
    assert incident.state().commander == "bob"


async def test_s_changes_severity_and_status(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("s")
        assert app.focused.id == "field-severity"
        await pilot.press("down", "tab", "down", "enter")  # SEV1 -> SEV2, investigating -> identified
        await until(pilot, lambda: app.board.state.status == "identified")
        assert " SEV2 " in str(app.board.header.render())
    state = incident.state()
    assert (state.severity, state.status) == (2, "identified")


async def test_s_refused_for_non_commander(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("s")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can change severity" in notices(app)


async def test_a_adds_an_action_item(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        await type_text(pilot, "review lifecycle changes")
        await pilot.press("tab")
        await type_text(pilot, "raj")
        await pilot.press("enter")
        await screen_shown(pilot, ConfirmScreen, "#confirm-message")  # raj is not a responder: asked first
        await pilot.press("tab", "enter")  # "Add it for raj" (Enter alone would change the owner)
        await until(pilot, lambda: bool(app.board.state.action_items))
    item = incident.state().action_items[0]
    assert (item.text, item.owner, item.kind) == ("review lifecycle changes", "raj", "corrective")


async def test_x_closes_after_confirming_then_exports(incident, make_board, tmp_path) -> None:
    incident.act("alice", ev.StatusChanged(status="resolved"))  # nothing left open: no question before the form
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, FormScreen) and app.focused.id == "field-summary"
        await type_text(pilot, "rule disabled, data restored")
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.board.exported))
        assert "CLOSED" in str(app.board.header.render())
        assert str(tmp_path / "exports") in notices(app)
    assert incident.state().closed
    exported = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert exported == ["INC-1-postmortem.html", "INC-1-postmortem.md", "INC-1-timeline.csv", "INC-1.json"]
    draft = (tmp_path / "exports" / "INC-1-postmortem.md").read_text()
    assert draft.startswith("# INC-1:") and "rule disabled, data restored" in draft


async def test_x_refused_for_non_commander(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("x")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can close the incident" in notices(app)


async def test_e_exports_now_and_says_where(incident, make_board, tmp_path) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await until(pilot, lambda: bool(app.board.exported))
        assert "INC-1-postmortem.md" in notices(app)
    assert (tmp_path / "exports" / "INC-1.json").exists()


async def test_question_mark_shows_every_key_including_remapped_ones(incident, make_board) -> None:
    app = make_board("alice", config=Config(ui=UiConfig(keymap={"claim": "z"})))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys").render())
        for needle in ("workstream: hand off", "hand-off: decline offer", "commander: broadcast", "incident: close"):
            assert needle in text
        assert "z " in text and "workstream: claim" in text
        for binding_id in ("hand_off", "claim", "close_incident", "next_pane"):
            assert binding_id in text.split(), f"the help screen names the binding id {binding_id}"
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_from_config_moves_a_key(incident, make_board) -> None:
    open_ws(incident)
    app = make_board("alice", config=Config(ui=UiConfig(keymap={"claim": "z", "nonsense": "w"})))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert "unknown binding id(s) nonsense" in notices(app)
        await pilot.press("c")
        await pilot.pause()
        assert app.board.state.workstreams["WS-1"].owner is None
        await pilot.press("z")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].owner == "alice")


async def test_palette_runs_category_action_entries(incident, make_board) -> None:
    from textual.command import CommandList, CommandPalette

    open_ws(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "workstream: claim")
        commands = app.screen.query_one(CommandList)
        await until(pilot, lambda: commands.option_count > 0 and "workstream: claim" in str(commands.get_option_at_index(0).prompt))
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.workstreams["WS-1"].owner == "alice")


async def test_every_binding_has_an_id_and_a_description(incident, make_board) -> None:
    from warroom.tui.keys import BOARD_KEYS, PANE_KEYS

    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        ours = [b for _, b in app._bindings] + [b for _, b in app.screen._bindings]
        assert {k.id for k in BOARD_KEYS + PANE_KEYS} <= {b.id for b in ours}
        assert all(b.id and b.description for b in ours), [b for b in ours if not (b.id and b.description)]


async def test_tab_walks_the_panes(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        seen = [app.focused.id]
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert seen == ["workstreams", "commander-pane", "responders", "timeline", "workstreams"]
        await pilot.press("shift+tab")
        assert app.focused.id == "timeline"


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_q_leaves_the_board_without_going_off_shift(incident, make_board, key: str) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert app.return_code == 0
    assert incident.state().responders["bob"].shift == "on"


async def test_commander_going_off_shift_is_offered_the_command_hand_over(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o")
        assert "you are in command: hand over command first" in notices(app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await screen_shown(pilot, FormScreen, "#field-note")
        assert app.screen.form_title == "Hand over command"
    assert incident.state().responders["alice"].shift == "on"


async def test_the_highlighted_entry_is_shown_in_full_below_the_timeline(incident, make_board) -> None:
    long_note = "restore job 7731: " + "us-east done, eu-west at 40%, ap-south queued; " * 4
    incident.act("alice", ev.NoteAdded(text=long_note.strip()))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await until(pilot, lambda: long_note.strip() in str(app.board.detail.render()))


async def test_R_assigns_and_clears_a_role(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("R")
        assert isinstance(app.screen, FormScreen) and app.focused.id == "field-role"
        await pilot.press("down", "tab")  # scribe, then who
        await pilot.press("end", "enter")  # the last on-shift responder: bob
        await until(pilot, lambda: app.board.state.roles == {"scribe": "bob"})
        assert "scribe" in str(app.board.responders.spec("bob"))
        await pilot.press("R")
        await pilot.press("down", "tab", "home", "enter")  # scribe, nobody
        await until(pilot, lambda: app.board.state.roles == {})
    assert incident.state().roles == {}


async def test_R_and_z_are_the_commanders(incident, make_board) -> None:
    incident.act("bob", ev.ResponderJoined())
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("R")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can assign roles" in notices(app)
        await pilot.press("z")
        assert not isinstance(app.screen, FormScreen)
        assert "only the commander can snooze" in notices(app)


async def test_z_snoozes_the_stakeholder_update(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        due_before = app.board.state.next_update_due()
        await pilot.press("z")
        assert isinstance(app.screen, FormScreen) and app.focused.id == "field-minutes"
        await pilot.press("enter")  # the default: 10 minutes past the current due time
        await until(pilot, lambda: app.board.state.snoozed_until is not None)
    assert due_before is not None
    assert app.board.state.next_update_due() == due_before + timedelta(minutes=10)
    assert incident.state().timeline[-1].text == f"snoozed the stakeholder update by 10 min (now due {due_before + timedelta(minutes=10):%H:%M} UTC)"


async def test_the_help_shows_one_line_per_key_on_a_wide_terminal(incident, make_board) -> None:
    """At 140 columns the 90-column box split every row (the palette entries grew to 57 characters)."""
    app = make_board("alice")
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = app.screen.query_one("#help-keys", Static)
        await until(pilot, lambda: keys.region.height > 0)
        assert keys.region.height == len(app.screen.rows)


async def test_the_help_shows_one_line_per_key_at_80_columns(incident, make_board) -> None:
    """At 80x24 every row wrapped its binding id onto a line of its own: each key now keeps its
    palette entry only, and the hint says a wider terminal shows the ids."""
    app = make_board("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = app.screen.query_one("#help-keys", Static)
        await until(pilot, lambda: keys.region.height > 0)
        assert keys.virtual_size.height == len(app.screen.rows)
        text = str(keys.render())
        assert "workstream: hand off" in text and "hand_off" not in text.split()
