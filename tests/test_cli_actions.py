"""Action items followed through, as a user runs them: real ``warroom`` subprocesses on a store folder."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta


def test_action_items_are_added_started_finished_and_listed_across_incidents(cli):
    cli("declare", "--title", "Checkout down")
    cli("declare", "--title", "Search lagging", actor="bob")
    past = (date.today() - timedelta(days=3)).isoformat()
    assert "added action item A-1 (preventative, owner erin, due " in cli(
        "action", "INC-1", "Lock timeout on migrations", "--owner", "erin", "--kind", "preventative", "--due", past
    ).stdout
    cli("action", "add", "INC-1", "Alert on EU errors", "--owner", "carol")
    cli("action", "INC-2", "Reindex nightly", "--owner", "erin", actor="bob")
    cli("close", "INC-1", "--no-export", "--force")
    assert 'started action item A-2 "Alert on EU errors"' in cli("action", "start", "INC-1", "A-2", actor="carol").stdout
    assert "finished action item A-2" in cli("action", "done", "INC-1", "a-2", actor="carol").stdout  # after close
    cli("action", "wontdo", "INC-2", "A-1", "--reason", "the index is rebuilt on deploy", actor="erin")

    listed = json.loads(cli("actions", "--json").stdout)
    assert listed == [
        {"incident": "INC-1", "id": "A-1", "text": "Lock timeout on migrations", "owner": "erin", "kind": "preventative", "status": "open", "due": past},
        {"incident": "INC-1", "id": "A-2", "text": "Alert on EU errors", "owner": "carol", "kind": "corrective", "status": "done", "due": None},
        {"incident": "INC-2", "id": "A-1", "text": "Reindex nightly", "owner": "erin", "kind": "corrective", "status": "wont_do", "due": None},
    ]
    assert [(i["incident"], i["id"]) for i in json.loads(cli("actions", "--owner", "erin", "--json").stdout)] == [("INC-1", "A-1"), ("INC-2", "A-1")]
    assert [(i["incident"], i["id"]) for i in json.loads(cli("actions", "--open", "--json").stdout)] == [("INC-1", "A-1")]
    overdue = cli("actions", "--overdue").stdout
    assert "INC-1" in overdue and "A-1" in overdue and "OVERDUE" in overdue and "Reindex" not in overdue
    show = json.loads(cli("show", "INC-2", "--json").stdout)
    assert show["action_items"][0] | {"seq": 0} == {
        "id": "A-1", "seq": 0, "text": "Reindex nightly", "owner": "erin", "kind": "corrective",
        "status": "wont_do", "reason": "the index is rebuilt on deploy", "due": None,
    }


def test_the_csv_is_what_issue_tracker_importers_read(cli):
    cli("declare", "--title", "Checkout down")
    cli("action", "INC-1", "=HYPERLINK(\"http://evil\")", "--owner", "erin", "--due", "2026-12-09")
    cli("action", "INC-1", "Runbook, with commas and \"quotes\"")
    cli("action", "wontdo", "INC-1", "A-2", "--reason", "dup")
    data = cli("actions", "--csv").stdout
    assert not data.startswith("\ufeff") and data.startswith("Title,Description,Assignee,Due Date,Labels,Status\n")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert rows[0]["Title"] == "'=HYPERLINK(\"http://evil\")"  # neutralised for spreadsheets
    assert (rows[0]["Assignee"], rows[0]["Due Date"], rows[0]["Labels"], rows[0]["Status"]) == ("erin", "2026-12-09", "warroom,INC-1,corrective", "open")
    assert rows[1]["Title"] == "Runbook, with commas and \"quotes\"" and rows[1]["Status"] == "won't do"
    assert "A-2" in rows[1]["Description"] and "INC-1" in rows[1]["Description"] and "dup" in rows[1]["Description"]


def test_bad_action_commands_say_why_in_one_line(cli):
    cli("declare", "--title", "Checkout down")
    cli("action", "INC-1", "Lock timeout")
    cases = [
        (("action", "wontdo", "INC-1", "A-1"), 2, "wontdo needs --reason"),
        (("action", "done", "INC-1", "WS-1"), 2, "bad action item 'WS-1'"),
        (("action", "done", "INC-1"), 2, "usage: warroom action done INC-ID A-N"),
        (("action", "done", "INC-1", "A-1", "--owner", "bob"), 2, "go with adding an item"),
        (("action", "INC-1", "x", "--due", "next week"), 2, "bad date 'next week'"),
        (("action", "done", "INC-1", "A-7"), 1, "no action item A-7 in INC-1 (A-1 to A-1)"),
        (("action", "done", "INC-9", "A-1"), 1, "no incident INC-9"),
        (("action", "done", "../x", "A-1"), 2, "bad incident id"),
    ]
    for args, code, words in cases:
        result = cli(*args, check=False)
        assert result.returncode == code, (args, result.stderr)
        assert words in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr, (args, result.stderr)
    cli("action", "done", "INC-1", "A-1")
    again = cli("action", "done", "INC-1", "A-1", check=False)
    assert again.returncode == 1 and "A-1 is already done" in again.stderr


def test_an_action_command_in_the_wrong_shape_says_which_shape_it_takes(cli):
    """Each of these said only `usage: warroom action INC-ID TEXT (or: warroom action
    start|done|wontdo|reopen INC-ID A-N)`: not that the text wants quotes, nor that the verb goes
    first, nor that `close` is no verb (and never that `edit` is one)."""
    cli("declare", "--title", "Checkout down")
    cli("action", "INC-1", "Lock timeout")
    cases = [
        (("action", "INC-1", "Fix", "the", "pool"), "the item's text is one argument: warroom action INC-1 'Fix the pool'"),
        (("action", "INC-1", "A-1", "done"), "the verb goes first: warroom action done INC-1 A-1"),
        (("action", "close", "INC-1", "A-1"), "no verb 'close': start, done, wontdo, reopen or edit"),
        (("action", "INC-1"), "usage: warroom action INC-ID TEXT (or: warroom action start|done|wontdo|reopen|edit INC-ID A-N)"),
    ]
    for args, words in cases:
        result = cli(*args, check=False)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.strip() == f"warroom: {words}", (args, result.stderr)
    assert [a["status"] for a in json.loads(cli("actions", "--json").stdout)] == ["open"]
