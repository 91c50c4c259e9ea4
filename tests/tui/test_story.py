"""A workstream's story (issue 14): Enter on its row opens it, and c / h / u / t act on it from there.
Notes posted against a workstream: ``t`` asks "for WS-N?", the rules refuse an unknown one."""

from __future__ import annotations

import json

from warroom.incident import check
from warroom.incident import events as ev
from warroom.tui.screens import FormScreen
from warroom.tui.screens.story import StoryScreen
from warroom.tui.model.workstream_story import mentions

from .conftest import SIZE, ready, screen_shown, type_text, until

LONG_TITLE = "Fail over the primary database in eu-west-1 to the replica in eu-west-2 and repoint the writers"


def failover_story(incident) -> None:
    incident.act("alice", ev.WorkstreamOpened(title=LONG_TITLE))
    incident.act("alice", ev.WorkstreamOpened(title="Talk to customers"))
    for handle in ("bob", "carol"):
        incident.act(handle, ev.ResponderJoined())
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    incident.act("bob", ev.WorkstreamStatusSet(workstream="WS-1", status="blocked", note="needs the DBA"))
    incident.act("bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="replica is fenced; promote next"))
    incident.act("carol", ev.HandoffAccepted(workstream="WS-1"))
    incident.act("carol", ev.NoteAdded(text="promotion started", workstream="WS-1"))
    incident.act("alice", ev.NoteAdded(text="ws-1 looks like the long pole"))
    incident.act("alice", ev.NoteAdded(text="WS-10 is somebody else's problem"))
    incident.act("alice", ev.NoteAdded(text="unrelated chatter"))


async def test_enter_on_a_workstream_row_opens_its_whole_story(incident, make_board) -> None:
    failover_story(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        app.board.workstreams.move_cursor(row=0)
        await pilot.press("enter")
        await screen_shown(pilot, StoryScreen, "#story-text")
        text = app.screen.text
        shown = str(app.screen.query_one("#story-text").render())
    assert LONG_TITLE in text and LONG_TITLE in shown  # the pane cuts it at 48 characters
    assert "owner carol · claimed " in text and "last update " in text
    assert "bob\n" in text and "carol (handed over: replica is fenced; promote next)" in text
    assert 'bob: set WS-1 "' in text and "to blocked: needs the DBA" in text
    assert "carol: on WS-1: promotion started" in text and "alice: ws-1 looks like the long pole" in text
    assert "WS-10" not in text and "unrelated chatter" not in text


async def test_c_u_and_t_in_the_story_act_on_its_workstream_not_the_highlighted_row(incident, make_board) -> None:
    failover_story(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        app.board.workstreams.move_cursor(row=1)
        await pilot.press("enter")
        await screen_shown(pilot, StoryScreen, "#story-text")
        app.board.workstreams.move_cursor(row=0)  # the row underneath moves; the story stays WS-2's
        await pilot.press("c")
        await until(pilot, lambda: app.board.state.workstreams["WS-2"].owner == "alice")
        await until(pilot, lambda: "owner alice · claimed" in str(app.screen.query_one("#story-text").render()))
        assert app.board.state.workstreams["WS-1"].owner == "carol"

        await pilot.press("u")
        await screen_shown(pilot, FormScreen, "#field-status")
        assert app.screen.form_title == "Status of WS-2"
        await pilot.press("escape")
        await screen_shown(pilot, StoryScreen, "#story-text")

        await pilot.press("t")
        await screen_shown(pilot, FormScreen, "#field-workstream")
        await type_text(pilot, "status page drafted")
        await pilot.press("enter")  # "for WS-2?" defaults to yes from its story
        await until(pilot, lambda: app.board.state.timeline[-1].text == "on WS-2: status page drafted")
        await until(pilot, lambda: "alice: on WS-2: status page drafted" in str(app.screen.query_one("#story-text").render()))

        await pilot.press("h")
        await screen_shown(pilot, FormScreen, "#field-note")
        assert app.screen.form_title == "Hand off WS-2"
        await pilot.press("escape")
        await screen_shown(pilot, StoryScreen, "#story-text")
        await pilot.press("escape")
        assert not isinstance(app.screen, StoryScreen)
    assert incident.state().timeline[-1].workstream == "WS-2"


async def test_t_on_a_highlighted_workstream_asks_for_it(incident, make_board) -> None:
    failover_story(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        app.board.workstreams.move_cursor(row=0)
        await pilot.press("t")
        await screen_shown(pilot, FormScreen, "#field-workstream")
        assert any("For WS-1?" in str(label.render()) for label in app.screen.query(".field-label"))
        await type_text(pilot, "replica caught up")
        await pilot.press("tab", "up", "enter")  # yes, for WS-1 (no is the default)
        await until(pilot, lambda: app.board.state.timeline[-1].workstream == "WS-1")

        await pilot.press("t")
        await screen_shown(pilot, FormScreen, "#field-workstream")
        await type_text(pilot, "general remark")
        await pilot.press("enter")  # the default: the whole incident
        await until(pilot, lambda: app.board.state.timeline[-1].text == "general remark")
    entries = incident.state().timeline
    assert (entries[-2].workstream, entries[-2].text) == ("WS-1", "on WS-1: replica caught up")
    assert entries[-1].workstream is None


async def test_t_from_the_timeline_defaults_to_the_whole_incident(incident, make_board) -> None:
    failover_story(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.timeline.focus()
        await pilot.press("t")
        await screen_shown(pilot, FormScreen, "#field-workstream")
        await type_text(pilot, "plain note")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.timeline[-1].text == "plain note")
    assert incident.state().timeline[-1].workstream is None


def test_the_rules_refuse_a_note_against_an_unknown_workstream(incident) -> None:
    failover_story(incident)
    state = incident.state()
    assert check(state, "bob", ev.NoteAdded(text="x", workstream="WS-9")) == "there is no WS-9 in INC-1"
    assert check(state, "bob", ev.NoteAdded(text="x", workstream="WS-2")) is None
    assert "workstream" not in ev.NoteAdded(text="x").model_dump(mode="json")  # old logs stay byte-identical


def test_mentions_are_whole_ids() -> None:
    assert mentions("ws-3 is slow", "WS-3") and mentions("(WS-3)", "WS-3")
    assert not mentions("WS-30 is slow", "WS-3") and not mentions("XWS-3", "WS-3")


def test_cli_posts_a_note_against_a_workstream(cli, store_dir) -> None:
    cli("declare", "--title", "Checkout down")
    cli("ws", "open", "INC-1", "Roll back the deploy")
    out = cli("note", "INC-1", "--ws", "ws-1", "rollback at 50%", actor="bob").stdout
    assert "on WS-1: rollback at 50%" in out
    cli("note", "INC-1", "plain note", actor="bob")
    refused = cli("note", "INC-1", "--ws", "WS-7", "lost", actor="bob", check=False)
    assert refused.returncode != 0 and refused.stderr.strip() == "warroom: refused: there is no WS-7 in INC-1"
    lines = [json.loads(line) for line in (store_dir / "INC-1.jsonl").read_text().splitlines()]
    notes = [line["body"] for line in lines if line["body"]["type"] == "note_added"]
    assert notes == [
        {"type": "note_added", "text": "rollback at 50%", "star": False, "workstream": "WS-1"},
        {"type": "note_added", "text": "plain note", "star": False},
    ]
    shown = json.loads(cli("show", "INC-1", "--json").stdout)
    assert shown["timeline"][-1]["text"] == "plain note"
    assert shown["timeline"][-2]["text"] == "on WS-1: rollback at 50%"
    exported = json.loads(cli("export", "INC-1", "--format", "json", "-o", "-").stdout)
    assert [e["body"].get("workstream") for e in exported["events"] if e["body"]["type"] == "note_added"] == ["WS-1", None]
    assert ",note_added,WS-1," in cli("export", "INC-1", "--format", "csv", "-o", "-").stdout
    assert "on WS-1: rollback at 50%" in cli("export", "INC-1", "--format", "md", "-o", "-").stdout
