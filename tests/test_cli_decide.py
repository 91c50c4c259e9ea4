"""Decisions and impact notes as a user records them: real ``warroom`` subprocesses on a store folder."""

from __future__ import annotations

import json


def test_decide_records_what_why_and_alternatives_and_show_marks_it(cli):
    cli("declare", "--title", "Objects expiring")
    out = cli("decide", "INC-1", "Turn the lifecycle rule off in the console", "--why", "stops deletions now",
              "--alternatives", "revert in Terraform (20 min)", actor="bob").stdout
    assert out.strip() == (
        "INC-1 #2 bob ◆ decided: Turn the lifecycle rule off in the console (why: stops deletions now) "
        "(alternatives: revert in Terraform (20 min))"
    )
    cli("note", "INC-1", "4,821 customers lost objects", "--impact")
    assert "impact: 4,821 customers lost objects" in cli("show", "INC-1").stdout
    shown = json.loads(cli("show", "INC-1", "--json").stdout)
    assert [(d["by"], d["text"], d["why"]) for d in shown["decisions"]] == [
        ("bob", "Turn the lifecycle rule off in the console", "stops deletions now"),
    ]


def test_a_bad_decision_is_one_line_and_records_nothing(cli):
    cli("declare", "--title", "Objects expiring")
    cli("shift", "INC-1", "break", "--minutes", "5", actor="bob")
    for args, code, words in [
        (("decide", "INC-1", "  "), 2, "must not be blank"),
        (("decide", "INC-1", "Fail over"), 1, "refused: you are on a break"),
        (("decide", "INC-9", "Fail over"), 1, "no incident INC-9"),
    ]:
        result = cli(*args, actor="bob", check=False)
        assert result.returncode == code, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr, (args, result.stderr)
    assert json.loads(cli("show", "INC-1", "--json").stdout)["decisions"] == []


def test_each_alternatives_flag_is_kept(cli):
    """`--alternatives A --alternatives B` kept only B: the other options weighed were lost without a word."""
    cli("declare", "--title", "Objects expiring")
    out = cli("decide", "INC-1", "Roll back", "--alternatives", "fix forward", "--alternatives", "wait for the vendor").stdout
    assert out.strip() == "INC-1 #2 alice ◆ decided: Roll back (alternatives: fix forward; wait for the vendor)"
    shown = json.loads(cli("show", "INC-1", "--json").stdout)
    assert [d["alternatives"] for d in shown["decisions"]] == ["fix forward; wait for the vendor"]
