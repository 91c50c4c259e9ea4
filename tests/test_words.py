"""``warroom.words``: the board, the CLI and the exports say durations, fatigue and the
update clock the same way, and every bad input reads as one ``where: what`` line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from warroom.cli import render_state
from warroom.config import Config
from warroom.incident import fold
from warroom.incident import events as ev
from warroom.tui.widgets.commander import summary_content
from warroom.tui.widgets.responders import responder_cells
from warroom.words import duration, fatigue_word, long_duration, update_due, validation_problem

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def test_durations_short_and_long() -> None:
    assert duration(timedelta(hours=3, minutes=5, seconds=9)) == "3h05m"
    assert long_duration(timedelta(hours=1, minutes=2, seconds=5)) == "1h 02m 05s"
    assert long_duration(timedelta(days=2, hours=3, minutes=4, seconds=5)) == "2d 03h 04m"


def test_board_and_cli_say_the_same_update_clock_and_fatigue() -> None:
    declared = ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="x", severity=1))
    state = fold([declared.stored(seq=1, at=T0)])
    now = T0 + timedelta(hours=9)
    config = Config()
    phrase, overdue = update_due(state, now, config.policy)
    assert overdue and phrase.startswith("update OVERDUE")
    assert phrase in summary_content(state, "alice", now, config.policy).plain
    assert f"stakeholders: {phrase}" in render_state(state, config, now=now)
    level = state.responders["alice"].fatigue(now, config.policy)
    word = fatigue_word(level)
    assert word == "OVER LIMIT"
    assert responder_cells(state, state.responders["alice"], "alice", now, config.policy)[3][0].endswith(word)
    assert render_state(state, config, now=now).count(word) == 1


def test_a_validation_error_reads_as_where_and_what() -> None:
    with pytest.raises(ValidationError) as caught:
        ev.WorkstreamOpened(title="")
    assert validation_problem(caught.value) == "title: String should have at least 1 character"
