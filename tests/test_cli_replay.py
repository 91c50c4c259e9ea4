"""``warroom show --at`` as a user runs it: a real subprocess, on an incident restored with
``warroom import`` from a JSON export written with a fixed clock (so every number is exact)."""

from __future__ import annotations

import json

import pytest

from tests.builder import LogBuilder
from warroom.export import render_json
from warroom.incident import events as ev
from warroom.incident import fold


@pytest.fixture
def imported(cli, tmp_path):
    log = LogBuilder("INC-42")
    log.declare("alice", severity=2)  # 09:00, #1
    log.add("bob", ev.ResponderJoined())  # 09:01, #2
    log.add("alice", ev.WorkstreamOpened(title="Find the expiry job"))  # 09:02, #3
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"), minutes=3)  # 09:05, #4
    log.add("bob", ev.NoteAdded(text="job 7731 found"), minutes=55)  # 10:00, #5
    log.add("alice", ev.IncidentClosed(summary="restored"), minutes=10)  # 10:10, #6
    path = tmp_path / "INC-42.json"
    path.write_text(render_json(fold(log.events), log.events))
    cli("import", str(path))
    return cli


def test_show_at_a_seq_a_t_plus_and_a_time_prints_the_board_then(imported):
    out = imported("show", "INC-42", "--at", "#4").stdout
    assert out.splitlines()[0] == "as of T+00:05:00 · #4 of 6 · 09:05:00 UTC"
    assert "SEV2  investigating" in out and "closed" not in out.splitlines()[1]
    assert "stakeholders: next update due in 25m" in out
    assert "WS-1   active   bob" in out
    assert "job 7731 found" not in out

    later = imported("show", "INC-42", "--at", "T+00:45").stdout
    assert later.splitlines()[0] == "as of T+00:45:00 · #4 of 6 · 09:45:00 UTC"
    assert "update OVERDUE 15m" in later  # computed at 09:45, not now
    assert "STALE" in later  # claimed 09:05, nothing since: stale after 30 minutes
    assert "44m on shift" in later  # bob, on since 09:01

    end = imported("show", "INC-42", "--at", "10:10").stdout
    assert end.splitlines()[0] == "as of T+01:10:00 · #6 of 6 · 10:10:00 UTC"
    assert "closed" in end.splitlines()[1]


def test_show_at_as_json_says_where_and_the_numbers_of_that_moment(imported):
    document = json.loads(imported("show", "INC-42", "--at", "2026-11-25T09:45:00Z", "--json").stdout)
    assert document["seq"] == 4 and not document["closed"]
    assert [ws["owner"] for ws in document["workstreams"]] == ["bob"]
    as_of = document["as_of"]
    assert as_of == {
        "seq": 4,
        "position": 4,
        "events": 6,
        "at": "2026-11-25T09:45:00+00:00",
        "t_plus": "T+00:45:00",
        "update_due": "update OVERDUE 15m",
        "update_overdue": True,
        "stale_workstreams": ["WS-1"],
        "responders": [
            {"handle": "alice", "on_shift_seconds": 2700, "fatigue": None},
            {"handle": "bob", "on_shift_seconds": 2640, "fatigue": None},
        ],
    }


@pytest.mark.parametrize(
    ("moment", "says", "code"),
    [
        ("#0", "bad moment '#0': entries are numbered from #1", 2),
        ("T+99:99", "bad moment 'T+99:99': minutes and seconds go up to 59 (T+HH:MM[:SS])", 2),
        ("soon", "bad moment 'soon': use #SEQ", 2),
        ("#7", "warroom: INC-42 has only 6 entries", 1),
        ("2026-11-25T08:59Z", "warroom: 2026-11-25T08:59Z is before the declaration (2026-11-25 09:00:00 UTC)", 2),
    ],
)
def test_a_bad_moment_is_one_clear_line(imported, moment, says, code):
    result = imported("show", "INC-42", "--at", moment, check=False)
    assert result.returncode == code
    assert says in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_replay_refuses_a_bad_moment_before_opening_any_screen(imported):
    result = imported("replay", "INC-42", "--at", "#99", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "warroom: INC-42 has only 6 entries"


def test_a_moment_in_the_future_is_refused_not_shown_as_a_99_hour_shift(cli):
    cli("declare", "--title", "Checkout 500s", "--sev", "2")
    for command in (("show", "INC-1"), ("replay", "INC-1")):
        refused = cli(*command, "--at", "T+99:00", check=False)
        assert refused.returncode != 0 and "99h" not in refused.stdout
        assert refused.stderr.strip().startswith("warroom: T+99:00 is in the future (it is ") and len(refused.stderr.strip().splitlines()) == 1
    assert "commander: alice" in cli("show", "INC-1", "--at", "T+00:00").stdout
