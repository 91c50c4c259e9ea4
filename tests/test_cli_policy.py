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
