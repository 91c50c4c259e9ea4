"""`warroom join` and `warroom lobby` on a terminal paint their frame before the CLI and the domain load (issue 23 item 3).

The real CLI on a pseudo-terminal: the frame ("loading…" and the panes) comes first, then the
board; what the parser or the settings refuse after the frame is said in one line once the
App has ended, as any command says it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, Cli
from tests.terminal import Terminal
from warroom.cli.early import (
    PlainStart,
    plain_start,
    plain_start_on_a_terminal,
    ui_in_file,
)

@pytest.fixture
def terminal(cli: Cli):
    opened: list[Terminal] = []

    def start(*args: str) -> Terminal:
        opened.append(Terminal(cli.env, *args))
        return opened[-1]

    yield start
    for each in opened:
        each.close()


def _in_a_fresh_interpreter(script: str, **env: str) -> str:
    """What ``script`` prints, run by a Python of its own (nothing imported yet) on this checkout."""
    environment = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **env)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, cwd=REPO_ROOT, check=True).stdout.strip()


def test_what_the_frame_needs_imports_no_pydantic_domain_or_parser() -> None:
    script = (
        "import sys\n"
        "import warroom.cli, warroom.cli.early, warroom.tui.app, warroom.tui.frame_first\n"
        "heavy = [m for m in sys.modules if m == 'pydantic' or m.startswith(('warroom.incident', 'warroom.store', 'warroom.cli.parser', 'warroom.config'))\n"
        "         and m != 'warroom.config_files']\n"
        "print(heavy)\n"
    )
    assert _in_a_fresh_interpreter(script) == "[]"


def test_what_a_join_loads_before_its_board_leaves_out_the_status_pages_view() -> None:
    """The public view (``incident.public``) is the status page's; a board waited ~3 ms of CPU for
    it (its module and dataclasses) through ``store.base``, which reads it only for the lobby's
    published summaries."""
    script = (
        "import sys\n"
        "import warroom.cli.run, warroom.tui.launch, warroom.tui.board.screen, warroom.store.file, warroom.store.http\n"
        "print('warroom.incident.public' in sys.modules)\n"
    )
    assert _in_a_fresh_interpreter(script) == "False"


def test_the_settings_and_the_stored_event_validator_parse_no_builtins_signature(tmp_path: Path) -> None:
    """pydantic asks each default factory's signature; a builtin's (``list``) is parsed from text,
    and the first parse compiles ``tokenize``'s patterns: ~2 ms of a join's CPU before the board
    (``warroom.incident.factories.empty_list``). What a join builds on its way: the config with a ``[user]``
    table, the rest defaults, and the stored-event validator."""
    config = tmp_path / "warroom.toml"
    config.write_text('[user]\nhandle = "alice"\n')
    script = (
        "import inspect\n"
        "parsed = []\n"
        "from_text = inspect._signature_fromstr\n"
        "inspect._signature_fromstr = lambda cls, obj, *rest, **kw: (parsed.append(repr(obj)), from_text(cls, obj, *rest, **kw))[1]\n"
        "from warroom.config import load_config\n"
        "from warroom.incident.events import _stored_json_validator\n"
        "load_config()\n"
        "_stored_json_validator()\n"
        "print(parsed)\n"
    )
    assert _in_a_fresh_interpreter(script, WARROOM_CONFIG_PATH=str(config)) == "[]"

def test_join_on_a_terminal_shows_the_frame_then_the_board_and_q_quits(cli: Cli, terminal) -> None:
    cli("declare", "INC-7", "--title", "Checkout errors in EU", "--sev", "1")
    board = terminal("join", "inc-7", "--as", "alice")
    board.read_until(b"INC-7", b"loading\xe2\x80\xa6", b"Workstreams", b"Responders", b"you: alice")
    assert b"Checkout errors in EU" not in board.text  # the frame came before the incident was read
    assert b"_Focus" not in board.text  # the pane's stand-in for the table to come draws nothing (a bare Widget shows its name)
    board.read_until(b"Checkout errors in EU")
    board.write(b"q")
    assert board.exit_code() == 0


def test_a_handle_refused_after_the_frame_is_said_in_one_line(cli: Cli, terminal) -> None:
    cli("declare", "INC-7", "--title", "Checkout errors in EU")
    board = terminal("join", "INC-7", "--as", "not a handle!")
    assert board.exit_code() == 1
    assert b"warroom: bad handle 'not a handle!' from --as" in board.text
    assert b"Traceback" not in board.text


def test_an_incident_id_the_parser_refuses_after_the_frame_is_said_as_argparse_says_it(cli: Cli, terminal) -> None:
    board = terminal("join", "INC/7", "--as", "alice")
    assert board.exit_code() == 2
    assert b"usage: warroom join" in board.text and b"error: argument" in board.text
    assert b"Traceback" not in board.text


def test_only_a_plain_join_or_lobby_is_taken_early() -> None:
    assert plain_start(["join", "INC-1", "--as", "alice", "--store=/tmp/x"]) == PlainStart("INC-1", "alice")
    assert plain_start(["join", "INC-1", "--server", "http://127.0.0.1:1", "--token", "t"]) == PlainStart("INC-1", None)
    assert plain_start(["lobby"]) == PlainStart(None, None)
    assert plain_start(["lobby", "--as", "bob"]) == PlainStart(None, "bob")
    for usual in (["join"], ["join", "--help"], ["join", "INC-1", "-h"], ["join", "INC-1", "--as"], ["join", "INC-1", "--as", "--store", "x"],
                  ["--store", "x", "join", "INC-1"], ["show", "INC-1"], ["join", "INC-1", "extra"], [], ["lobby", "--help"], ["lobby", "INC-1"]):
        assert plain_start(usual) is None, usual
    assert plain_start_on_a_terminal(["join", "INC-1"]) is None  # pytest's stdin is no terminal: the usual way


def test_a_join_taken_early_is_parsed_by_a_parser_of_the_joining_commands_alone() -> None:
    """The frame-first start parses with ``build_parser(up_to_joining=True)`` (~10 ms less CPU):
    whatever the early path takes, it reads exactly as the whole parser reads it."""
    from warroom.cli.parser import build_parser, parse

    whole, joining = build_parser(), build_parser(up_to_joining=True)
    for argv in (["join", "INC-1", "--as", "alice", "--store=/tmp/x"], ["join", "inc-7", "--server", "http://127.0.0.1:1", "--token", "t"],
                 ["lobby"], ["lobby", "--as", "bob", "--store", "/tmp/y"]):
        assert plain_start(argv) is not None, argv
        assert vars(parse(joining, argv)) == vars(parse(whole, argv)), argv
    commands = lambda parser: set(next(a for a in parser._actions if a.dest == "command").choices)  # noqa: E731
    assert {"join", "lobby"} <= commands(joining) and len(commands(joining)) * 5 < len(commands(whole))


def test_lobby_on_a_terminal_shows_its_frame_then_the_incidents(cli: Cli, terminal) -> None:
    cli("declare", "INC-7", "--title", "Checkout errors in EU", "--sev", "1")
    lobby = terminal("lobby", "--as", "alice")
    lobby.read_until(b"warroom lobby \xc2\xb7 alice \xc2\xb7 loading\xe2\x80\xa6", b"Open incidents")
    lobby.read_until(b"Checkout errors in EU")
    lobby.write(b"q")
    assert lobby.exit_code() == 0


def test_the_frame_takes_the_theme_and_keys_the_file_names_and_shrugs_at_a_broken_one(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "warroom.toml"
    monkeypatch.setenv("WARROOM_CONFIG_PATH", str(config))
    assert ui_in_file() == ("warroom-dark", {})  # no file
    config.write_text('[ui]\ntheme = "warroom-light"\nkeymap = { quit = "Q", bad = 3 }\n')
    assert ui_in_file() == ("warroom-light", {"quit": "Q"})
    config.write_text("[ui\ntheme = ")
    assert ui_in_file() == ("warroom-dark", {})  # the real load says why, once the frame is up
