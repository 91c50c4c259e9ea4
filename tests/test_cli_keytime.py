"""``warroom keytime`` takes the words replay takes (issue 22 item 10): ``10:41``, ``T+01:20``,
``#SEQ`` and ISO times, through the one moment parser, with one-line errors for the rest."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest



def key_times(cli, incident: str) -> dict[str, str]:
    return json.loads(cli("show", incident, "--json").stdout)["key_times"]


def test_keytime_takes_a_clock_time_a_t_plus_an_entry_and_an_iso_time(cli) -> None:
    cli("declare", "INC-3", "--title", "Checkout down")
    cli("note", "INC-3", "rollback done")
    declared = datetime.fromisoformat(json.loads(cli("show", "INC-3", "--json").stdout)["declared_at"])

    cli("keytime", "INC-3", "started", "2026-11-25T09:00Z")  # ISO, as before; T+0 is now 09:00
    cli("keytime", "INC-3", "mitigated", "T+01:20")
    assert key_times(cli, "INC-3")["mitigated"].startswith("2026-11-25T10:20:00")

    noted = cli("show", "INC-3", "--json").stdout
    note_at = next(e["at"] for e in json.loads(noted)["timeline"] if e["seq"] == 2)
    cli("keytime", "INC-3", "resolved", "#2")
    assert key_times(cli, "INC-3")["resolved"] == note_at

    # A clock time is the latest one that has come: 5 minutes before the declaration, on its day or the one before.
    before = (declared - timedelta(minutes=5)).replace(second=0, microsecond=0)
    said = cli("keytime", "INC-3", "detected", f"{before:%H:%M}").stdout
    assert said.strip().endswith(f"set detected time to {before:%Y-%m-%d %H:%M} UTC")
    assert datetime.fromisoformat(key_times(cli, "INC-3")["detected"]) == before


@pytest.mark.parametrize(
    ("words", "says", "code"),
    [
        ("yesterday", "bad moment 'yesterday': use #SEQ (#312), T+HH:MM[:SS] (T+01:23) or a UTC time", 2),
        ("25:00", "bad moment '25:00': not a time of day", 2),
        ("T+1:75", "minutes and seconds go up to 59", 2),
        ("#9", "warroom: INC-3 has only 1 entry", 1),
    ],
)
def test_keytime_refuses_words_that_name_no_time_in_one_line(cli, words: str, says: str, code: int) -> None:
    cli("declare", "INC-3", "--title", "Checkout down")
    refused = cli("keytime", "INC-3", "mitigated", words, check=False)
    assert refused.returncode == code
    assert says in refused.stderr.strip().splitlines()[-1]
    assert "Traceback" not in refused.stderr
    assert "mitigated" not in key_times(cli, "INC-3")


@pytest.mark.parametrize("words", ["2099-01-01T10:00Z", "T+99:00"])
def test_a_key_time_that_has_not_come_yet_is_refused(cli, words: str) -> None:
    """`keytime INC-3 started 2099-01-01T10:00Z` was recorded: the post-mortem then said time to
    detect -73y, and a started in the future sorted after every other key time."""
    cli("declare", "INC-3", "--title", "Checkout down")
    refused = cli("keytime", "INC-3", "started", words, check=False)
    assert refused.returncode == 1, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert refused.stderr.startswith("warroom: refused: a started time of ") and refused.stderr.strip().endswith("has not come yet")
    assert len(json.loads(cli("show", "INC-3", "--json").stdout)["timeline"]) == 1
