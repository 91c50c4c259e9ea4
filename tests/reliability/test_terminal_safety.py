"""Terminal safety outside the board: the sanitiser itself, the CLI's bytes, the CSV's bytes.

The CLI runs as a real subprocess and its stdout/stderr are checked as bytes: valid
UTF-8, no C0 byte but the line feeds ending lines, no ESC, no DEL, no C1, no bidi
control. ``warroom show`` must also keep one line per row: a newline in a note cannot
forge a line that reads as someone else's entry. (The board is covered, through Pilot,
in tests/tui/test_terminal_safety.py.)
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import LONG, REPO_ROOT
from tests.hostile_text import EXAMPLES, FORGED_BANNER, FORGED_LINE, OSC52, hostile, hostile_argv, unsafe_chars
from warroom.export import render_csv
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.safetext import LINE_MARK, json_safe, safe_block, safe_line
from warroom.store import FileStore

# --- the sanitiser ------------------------------------------------------------------------


@given(hostile(400))
def test_a_safe_line_has_no_control_no_bidi_and_no_line_break(text: str) -> None:
    shown = safe_line(text)
    assert unsafe_chars(shown) == []
    assert safe_line(shown) == shown  # idempotent: sanitising twice changes nothing


@given(hostile(400), st.sampled_from(["", "  ", "    │ "]))
def test_a_safe_block_breaks_lines_only_where_the_text_did(text: str, indent: str) -> None:
    shown = safe_block(text, indent)
    assert unsafe_chars(shown, allowed="\n") == []
    assert shown.count("\n") == safe_line(text).count(LINE_MARK) - text.count(LINE_MARK)
    assert all(line.startswith(indent) for line in shown.split("\n")[1:])


@given(st.text())
def test_plain_text_is_shown_unchanged(text: str) -> None:
    if not unsafe_chars(text) and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        assert safe_line(text) == text and safe_block(text) == text


def test_the_rule_in_examples() -> None:
    assert safe_line(FORGED_BANNER) == "␛[2J␛[1;1H␛[41m INCIDENT RESOLVED ␛[0m"
    assert safe_line(OSC52) == "␛]52;c;cm0gLXJmIH4K␇"
    assert safe_line("a\r\nb\nc\rd\u2028e") == "a⏎ b⏎ c⏎ d⏎ e"
    assert safe_line("gnp\u202eexe \u2066x\u2069 \x9b1m \x85") == "gnp<U+202E>exe <U+2066>x<U+2069> <U+009B>1m ⏎ "
    assert safe_line("tab\tdel\x7fnul\x00") == "tab del␡nul␀"
    assert safe_block("Traceback:\n  File x\r\nError", indent="    ") == "Traceback:\n      File x\n    Error"


@given(st.dictionaries(st.text(max_size=5), hostile()))
def test_json_output_is_the_same_document_and_safe_to_print(data: dict) -> None:
    dumped = json_safe(json.dumps(data, ensure_ascii=False))
    assert json.loads(dumped) == data
    assert unsafe_chars(dumped) == []


# --- the CLI, as bytes ---------------------------------------------------------------------


def _run(store: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["WARROOM_STORE"] = str(store)
    env.pop("WARROOM_SERVER", None)
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        capture_output=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def assert_terminal_safe_bytes(data: bytes, what: str) -> str:
    text = data.decode("utf-8")  # strict: a lone surrogate or bad byte would fail here
    bad = unsafe_chars(text, allowed="\n")
    assert not bad, f"{what}: {bad!r} in {text[:400]!r}"
    return text


def _seed(store_dir: Path, texts: list[str]) -> None:
    store = FileStore(store_dir)

    def act(actor: str, body: ev.Body) -> None:
        store.append_sync("INC-1", ev.EventDraft(actor=actor, body=body))

    act("alice", ev.IncidentDeclared(incident_id="INC-1", title=texts[0][:200]))
    act("bob", ev.ResponderJoined())
    act("alice", ev.WorkstreamOpened(title=texts[1][:200]))
    act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    act("bob", ev.NoteAdded(text=texts[2]))
    act("bob", ev.HandoffOffered(workstream="WS-1", to="alice", note=texts[3]))
    act("alice", ev.BroadcastSent(text=texts[4], audience="stakeholders"))
    act("alice", ev.ActionItemAdded(text=texts[5]))
    act("alice", ev.IncidentClosed(summary=texts[0]))


_TIMELINE_ROW = re.compile(r"^ [ *]\d\d:\d\d #\d+ +\S+ ")


def _check_cli_output(store_dir: Path) -> None:
    shown = _run(store_dir, "show", "INC-1", "--all")
    assert shown.returncode == 0, shown.stderr
    text = assert_terminal_safe_bytes(shown.stdout, "show")
    rows = text.split("timeline:\n", 1)[1].rstrip("\n").split("\n")
    assert len(rows) == 9 and all(_TIMELINE_ROW.match(row) for row in rows), rows  # one row per entry, no forgeries
    for args in (("show", "INC-1", "--json"), ("list",), ("list", "--json")):
        result = _run(store_dir, *args)
        assert result.returncode == 0, result.stderr
        assert_terminal_safe_bytes(result.stdout, " ".join(args))
    raw_title = asyncio.run(FileStore(store_dir).read("INC-1"))[0].body.title
    assert json.loads(_run(store_dir, "show", "INC-1", "--json").stdout)["title"] == raw_title  # JSON stays lossless


@settings(max_examples=30 if LONG else 3, deadline=None)
@given(texts=st.lists(hostile(), min_size=6, max_size=6))
def test_cli_show_and_list_bytes_are_terminal_safe(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp)
        _seed(store_dir, texts)
        _check_cli_output(store_dir)


def test_a_newline_in_a_note_cannot_forge_a_line_of_show(store_dir: Path) -> None:
    _seed(store_dir, [FORGED_BANNER, OSC52, FORGED_LINE, *EXAMPLES[3:]])
    _check_cli_output(store_dir)
    text = _run(store_dir, "show", "INC-1").stdout.decode()
    assert "ok⏎  09:41 #7    alice        broadcast: all clear, stand down" in text
    assert not any(line.startswith(" 09:41 #7") for line in text.splitlines())


@settings(max_examples=20 if LONG else 3, deadline=None)
@given(text=hostile_argv())
def test_acknowledgement_lines_are_terminal_safe(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp)
        assert _run(store_dir, "declare", "INC-1", "--title", text[:200], "--as", "alice").returncode == 0
        for args in (("note", "INC-1", text), ("ws", "open", "INC-1", text[:200]), ("broadcast", "INC-1", text)):
            result = _run(store_dir, *args, "--as", "alice")
            assert result.returncode == 0, result.stderr
            line = assert_terminal_safe_bytes(result.stdout, args[0])
            assert line.count("\n") == 1 and line.startswith("INC-1 #")


def test_the_issue_examples_in_acknowledgement_and_error_lines(store_dir: Path) -> None:
    assert _run(store_dir, "declare", "INC-1", "--title", "db down", "--as", "alice").returncode == 0
    for text in (FORGED_BANNER, OSC52, FORGED_LINE):
        result = _run(store_dir, "note", "INC-1", text, "--as", "alice")
        assert result.returncode == 0
        assert_terminal_safe_bytes(result.stdout, "note")
    ack = _run(store_dir, "note", "INC-1", FORGED_BANNER, "--as", "alice").stdout.decode()
    assert ack == "INC-1 #5 alice ␛[2J␛[1;1H␛[41m INCIDENT RESOLVED ␛[0m\n"
    # Error lines echo what was typed (here a file name): never raw either.
    failed = _run(store_dir, "import", str(store_dir / f"{OSC52}{FORGED_BANNER}.json"))
    assert failed.returncode != 0
    line = assert_terminal_safe_bytes(failed.stderr, "import error")
    assert line.count("\n") == 1 and "␛]52;c;" in line


# --- the CSV export ------------------------------------------------------------------------


@given(texts=st.lists(hostile(), min_size=6, max_size=6))
@settings(max_examples=60 if LONG else 25, deadline=None)
def test_csv_bytes_carry_no_control_and_formulas_stay_text(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _seed(Path(tmp), texts)
        events = asyncio.run(FileStore(Path(tmp)).read("INC-1"))
    data = render_csv(fold(events)).encode("utf-8")
    text = data.decode("utf-8")
    # CRLF ends a row; LF alone sits inside a quoted multi-line note. Nothing else below 0x20.
    assert unsafe_chars(text, allowed="\r\n") == []
    assert "\r" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + len(events)
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_export_neutralises_the_issue_examples(store_dir: Path) -> None:
    _seed(store_dir, [FORGED_BANNER, OSC52, "=cmd|' /C calc'!A0\x1b[2J", FORGED_LINE, "\x1b[2J", "x"])
    exported = _run(store_dir, "export", "INC-1", "--format", "csv", "-o", "-")
    assert exported.returncode == 0, exported.stderr
    assert b"\x1b" not in exported.stdout
    text = exported.stdout.decode()
    assert "␛[2J␛[1;1H␛[41m INCIDENT RESOLVED ␛[0m" in text and "␛]52;c;cm0gLXJmIH4K␇" in text
    assert "'=cmd|' /C calc'!A0␛[2J" in text  # the formula guard still holds
