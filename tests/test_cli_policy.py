"""The incident's policy from the command line: seeded by the declarer's config, changed by the commander."""

from __future__ import annotations

import json
import re


def test_declare_records_the_config_policy_and_every_reader_uses_it(cli, tmp_path) -> None:
    config = tmp_path / "alice.toml"
    config.write_text("[policy]\nupdate_minutes_sev2 = 7\n")
    cli.env["WARROOM_CONFIG_PATH"] = str(config)
    cli("declare", "INC-1", "--title", "Checkout down", "--sev", "2")
    cli.env["WARROOM_CONFIG_PATH"] = str(tmp_path / "bob-has-no-config.toml")
    state = json.loads(cli("show", "INC-1", "--json", actor="bob").stdout)
    assert state["policy"]["update_minutes_sev2"] == 7
    assert json.loads(cli("policy", "INC-1", actor="bob").stdout)["update_minutes_sev2"] == 7
    assert re.search(r"next update due in [67]m", cli("show", "INC-1", actor="bob").stdout)


def test_only_the_commander_changes_it_and_bad_settings_are_one_line(cli) -> None:
    cli("declare", "INC-1", "--title", "Checkout down", "--sev", "2")
    changed = cli("policy", "INC-1", "update_minutes_sev2=15", "update_minutes_sev4=none")
    assert "changed the policy: update_minutes_sev2 30 → 15" in changed.stdout
    assert json.loads(cli("show", "INC-1", "--json").stdout)["policy"]["update_minutes_sev2"] == 15
    refused = cli("policy", "INC-1", "update_minutes_sev2=1", actor="bob", check=False)
    assert refused.returncode == 1 and "only the commander can change the incident's policy" in refused.stderr
    for bad, words in (("nonsense=3", "invalid nonsense"), ("update_minutes_sev2=abc", "valid integer"), ("fatigue", "NAME=VALUE")):
        result = cli("policy", "INC-1", bad, check=False)
        assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr, bad


def test_a_setting_no_clock_can_count_to_is_refused_and_the_incident_still_reads(cli) -> None:
    """`policy INC-1 fatigue_limit_hours=1e300` was recorded, and from then on `show` (and the
    board, and the export) died with OverflowError; `=inf` was stored as null, a line every
    reader skipped with a warning."""
    cli("declare", "INC-1", "--title", "Checkout down", "--sev", "2")
    for bad in ("fatigue_limit_hours=1e300", "fatigue_warn_hours=inf", "update_minutes_sev2=99999999999999",
                "command_handover_minutes=999999999", "stale_workstream_minutes=10000000"):
        result = cli("policy", "INC-1", bad, check=False)
        assert result.returncode == 2, (bad, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (bad, result.stderr)
        assert ("finite number" if "inf" in bad else "a year") in result.stderr, (bad, result.stderr)
    shown = cli("show", "INC-1")
    assert "SEV2" in shown.stdout and shown.stderr == ""
    assert json.loads(cli("policy", "INC-1").stdout)["fatigue_limit_hours"] == 8.0
    assert "→ 8760" in cli("policy", "INC-1", "fatigue_limit_hours=8760").stdout  # a year is still a setting


def test_a_log_whose_policy_says_more_than_a_year_still_reads_and_its_clocks_count_a_year(cli) -> None:
    """A config's "never" (update_minutes_sev4 = 9999999) is in logs already (one event: no checkpoint); refusing it on read
    would make the incident unreadable; 1e300 hours overflowed every reader's clock."""
    cli("declare", "INC-1", "--title", "Checkout down", "--sev", "4")
    log = cli.store_dir / "INC-1.jsonl"
    lines = log.read_text().splitlines()
    declared = json.loads(lines[0])
    declared["body"]["policy"] = {**(declared["body"].get("policy") or {}), "update_minutes_sev4": 9999999, "fatigue_limit_hours": 1e300}
    log.write_text("\n".join([json.dumps(declared), *lines[1:]]) + "\n")
    shown = cli("show", "INC-1")
    assert "Checkout down" in shown.stdout and shown.stderr == ""
    assert json.loads(cli("policy", "INC-1").stdout)["update_minutes_sev4"] == 9999999
    changed = cli("policy", "INC-1", "stale_workstream_minutes=45")  # the other settings stay as they are
    assert "45" in changed.stdout


def test_a_playbook_whose_policy_no_clock_can_count_to_is_left_out_naming_its_line(cli) -> None:
    """Such a playbook was listed, and declaring with it failed with `invalid fatigue_limit_hours`, not saying whose."""
    from pathlib import Path

    folder = Path(cli.env["WARROOM_CONFIG_PATH"]).parent / "playbooks"
    folder.mkdir(parents=True)
    (folder / "forever.toml").write_text('description = "x"\nseverity = 2\n[policy]\nfatigue_limit_hours = 1e300\n')
    listed = cli("playbooks", actor=None)
    assert "forever" not in listed.stdout
    assert "forever.toml: line 4: policy.fatigue_limit_hours: Input should be less than or equal to 8760" in listed.stderr
