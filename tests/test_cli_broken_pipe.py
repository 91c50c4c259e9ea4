"""A reader that goes away (``warroom show INC-1 | true``) ends a command quietly (issue 21 item 8).

Before, every command that printed after its reader closed the pipe ended in a
``BrokenPipeError`` traceback on stderr.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, Cli


@pytest.mark.parametrize(
    "command",
    [("show", "INC-1"), ("show", "INC-1", "--json"), ("list",), ("note", "INC-1", "after the reader left"), ("export", "INC-1", "--format", "json", "-o", "-")],
)
def test_a_closed_stdout_ends_the_command_without_a_traceback(cli: Cli, command: tuple[str, ...]) -> None:
    cli("declare", "INC-1", "--title", "Checkout 500s")
    cli("note", "INC-1", "first look")
    child = subprocess.Popen(
        [sys.executable, "-m", "warroom", *command, "--as", "alice"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=cli.env, cwd=REPO_ROOT,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # before the child has printed anything: its first write finds no reader
    stderr = child.stderr.read().decode()
    child.wait(60)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert stderr == ""
    assert child.returncode == 1
