"""Decisions and impact notes from the board (issue 25 items 1 and 2): ``d`` records a decision
(what, why, alternatives), the note form marks a note as impact, and ``f`` filters decisions."""

from __future__ import annotations

import json

from warroom.incident import events as ev
from warroom.incident.sentences import DECISION_MARK
from warroom.tui.keys import BOARD_KEYS
from warroom.tui.model.find import Filter, choices
from warroom.tui.screens.form_screen import FormScreen

from .conftest import SIZE, ready, screen_shown, type_text, until
from .test_timeline_reading import row_text


async def test_d_records_a_decision_with_why_and_alternatives(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("d")
        await screen_shown(pilot, FormScreen, "#field-alternatives")
        await type_text(pilot, "turn the lifecycle rule off in the console")
        await pilot.press("tab")
        await type_text(pilot, "stops deletions now")
        await pilot.press("tab")
        await type_text(pilot, "a Terraform change (20 min)")
        await pilot.press("enter")
        await until(pilot, lambda: any(e.type == "decision_made" for e in app.board.state.timeline))
        entry = next(e for e in app.board.state.timeline if e.type == "decision_made")
        await until(pilot, lambda: app.board.timeline.index_of(entry.seq) is not None)
        line = row_text(app.board.timeline, entry.seq)
        assert f"{DECISION_MARK} decided: turn the lifecycle rule off" in line
    logged = [json.loads(line) for line in incident.store.path_for(incident.id).read_text().splitlines() if "decision_made" in line]
    assert len(logged) == 1 and logged[0]["actor"] == "alice"
    assert {k: logged[0]["body"][k] for k in ("text", "why", "alternatives")} == {
        "text": "turn the lifecycle rule off in the console", "why": "stops deletions now", "alternatives": "a Terraform change (20 min)"
    }


async def test_the_note_form_marks_a_note_as_impact(incident, make_board) -> None:
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await screen_shown(pilot, FormScreen, "#field-impact")
        await type_text(pilot, "12% of uploads failed for 40 minutes")
        await pilot.press("tab", "down", "enter")  # Impact? yes
        await until(pilot, lambda: any(e.type == "note_added" for e in app.board.state.timeline))
        await pilot.press("t")
        await screen_shown(pilot, FormScreen, "#field-impact")
        await type_text(pilot, "replica lag back to 2s")
        await pilot.press("enter")  # Enter on the text alone: a plain note, as before
        await until(pilot, lambda: sum(e.type == "note_added" for e in app.board.state.timeline) == 2)
        first = next(e for e in app.board.state.timeline if e.type == "note_added")
        await until(pilot, lambda: app.board.timeline.index_of(first.seq) is not None)
        assert "impact: 12% of uploads failed" in row_text(app.board.timeline, first.seq)
    lines = incident.store.path_for(incident.id).read_text().splitlines()
    notes = [json.loads(line)["body"] for line in lines if "note_added" in line]
    assert [(n["text"], n.get("impact", False)) for n in notes] == [("12% of uploads failed for 40 minutes", True), ("replica lag back to 2s", False)]


def test_decide_is_a_palette_entry_on_a_free_key() -> None:
    decide = next(k for k in BOARD_KEYS if k.id == "decide")
    assert decide.palette == "timeline: record decision" and decide.description
    others = {key for k in BOARD_KEYS if k.id != "decide" for key in k.keys.split(",")}
    assert "d" not in others


def test_the_filter_offers_decisions(incident) -> None:
    incident.act("alice", ev.DecisionMade(text="fail over to eu-west"))
    incident.act("alice", ev.NoteAdded(text="failover started"))
    state = incident.state()
    assert "kind:decisions" in [choice for choice, _ in choices(state, "alice", Filter())]
    predicate = Filter(kind="decisions").predicate()
    assert [e.text for e in state.timeline if predicate(e)] == [f"{DECISION_MARK} decided: fail over to eu-west"]
