"""Playbooks from the command line: listing, a bad file, an override, declaring with one, and
working its checklist and fields (the CLI as a subprocess against a file store)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.hostile_text import FORGED_BANNER, OSC52

USER_PLAYBOOK = """\
description = "Our own: a queue backs up"
severity = 2
workstreams = ["Drain the queue"]

[[checklist]]
role = "commander"
text = "Page the queue owners"
required = true

[[fields]]
name = "messages_delayed"
label = "Messages delayed"
kind = "int"
required = true
"""


def playbooks_dir(cli) -> Path:
    folder = Path(cli.env["WARROOM_CONFIG_PATH"]).parent / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_built_in_playbooks_are_listed_and_shown(cli) -> None:
    listed = cli("playbooks", actor=None).stdout
    assert [line.split()[0] for line in listed.splitlines()] == ["data-loss", "default", "outage", "security"]
    shown = cli("playbooks", "show", "data-loss", actor=None).stdout
    assert "customers_affected   Customers affected (int; required, public)" in shown
    assert "Stop the automation" in shown and "First stakeholder update:" in shown
    missing = cli("playbooks", "show", "nope", actor=None, check=False)
    assert missing.returncode == 1 and "no playbook called 'nope' (known: data-loss, default, outage, security)" in missing.stderr


def test_a_playbook_named_without_show_says_how_to_show_it(cli) -> None:
    """`warroom playbooks security` said `argument action: invalid choice: 'security' (choose from 'show')`."""
    for args in (("security",), ("nope",)):
        result = cli("playbooks", *args, actor=None, check=False)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == f"warroom: to print a playbook: `warroom playbooks show {args[0]}`"
    assert cli("playbooks", "show", actor=None, check=False).stderr.strip() == "warroom: which playbook? `warroom playbooks show NAME`"
    extra = cli("playbooks", "list", "outage", actor=None, check=False)
    assert extra.returncode == 2 and extra.stderr.strip() == (
        "warroom: `warroom playbooks` lists them, `warroom playbooks show NAME` prints one (not 'list')"
    )


def test_a_bad_file_is_named_with_its_line_and_reason_and_stops_nothing(cli) -> None:
    folder = playbooks_dir(cli)
    (folder / "broken.toml").write_text('description = "x"\nseverity = 1\n[[checklist]]\ntext = "ok"\n[[checklist]]\nrole = "janitor"\ntext = "hm"\n')
    (folder / "garbled.toml").write_text('description = "x"\nseverity = = 1\n')
    result = cli("playbooks", actor=None)
    assert "broken" not in result.stdout and "data-loss" in result.stdout
    assert "broken.toml: line 6: checklist.1.role: Input should be 'commander', 'deputy', 'scribe', 'comms' or 'everyone'" in result.stderr
    assert "garbled.toml: not valid TOML (Invalid value (at line 2, column 12))" in result.stderr
    assert "Traceback" not in result.stderr
    shown = cli("playbooks", "show", "broken", actor=None, check=False)
    assert shown.returncode == 1 and shown.stderr.count("broken.toml") == 1 and "garbled" not in shown.stderr  # its own problem, once
    assert cli("playbooks", "show", "outage", actor=None).stderr == ""
    refused = cli("declare", "--title", "Queue", "--playbook", "broken", check=False)
    assert refused.returncode == 2 and "playbook 'broken' cannot be used:" in refused.stderr and "line 6" in refused.stderr
    assert cli("declare", "--title", "Queue", "--playbook", "outage").stdout.strip() == "INC-1"


def test_a_user_file_overrides_the_built_in_of_its_name(cli) -> None:
    (playbooks_dir(cli) / "data-loss.toml").write_text(USER_PLAYBOOK)
    listed = cli("playbooks", actor=None).stdout
    assert "data-loss    SEV2  Our own: a queue backs up  (" in listed and "data-loss.toml)" in listed
    cli("declare", "INC-1", "--title", "Queue", "--playbook", "data-loss")
    state = json.loads(cli("show", "INC-1", "--json").stdout)
    assert [item["text"] for item in state["checklist"]] == ["Page the queue owners"]


def test_declaring_with_a_playbook_records_it_and_an_edit_of_its_file_changes_nothing(cli) -> None:
    path = playbooks_dir(cli) / "queue.toml"
    path.write_text(USER_PLAYBOOK)
    cli("declare", "INC-1", "--title", "Queue backs up", "--playbook", "queue")
    before = json.loads(cli("show", "INC-1", "--json").stdout)
    assert (before["playbook"], before["severity"]) == ("queue", 2)
    assert [ws["title"] for ws in before["workstreams"]] == ["Drain the queue"]
    assert before["fields"] == [{"name": "messages_delayed", "label": "Messages delayed", "kind": "int", "value": None, "required": True, "public": False}]
    path.write_text(USER_PLAYBOOK.replace("Page the queue owners", "Something else").replace("messages_delayed", "other"))
    after = json.loads(cli("show", "INC-1", "--json", actor="bob").stdout)
    assert after["checklist"] == before["checklist"] and after["fields"] == before["fields"]


def test_data_loss_severity_policy_and_the_sev_flag(cli) -> None:
    cli("declare", "INC-1", "--title", "Objects expiring", "--playbook", "data-loss")
    state = json.loads(cli("show", "INC-1", "--json").stdout)
    assert (state["severity"], state["policy"]["stale_workstream_minutes"]) == (1, 20)
    assert {"name": "customers_affected", "label": "Customers affected", "kind": "int", "value": None, "required": True, "public": True} in state["fields"]
    cli("declare", "INC-2", "--title", "Smaller", "--playbook", "data-loss", "--sev", "3")
    assert json.loads(cli("show", "INC-2", "--json").stdout)["severity"] == 3


def test_checklist_check_and_field_work_the_incident_and_close_lists_what_is_left(cli) -> None:
    (playbooks_dir(cli) / "queue.toml").write_text(USER_PLAYBOOK)
    cli("declare", "INC-1", "--title", "Queue backs up", "--playbook", "queue")
    added = cli("checklist", "INC-1", "--add", "Tell the partners", "--for", "comms", "--required")
    assert "added checklist item C-2 (comms, mitigate, required): Tell the partners" in added.stdout
    refused = cli("checklist", "INC-1", "--add", "Mine", actor="bob", check=False)
    assert refused.returncode == 1 and "only the commander can add a checklist item" in refused.stderr
    listed = cli("checklist", "INC-1", "--role", "comms").stdout.splitlines()
    assert listed[0] == "INC-1 checklist (queue): 0/2 done"
    assert listed[1].startswith("[ ] C-2   comms") and listed[2].startswith("[ ] C-1   commander")
    assert "ticked C-1 \"Page the queue owners\"" in cli("check", "INC-1", "C-1", actor="bob").stdout
    items = json.loads(cli("checklist", "INC-1", "--json").stdout)
    assert (items[0]["id"], items[0]["done"], items[0]["by"]) == ("C-1", True, "bob") and items[0]["at"].endswith("Z")
    assert "unticked C-1" in cli("check", "INC-1", "c-1", "--undo").stdout
    cli("check", "INC-1", "C-1")
    bad = cli("field", "INC-1", "messages_delayed", "lots", check=False)
    assert bad.returncode == 2 and "messages_delayed: 'lots' is not a whole number (e.g. 1200)" in bad.stderr
    words = cli("field", "INC-1", "messages_delayed", "12", "thousand", check=False)  # one line, not argparse's usage
    assert words.returncode == 2 and words.stderr.strip() == "warroom: messages_delayed: '12 thousand' is not a whole number (e.g. 1200)"
    huge = cli("field", "INC-1", "messages_delayed", "99999999999999999999999", check=False)
    assert huge.returncode == 2 and "'99999999999999999999999' is too large: at most 1,000,000,000,000,000" in huge.stderr
    unknown = cli("field", "INC-1", "nope", "3", check=False)
    assert unknown.returncode == 2 and "INC-1 has no field 'nope' (fields: messages_delayed)" in unknown.stderr
    cli("status", "INC-1", "resolved")
    cli("ws", "claim", "INC-1", "WS-1")
    cli("ws", "status", "INC-1", "WS-1", "done")
    refused = cli("close", "INC-1", "--no-export", check=False)
    assert refused.returncode == 1
    assert 'C-2 "Tell the partners" (comms) is not ticked' in refused.stderr
    assert "field messages_delayed (Messages delayed) is not set" in refused.stderr
    assert "set Messages delayed to 12,000" in cli("field", "INC-1", "messages_delayed", "12,000").stdout
    cli("check", "INC-1", "C-2")
    assert "Messages delayed: 12,000" in cli("show", "INC-1").stdout
    cli("close", "INC-1", "--no-export")


def test_hostile_text_in_a_playbook_file_reaches_no_terminal_raw(cli) -> None:
    hostile = json.dumps(FORGED_BANNER + OSC52)[1:-1]  # JSON's escapes (\u001b) are TOML's too
    (playbooks_dir(cli) / "evil.toml").write_text(
        f'description = "{hostile}"\nworkstreams = ["WS {hostile}"]\nfirst_update = "{hostile}"\n'
        f'[[checklist]]\ntext = "Item {hostile}"\n[[fields]]\nname = "f"\nlabel = "L {hostile}"\n'
    )
    outputs = [
        cli("playbooks", actor=None).stdout,
        cli("playbooks", "show", "evil", actor=None).stdout,
    ]
    cli("declare", "INC-1", "--title", "Evil", "--playbook", "evil")
    cli("field", "INC-1", "f", "value")
    outputs += [cli("checklist", "INC-1").stdout, cli("show", "INC-1").stdout, cli("show", "INC-1", "--json").stdout]
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output
    assert "␛[2J" in outputs[1] and "Item ␛[2J" in outputs[2]
