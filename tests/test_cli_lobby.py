"""`warroom` with no command opens the lobby: the real CLI as a subprocess (and on a pseudo-terminal)."""

from __future__ import annotations

import os
import pty
import fcntl
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from tests.conftest import REPO_ROOT, Cli


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
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real CLI on a terminal, no command
        os.chdir(REPO_ROOT)
        os.execvpe(sys.executable, [sys.executable, "-m", "warroom", "--as", "alice"], cli.env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))  # a terminal wide enough for the title
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"Checkout errors in EU" not in seen:
            assert time.monotonic() < deadline, f"the lobby never showed the incident: {seen[-2000:]!r}"
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 65536)
        os.write(fd, b"q")
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                assert os.waitstatus_to_exitcode(status) == 0
                break
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    os.read(fd, 65536)
                except OSError:
                    pass
        else:
            raise AssertionError("q did not quit the lobby")
        pid = 0
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
