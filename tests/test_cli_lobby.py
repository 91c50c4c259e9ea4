"""`warroom` with no command opens the lobby: the real CLI as a subprocess (and on a pseudo-terminal)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli
from tests.terminal import Terminal


def test_no_command_and_no_incidents_says_what_to_do(cli: Cli, store_dir: Path) -> None:
    cli.env["WARROOM_STORE"] = str(store_dir / "nothing-here-yet")
    result = cli()
    assert result.returncode == 0
    assert "no incidents in" in result.stdout and "warroom declare --title" in result.stdout
    assert "Traceback" not in result.stderr
    assert not (store_dir / "nothing-here-yet").exists()  # saying so creates nothing


def test_help_still_works_and_names_the_lobby(cli: Cli) -> None:
    result = cli("--help", actor=None)
    assert result.returncode == 0
    assert "lobby" in result.stdout and "Without a command: the lobby" in result.stdout
    assert cli("lobby", "--help", actor=None).returncode == 0


def test_no_command_without_a_terminal_says_so(cli: Cli) -> None:
    cli("declare", "--title", "Checkout errors")
    result = cli(check=False)
    assert result.returncode == 2
    assert "the lobby needs a terminal" in result.stderr and "warroom list" in result.stderr


def test_store_flag_before_any_command_is_used(cli: Cli, store_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    cli("declare", "INC-9", "--title", "Elsewhere", "--store", str(other))
    listed = cli("--store", str(other), "list", actor=None)
    assert "INC-9" in listed.stdout


def test_no_command_on_a_terminal_opens_the_lobby_and_q_quits(cli: Cli) -> None:
    cli("declare", "--title", "Checkout errors in EU", "--sev", "1")
    lobby = Terminal(cli.env, "--as", "alice")  # no command
    try:
        lobby.read_until(b"Checkout errors in EU")
        lobby.write(b"q")
        assert lobby.exit_code() == 0, "q did not quit the lobby"
    finally:
        lobby.close()
