"""Files planted in a shared folder cannot hang, exhaust or redirect a client (issue 21 items 6, 7).

A FIFO at ``.INC-1.checkpoint`` used to hang ``show``, ``note`` and ``list`` for ever, and a
symlink to ``/dev/zero`` made each of them read until ``MemoryError``. Every command runs
as a real subprocess with a timeout and an address-space limit, so a regression fails
(``TimeoutExpired``, a non-zero exit) instead of hanging the suite or eating the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, Cli

CHECKPOINT = ".INC-1.checkpoint"
MEMORY_LIMIT = 3 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(cli: Cli, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``warroom ARGS --as alice`` in a child that cannot hang the test or take the machine's memory."""
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args, "--as", "alice"],
        capture_output=True, text=True, env=cli.env, cwd=REPO_ROOT, timeout=timeout,
        stdin=subprocess.DEVNULL, preexec_fn=_limit_memory,
    )


def plant(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        with open(path, "wb") as huge:  # sparse: 3 GiB claimed, nothing on disk
            huge.truncate(3 << 30)


PLANTED = {
    "fifo": "is a FIFO, not a regular file",
    "dev-zero": "is a symbolic link, not a regular file",
    "huge": "is 3,072.0 MiB, more than checkpoints may be (512.0 MiB)",
}


@pytest.mark.parametrize("kind", list(PLANTED))
@pytest.mark.parametrize("command", ["show", "note", "list"])
def test_a_planted_checkpoint_is_ignored_with_one_warning(cli: Cli, store_dir: Path, kind: str, command: str) -> None:
    cli("declare", "INC-1", "--title", "Checkout 500s")
    cli("note", "INC-1", "first look")
    plant(store_dir / CHECKPOINT, kind)
    args = {"show": ("show", "INC-1"), "note": ("note", "INC-1", "still here"), "list": ("list",)}[command]
    result = run(cli, *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warroom: warning: {store_dir / CHECKPOINT} {PLANTED[kind]}; ignored (a checkpoint is only a cache: the next append rebuilds it)"
    ]
    expected = {"show": "first look", "note": "INC-1 #3 alice still here", "list": "INC-1"}[command]
    assert expected in result.stdout


@pytest.mark.parametrize("kind", list(PLANTED))
def test_the_next_append_rebuilds_a_planted_checkpoint(cli: Cli, store_dir: Path, tmp_path: Path, kind: str) -> None:
    cli("declare", "INC-1", "--title", "Checkout 500s")
    plant(store_dir / CHECKPOINT, kind)
    assert run(cli, "note", "INC-1", "rebuilds it").returncode == 0
    checkpoint = store_dir / CHECKPOINT
    assert checkpoint.is_file() and not checkpoint.is_symlink() and checkpoint.stat().st_size < 1 << 20
    again = run(cli, "show", "INC-1")
    assert again.returncode == 0 and again.stderr == "" and "rebuilds it" in again.stdout


def test_a_huge_incident_log_is_refused_by_its_size(cli: Cli, store_dir: Path) -> None:
    cli("declare", "INC-1", "--title", "Checkout 500s")
    with open(store_dir / "INC-2.jsonl", "wb") as huge:
        huge.truncate(3 << 30)
    listed = run(cli, "list")
    assert listed.returncode == 0 and "INC-1" in listed.stdout and "INC-2" not in listed.stdout
    too_large = f"{store_dir / 'INC-2.jsonl'} is 3,072.0 MiB, more than incident logs may be (1,024.0 MiB); refusing to read it"
    assert listed.stderr.splitlines() == [f"warroom: warning: {too_large}; not listed"]
    shown = run(cli, "show", "INC-2")
    assert shown.returncode == 1 and shown.stderr.splitlines() == [f"warroom: {too_large}"]


@pytest.mark.parametrize("command", [("show", "INC-2"), ("note", "INC-2", "hi"), ("list",)])
def test_a_fifo_in_place_of_an_incident_log_does_not_hang(cli: Cli, store_dir: Path, command: tuple[str, ...]) -> None:
    cli("declare", "INC-1", "--title", "Checkout 500s")
    os.mkfifo(store_dir / "INC-2.jsonl")
    result = run(cli, *command)
    assert f"{store_dir / 'INC-2.jsonl'} is a FIFO, not a regular file" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
