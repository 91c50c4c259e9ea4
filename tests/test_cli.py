"""The CLI as a user (or a bot) runs it: real subprocesses against a real store folder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def show(cli, incident="INC-1"):
    return json.loads(cli("show", incident, "--json").stdout)


def test_a_whole_incident_from_declare_to_close(cli):
    assert cli("declare", "--title", "Customer objects expiring", "--sev", "2").stdout.strip() == "INC-1"
    assert cli("declare", "--title", "Second", actor="bob").stdout.strip() == "INC-2"
    cli("ws", "open", "INC-1", "Stop the lifecycle rule", actor="bob")
    cli("ws", "open", "INC-1", "Restore objects", actor="bob")
    cli("ws", "claim", "INC-1", "WS-1", actor="bob")
    cli("ws", "claim", "INC-1", "ws-2", actor="carol")
    cli("ws", "status", "INC-1", "WS-1", "blocked", "--note", "needs prod creds", actor="bob")
    cli("ws", "handoff", "INC-1", "WS-1", "--to", "carol", "--note", "rule disabled in eu-1; us next", actor="bob")
    state = show(cli)
    assert state["workstreams"][0]["pending_handoff"] == {"to": "carol", "note": "rule disabled in eu-1; us next"}
    cli("ws", "decline", "INC-1", "WS-1", actor="carol")
    cli("ws", "handoff", "INC-1", "WS-1", "--to", "carol", "--note", "please", actor="bob")
    cli("ws", "accept", "INC-1", "WS-1", actor="carol")
    cli("ws", "release", "INC-1", "WS-2", actor="carol")
    cli("shift", "INC-1", "break", "--minutes", "20", actor="dave")
    cli("shift", "INC-1", "on", actor="dave")
    cli("shift", "INC-1", "off", actor="bob")
    cli("note", "INC-1", "restores at 40% | `s3 cp` running", "--star", actor="carol")
    cli("role", "INC-1", "scribe", "dave")
    cli("broadcast", "INC-1", "Stop all lifecycle deploys")
    cli("broadcast", "INC-1", "Restoring customer data", "--stakeholders")
    cli("sev", "INC-1", "1")
    cli("status", "INC-1", "identified")
    cli("command", "INC-1", "handoff", "--to", "carol", "--note", "I'm at 3h; you have context")
    cli("command", "INC-1", "accept", actor="carol")
    cli("action", "INC-1", "Dry-run lifecycle rules before apply", "--owner", "dave", "--kind", "preventative", actor="carol")
    cli("status", "INC-1", "resolved", actor="carol")
    closed = cli("close", "INC-1", "--force", actor="carol")  # WS-1 still blocked, WS-2 open: on purpose
    assert "closed the incident" in closed.stdout

    state = show(cli)
    assert {k: state[k] for k in ("id", "title", "severity", "status", "commander")} == {
        "id": "INC-1",
        "title": "Customer objects expiring",
        "severity": 1,
        "status": "resolved",
        "commander": "carol",
    }
    assert state["closed"] is True and state["seq"] == len(state["timeline"])
    assert [(w["id"], w["owner"], w["status"]) for w in state["workstreams"]] == [
        ("WS-1", "carol", "blocked"),
        ("WS-2", None, "open"),
    ]
    shifts = {r["handle"]: r["shift"] for r in state["responders"]}
    assert shifts == {"alice": "on", "bob": "off", "carol": "on", "dave": "on"}
    texts = [e["text"] for e in state["timeline"]]
    assert "restores at 40% | `s3 cp` running" in texts
    assert all(e["rejected"] is None for e in state["timeline"])
    assert set(state["timeline"][0]) >= {"seq", "at", "actor", "type", "text", "rejected"}
    assert state["action_items"][0]["kind"] == "preventative"

    listed = json.loads(cli("list", "--json").stdout)
    assert {i["id"]: i["closed"] for i in listed} == {"INC-1": True, "INC-2": False}
    human = cli("show", "INC-1").stdout
    assert "WS-1" in human and "carol" in human and "restores at 40%" in human


def test_refusals_name_the_rule_and_exit_non_zero(cli):
    cli("declare", "INC-7", "--title", "t")
    cli("ws", "open", "INC-7", "Verify", actor="bob")
    cli("ws", "claim", "INC-7", "WS-1", actor="bob")
    claim = cli("ws", "claim", "INC-7", "WS-1", actor="carol", check=False)
    assert claim.returncode == 1 and claim.stderr.strip() == "warroom: refused: WS-1 is owned by bob: ask them to hand it off"
    off = cli("shift", "INC-7", "off", actor="bob", check=False)
    assert off.returncode == 1 and "you still own WS-1" in off.stderr
    broadcast = cli("broadcast", "INC-7", "hi", actor="bob", check=False)
    assert broadcast.returncode == 1 and "only the commander can broadcast" in broadcast.stderr
    again = cli("declare", "INC-7", "--title", "t", check=False)
    assert again.returncode == 1 and "already declared" in again.stderr
    assert len(show(cli, "INC-7")["timeline"]) == 3


def test_unknown_incident_and_bad_ids(cli):
    unknown = cli("note", "INC-404", "hello", check=False)
    assert unknown.returncode == 1 and "INC-404" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1
    bad = cli("show", "../x", check=False)
    assert bad.returncode == 2 and "bad incident id '../x'" in bad.stderr
    bad_ws = cli("ws", "claim", "INC-1", "WS-x", check=False)
    assert bad_ws.returncode == 2 and "bad workstream" in bad_ws.stderr
    titled = cli("declare", "Checkout errors on eu-west", check=False)
    assert titled.returncode == 2 and "warroom declare --title 'Checkout errors on eu-west'" in titled.stderr
    blank = cli("declare", "--title", "   ", check=False)
    assert blank.returncode == 2 and "title" in blank.stderr
    assert list(cli.store_dir.iterdir()) == []


def test_an_unknown_flag_after_a_command_names_that_command_and_its_usage(cli):
    """`warroom note INC-1 hi --bogus` said `usage: warroom [-h] [--version] COMMAND ...`: not which
    command refused it, nor what it takes."""
    cli("declare", "--title", "Checkout errors")
    for args, usage in [
        (("note", "INC-1", "hello", "--bogus"), "usage: warroom note "),
        (("ws", "claim", "INC-1", "WS-1", "--bogus"), "usage: warroom ws claim "),
        (("list", "--bogus"), "usage: warroom list "),
    ]:
        result = cli(*args, check=False)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith(usage), (args, result.stderr)
        assert result.stderr.strip().splitlines()[-1] == f"{usage.removeprefix('usage: ').strip()}: error: unrecognized arguments: --bogus"
    assert "hello" not in cli("show", "INC-1").stdout
    top = cli("--bogus", actor=None, check=False)
    assert top.returncode == 2 and top.stderr.strip().splitlines()[-1] == "warroom: error: unrecognized arguments: --bogus"


def test_bad_handle_is_refused_with_its_source(cli):
    result = cli("declare", "--title", "t", actor="../bob", check=False)
    assert result.returncode == 1 and "bad handle '../bob' from --as" in result.stderr


def test_a_store_and_a_server_both_set_is_refused_in_one_line(cli, tmp_path):
    cli.env["WARROOM_SERVER"] = "http://127.0.0.1:9"  # WARROOM_STORE is set by the fixture
    result = cli("list", check=False)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "both WARROOM_STORE and WARROOM_SERVER are set" in result.stderr
    assert cli("list", "--store", str(tmp_path)).returncode == 0  # a flag decides for this command


def test_shift_on_as_a_first_action_comes_on_shift(cli):
    cli("declare", "INC-42", "--title", "t")
    came = cli("shift", "INC-42", "on", actor="bob", check=False)
    assert came.returncode == 0, came.stderr
    assert came.stdout.strip() == "INC-42 #2 bob came on shift"
    assert show(cli, "INC-42")["responders"][1]["handle"] == "bob"
    assert show(cli, "INC-42")["responders"][1]["shift"] == "on"


def test_a_break_of_zero_minutes_is_refused_not_made_fifteen(cli):
    """`shift INC-42 break --minutes 0` went on a 15-minute break (0 read as "not given")."""
    cli("declare", "INC-42", "--title", "t")
    zero = cli("shift", "INC-42", "break", "--minutes", "0", check=False)
    assert zero.returncode == 2 and zero.stderr.strip() == "warroom: invalid minutes: Input should be greater than or equal to 1"
    assert show(cli, "INC-42")["responders"][0]["shift"] == "on"
    assert "went on a 15 min break" in cli("shift", "INC-42", "break").stdout


def test_a_store_that_is_a_file_is_named_as_one(cli, tmp_path):
    """`declare --store FILE` said `cannot create the folder FILE: File exists`."""
    plain = tmp_path / "incidents"
    plain.write_text("notes\n")
    result = cli("declare", "--title", "t", "--store", str(plain), check=False)
    assert result.returncode == 1 and result.stderr.strip() == f"warroom: cannot create the folder {plain}: it is a file, not a folder"
    assert plain.read_text() == "notes\n"


def test_star_takes_the_entry_as_show_prints_it_and_refuses_zero_in_its_words(cli):
    """`star INC-42 '#2'` (as `show` prints it) said `invalid int value: '#2'`; `star INC-42 0` said
    `invalid target: Input should be greater than or equal to 1` (a field the user never named)."""
    cli("declare", "INC-42", "--title", "t")
    cli("note", "INC-42", "p99 is up")
    assert cli("star", "INC-42", "#2").stdout.strip() == "INC-42 #3 alice starred entry #2"
    for bad in ("0", "-1", "#x"):
        result = cli("star", "INC-42", "--as", "alice", "--", bad, actor=None, check=False)
        assert result.returncode == 2, (bad, result.stderr)
        assert result.stderr.strip().splitlines()[-1] == f"warroom star: error: argument seq: bad entry {bad!r}: use its number, #N as `warroom show` prints it (from #1)"


def test_locate_and_list_when_empty(cli, isolated_environment):
    assert cli("locate", "config").stdout.strip() == str(isolated_environment / "warroom.toml")
    assert cli("locate", "store").stdout.strip() == str(cli.store_dir)
    assert "no incidents" in cli("list").stdout


def test_handle_is_remembered_on_first_declare(cli, isolated_environment):
    cli("declare", "--title", "t", actor="zoe")
    assert 'handle = "zoe"' in (isolated_environment / "warroom.toml").read_text()
    assert cli("note", "INC-1", "who am I", actor=None).stdout.split()[2] == "zoe"


def test_a_broken_config_is_one_clear_line(cli, isolated_environment):
    (isolated_environment / "warroom.toml").write_text("[user\nhandle=")
    result = cli("list", check=False)
    assert result.returncode == 1 and "not valid TOML" in result.stderr and str(isolated_environment) in result.stderr


SUBCOMMANDS = [
    ["declare"], ["list"], ["show"], ["join"], ["note"], ["star"], ["ws"], ["ws", "open"], ["ws", "claim"],
    ["ws", "release"], ["ws", "handoff"], ["ws", "accept"], ["ws", "decline"], ["ws", "status"], ["shift"],
    ["command"], ["role"], ["broadcast"], ["snooze"], ["sev"], ["status"], ["keytime"], ["action"], ["close"], ["locate"],
    ["replay"],
]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(words):
    from warroom.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([*words, "--help"])
    assert exit_.value.code == 0


def test_scripted_commands_do_not_import_textual_or_the_server(cli):
    code = (
        "import sys; from warroom.cli import main; main(['list']); "
        "print(sorted(m for m in ('textual', 'fastapi', 'uvicorn', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli.env, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_second_hand_off_of_one_workstream_is_refused_unless_it_replaces_the_first(cli):
    cli("declare", "INC-1", "--title", "t")
    for handle in ("bob", "carol"):
        cli("shift", "INC-1", "on", actor=handle)
    cli("ws", "open", "INC-1", "Fail over")
    cli("ws", "claim", "INC-1", "WS-1")
    cli("ws", "handoff", "INC-1", "WS-1", "--to", "bob", "--note", "first")
    again = cli("ws", "handoff", "INC-1", "WS-1", "--to", "carol", "--note", "second", check=False)
    assert again.returncode == 1 and "WS-1 is already offered to bob" in again.stderr
    replaced = cli("ws", "handoff", "INC-1", "WS-1", "--to", "carol", "--note", "second", "--replace")
    assert "(replacing the offer to bob)" in replaced.stdout
    assert show(cli)["workstreams"][0]["pending_handoff"] == {"to": "carol", "note": "second"}
