"""End to end through the real CLI: close exports by itself, export any time, import restores.

The round trip is the promise that matters: an incident exported to JSON and imported
into another store shows exactly what the original showed (``show --json`` is compared
byte for byte).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest


def one_line_error(result) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("warroom: ")
    return lines[0]


def build_incident(cli) -> None:
    """A small but complete incident, made only with CLI commands."""
    cli("declare", "INC-5", "--title", "Login | 500s for <some> users", "--sev", "2")
    cli("note", "INC-5", "bob here", actor="bob")
    cli("note", "INC-5", "carol here", actor="carol")
    cli("role", "INC-5", "scribe", "carol")
    cli("ws", "open", "INC-5", "Roll back auth 2.3")
    cli("ws", "claim", "INC-5", "WS-1", actor="bob")
    cli("ws", "status", "INC-5", "WS-1", "blocked", "--note", "deploy tool stuck", actor="bob")
    cli("ws", "handoff", "INC-5", "WS-1", "--to", "carol", "--note", "tried: redeploy | next: =rollback\nrunbook auth.md", actor="bob")
    cli("ws", "accept", "INC-5", "WS-1", actor="carol")
    cli("shift", "INC-5", "break", "--minutes", "10", actor="bob")
    cli("note", "INC-5", "=cmd|' /C calc'!A0", "--star", actor="carol")
    cli("sev", "INC-5", "1")
    cli("broadcast", "INC-5", "Logins failing; rollback under way", "--stakeholders")
    cli("status", "INC-5", "mitigated")
    cli("command", "INC-5", "handoff", "--to", "carol", "--note", "mitigated; confirm and resolve")
    cli("command", "INC-5", "accept", actor="carol")
    cli("action", "INC-5", "Add a canary for auth", "--owner", "carol", "--kind", "preventative", actor="carol")
    cli("status", "INC-5", "resolved", actor="carol")


def test_close_exports_and_the_json_imports_to_an_identical_incident(cli, isolated_environment: Path, tmp_path: Path) -> None:
    build_incident(cli)
    closed = cli("close", "INC-5", "--force", "--summary", "auth 2.3 broke logins", actor="carol")
    lines = closed.stdout.strip().splitlines()
    assert lines[0].startswith("INC-5 #") and lines[0].endswith("carol closed the incident: auth 2.3 broke logins")
    exports = isolated_environment / "exports"  # WARROOM_EXPORT_DIR in the isolated environment
    assert lines[1:] == [
        f"exported {exports / 'INC-5-postmortem.md'}",
        f"exported {exports / 'INC-5.json'}",
        f"exported {exports / 'INC-5-timeline.csv'}",
        f"exported {exports / 'INC-5-postmortem.html'}",
    ]
    original = cli("show", "INC-5", "--json").stdout
    state = json.loads(original)

    # the post-mortem draft: the escaped title, the hand-off with its note, the commanders
    md = (exports / "INC-5-postmortem.md").read_text(encoding="utf-8")
    assert md.startswith("# INC-5: Login \\| 500s for \\<some> users\n")
    assert "| carol |" in md and "hand-off from bob" in md
    assert "tried: redeploy \\| next: =rollback<br>runbook auth.md" in md
    assert "hand-over from alice" in md

    # the CSV: one row per timeline entry, formula neutralised, newline kept in its cell
    with open(exports / "INC-5-timeline.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(state["timeline"])
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in state["timeline"]]
    assert any(r["text"] == "'=cmd|' /C calc'!A0" and r["starred"] == "yes" for r in rows)
    assert any("next: =rollback\nrunbook auth.md" in r["text"] for r in rows)

    # the JSON: its state is exactly `show --json`
    document = json.loads((exports / "INC-5.json").read_text(encoding="utf-8"))
    assert document["state"] == state

    # import into a fresh store: the same show --json, byte for byte
    other = tmp_path / "other-store"
    imported = cli("import", str(exports / "INC-5.json"), "--store", str(other))
    assert imported.stdout.strip() == f"imported INC-5 ({state['seq']} events) into {other}"
    assert imported.stderr == ""
    assert cli("show", "INC-5", "--json", "--store", str(other)).stdout == original

    # importing over it again is refused, with the way out in the message
    again = cli("import", str(exports / "INC-5.json"), "--store", str(other), check=False)
    assert "already exists" in one_line_error(again) and "--replace" in again.stderr
    assert cli("import", str(exports / "INC-5.json"), "--store", str(other), "--replace").returncode == 0
    assert cli("show", "INC-5", "--json", "--store", str(other)).stdout == original

    # and the restored incident exports the same post-mortem draft
    again_dir = tmp_path / "again"
    cli("export", "INC-5", "--store", str(other), "--dir", str(again_dir), "--format", "md")
    assert (again_dir / "INC-5-postmortem.md").read_text(encoding="utf-8") == md


def test_export_any_time_formats_and_destinations(cli, isolated_environment: Path, tmp_path: Path) -> None:
    cli("declare", "INC-8", "--title", "Queue backlog")
    cli("note", "INC-8", "still open")
    exports = isolated_environment / "exports"

    result = cli("export", "INC-8")
    assert result.stdout.splitlines() == [
        str(exports / "INC-8-postmortem.md"),
        str(exports / "INC-8.json"),
        str(exports / "INC-8-timeline.csv"),
        str(exports / "INC-8-postmortem.html"),
    ]
    assert "The incident is still open" in (exports / "INC-8-postmortem.md").read_text(encoding="utf-8")

    chosen = tmp_path / "chosen"
    assert cli("export", "INC-8", "--format", "json", "--dir", str(chosen)).stdout.strip() == str(chosen / "INC-8.json")
    assert [p.name for p in chosen.iterdir()] == ["INC-8.json"]

    single = tmp_path / "one" / "timeline.csv"
    assert cli("export", "INC-8", "-o", str(single)).stdout.strip() == str(single)  # format from the suffix
    assert single.read_bytes().startswith(b"\xef\xbb\xbfseq,")

    piped = cli("export", "INC-8", "--format", "csv", "-o", "-").stdout
    assert piped.startswith("seq,time_utc,") and "still open" in piped  # no BOM in a pipe

    bad = cli("export", "INC-8", "--format", "all", "-o", str(tmp_path / "x"), check=False)
    assert bad.returncode == 2 and "one file" in one_line_error(bad)
    bad = cli("export", "INC-8", "-o", str(tmp_path / "x.txt"), check=False)
    assert bad.returncode == 2 and "--format" in one_line_error(bad)
    bad = cli("export", "INC-8", "-o", str(tmp_path / "x.md"), "--dir", str(tmp_path), check=False)
    assert bad.returncode == 2 and "not both" in one_line_error(bad)


def test_export_folder_falls_back_to_config(cli, isolated_environment: Path, tmp_path: Path) -> None:
    configured = tmp_path / "from-config"
    (isolated_environment / "warroom.toml").write_text(f'[export]\nfolder = "{configured}"\n', encoding="utf-8")
    del cli.env["WARROOM_EXPORT_DIR"]
    cli("declare", "INC-9", "--title", "t")
    assert cli("export", "INC-9", "--format", "md").stdout.strip() == str(configured / "INC-9-postmortem.md")


def test_close_without_export_and_when_the_export_fails(cli, isolated_environment: Path, tmp_path: Path) -> None:
    cli("declare", "INC-3", "--title", "t")
    quiet = cli("close", "INC-3", "--no-export", "--force")
    assert len(quiet.stdout.strip().splitlines()) == 1
    assert not (isolated_environment / "exports").exists()

    cli("declare", "INC-4", "--title", "t")
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    failed = cli("close", "INC-4", "--force", "--dir", str(blocker / "exports"), check=False)
    assert failed.returncode == 1
    assert failed.stdout.strip().endswith("closed the incident")
    message = one_line_error(failed)
    assert "INC-4 is closed, but the export failed" in message and "warroom export INC-4" in message
    assert json.loads(cli("show", "INC-4", "--json").stdout)["closed"] is True
    retry = cli("export", "INC-4")
    assert len(retry.stdout.splitlines()) == 4


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{ corrupt", "is not valid JSON"),
        ('{"format": "warroom-incident", "version": 9, "events": []}', "export version 9; this warroom reads version 1"),
        ('{"format": "csv"}', "is not a warroom incident export"),
    ],
)
def test_import_rejects_bad_documents_in_one_line(cli, tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = cli("import", str(path), check=False)
    assert result.returncode == 1
    message = one_line_error(result)
    assert expected in message and str(path) in message
    assert result.stdout == ""


def test_missing_things_are_one_line_errors(cli, tmp_path: Path) -> None:
    assert "no incident INC-404" in one_line_error(cli("export", "INC-404", check=False))
    assert "cannot read" in one_line_error(cli("import", str(tmp_path / "nope.json"), check=False))
    assert cli("export", "../etc", check=False).returncode == 2


def test_help_describes_export_and_import(cli) -> None:
    export_help = cli("export", "--help", actor=None).stdout
    assert "--format {md,json,csv,html,all}" in export_help and "--dir DIR" in export_help and "-o PATH" in export_help
    import_help = cli("import", "--help", actor=None).stdout
    assert "--replace" in import_help and "FILE" in import_help
    assert "--no-export" in cli("close", "--help", actor=None).stdout


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        ((1, 7), "jumps from seq 1 to 7 (seqs 2-6 missing): a log has no gaps"),
        ((1, 2, 4), "jumps from seq 2 to 4 (seq 3 missing): a log has no gaps"),
        ((3, 4), "starts at seq 3, not 1 (seqs 1-2 missing): a log has no gaps"),
    ],
)
def test_import_refuses_a_log_with_a_seq_gap_naming_it(cli, tmp_path: Path, keep: tuple[int, ...], expected: str) -> None:
    """Issue 21 item 8: a gap used to be imported, then warned about on every read."""
    cli("declare", "INC-5", "--title", "gappy")
    for n in range(6):
        cli("note", "INC-5", f"note {n}")
    document = json.loads(cli("export", "INC-5", "--format", "json", "-o", "-").stdout)
    if keep[0] != 1:  # the declaration renumbered: the document starts later
        document["events"][keep[0] - 1] = {**document["events"][0], "seq": keep[0]}
    document["events"] = [e for e in document["events"] if e["seq"] in keep]
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = cli("import", str(path), "--replace", check=False)
    assert result.returncode == 1 and result.stdout == ""
    assert one_line_error(result) == f"warroom: {path} {expected}"
    shown = cli("show", "INC-5")
    assert shown.stderr == "" and "note 5" in shown.stdout  # the incident in the store is untouched


def test_export_html_alone_by_format_or_by_suffix(cli, tmp_path) -> None:
    """Issue 25: `--format html` writes the one-page draft; `-o NAME.html` picks the format from the name."""
    cli("declare", "INC-3", "--title", "Search <b>slow</b> \u202eevil")
    cli("decide", "INC-3", "Fail over to the US", "--why", "EU is down")
    written = cli("export", "INC-3", "--format", "html", "--dir", str(tmp_path / "out")).stdout.splitlines()
    assert written == [str(tmp_path / "out" / "INC-3-postmortem.html")]
    page = (tmp_path / "out" / "INC-3-postmortem.html").read_text(encoding="utf-8")
    assert "<h1>INC-3: Search &lt;b&gt;slow&lt;/b&gt; &lt;U+202E&gt;evil</h1>" in page and "Fail over to the US" in page
    cli("export", "INC-3", "-o", str(tmp_path / "draft.html"))
    assert (tmp_path / "draft.html").read_text(encoding="utf-8") == page
