"""``warroom insights`` as a real subprocess over a store folder holding the hand-built scenario."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.insights import scenario
from warroom.incident.events import dump_stored


def write_scenario(store_dir: Path) -> None:
    """The scenario's logs, moved to end less than a week ago, as the file store keeps them."""
    for events in scenario.logs(scenario.weeks_to(datetime.now(timezone.utc))):
        incident_id = events[0].body.incident_id  # type: ignore[union-attr]
        (store_dir / f"{incident_id}.jsonl").write_text("".join(dump_stored(e) + "\n" for e in events), encoding="utf-8")


@pytest.fixture
def cli_with_scenario(store_dir: Path, isolated_environment: Path) -> Cli:
    write_scenario(store_dir)
    (isolated_environment / "warroom.toml").write_text(
        '[insights]\nout_of_hours_flag_hours = 5\n[responders.alice]\ntz = "Europe/Berlin"\n', encoding="utf-8"
    )
    return Cli(store_dir)


def test_json_carries_every_number(cli_with_scenario: Cli) -> None:
    doc = json.loads(cli_with_scenario("insights", "--since", "30d", "--json").stdout)
    assert doc["incidents"] == 4
    people = {r["handle"]: r for r in doc["responders"]}
    assert {k: people["carol"][k] for k in ("hours_on_shift", "hours_out_of_hours", "longest_shift_hours", "incidents")} == {
        "hours_on_shift": 7,
        "hours_out_of_hours": 6,
        "longest_shift_hours": 5,
        "incidents": 1,
    }
    assert people["alice"]["tz"] == "Europe/Berlin" and people["bob"]["tz"] == "America/New_York"
    assert people["dave"]["hours_on_shift"] == 2.5
    assert {k: doc["action_items"][k] for k in ("opened", "done", "overdue")} == {"opened": 3, "done": 1, "overdue": 1}
    sev2 = doc["by_severity"][1]
    assert (sev2["severity"], sev2["incidents"], sev2["resolve"]["median_minutes"]) == (2, 2, 390)
    assert [(f["handle"], f["kind"]) for f in doc["flags"]] == [("carol", "fatigue_warn"), ("carol", "out_of_hours")]


def test_text_is_a_table_a_person_reads(cli_with_scenario: Cli) -> None:
    out = cli_with_scenario("insights", "--since", "30d").stdout
    assert "4 incidents declared" in out
    assert "action items: 3 opened, 1 done, 1 overdue, median 2 days to done" in out
    assert "carol: a 5 h shift (fatigue warning at 4 h)" in out


def test_html_writes_one_self_contained_page(cli_with_scenario: Cli, tmp_path: Path) -> None:
    page = tmp_path / "out" / "insights.html"
    page.parent.mkdir()
    result = cli_with_scenario("insights", "--since", "30d", "--html", str(page))
    assert result.stdout.strip() == f"wrote {page}"
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


@pytest.mark.parametrize("since", ["3x", "0d", "", "-5d"])
def test_a_bad_since_is_one_clear_line(cli_with_scenario: Cli, since: str) -> None:
    result = cli_with_scenario("insights", f"--since={since}", check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"warroom: bad --since {since!r}: a number of minutes, hours or days, e.g. 90d, 24h, 90m"]


def test_an_unwritable_html_path_is_one_clear_line(cli_with_scenario: Cli, tmp_path: Path) -> None:
    result = cli_with_scenario("insights", "--html", str(tmp_path / "missing" / "x.html"), check=False)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("warroom: cannot write ")


def test_shift_on_records_a_time_zone_and_refuses_a_bad_one(cli: Cli) -> None:
    cli("declare", "--title", "DB down")
    assert cli("shift", "INC-1", "on", "--tz", "Asia/Tokyo", actor="bob").stdout.strip() == "INC-1 #2 bob came on shift (Asia/Tokyo)"
    bad = cli("shift", "INC-1", "on", "--tz", "Nowhere/Atlantis", actor="bob", check=False)
    assert bad.returncode == 2 and bad.stderr.splitlines() == [
        "warroom: unknown time zone 'Nowhere/Atlantis': use an IANA name such as Europe/Berlin or America/New_York"
    ]
    off = cli("shift", "INC-1", "off", "--tz", "Asia/Tokyo", actor="bob", check=False)
    assert off.returncode == 2 and off.stderr.splitlines() == ["warroom: --tz goes with `on` only"]
    doc = json.loads(cli("insights", "--json").stdout)
    assert {r["handle"]: r["tz"] for r in doc["responders"]} == {"alice": "UTC", "bob": "Asia/Tokyo"}
