"""``warroom serve`` never opens its database or lock through a planted link (issue 21 items 6-7).

The server's ``{db}.lock`` sits beside the database, often in a folder others can write to.
It used to be opened following links, so a link planted there made the server create (or
lock) whatever the link pointed at; and the database path was resolved through links before
the database check, so a linked ``warroom.db`` was served from the link's target.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.harness import REPO_ROOT, cli_env


def serve(home: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warroom", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", "0"],
        capture_output=True, text=True, env=cli_env(home=home), cwd=REPO_ROOT, timeout=30, stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    home, shared, elsewhere = tmp_path / "serve-home", tmp_path / "shared", tmp_path / "elsewhere"
    for folder in (home, shared, elsewhere):
        folder.mkdir()
    return home, shared, elsewhere


@pytest.mark.parametrize("planted,kind", [("warroom.db.lock", "lock files"), ("warroom.db", "databases")])
def test_serve_refuses_a_planted_link_in_one_line_and_writes_nothing_at_its_target(folders, planted: str, kind: str) -> None:
    home, shared, elsewhere = folders
    (shared / planted).symlink_to(elsewhere / "target")
    result = serve(home, shared / "warroom.db")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"warroom: {shared / planted} is a symbolic link, not a regular file; refusing to use it ({kind} must be plain files)"
    ]
    assert list(elsewhere.iterdir()) == []


def test_serve_never_truncates_or_locks_what_a_lock_link_points_at(folders) -> None:
    home, shared, elsewhere = folders
    precious = elsewhere / "precious"
    precious.write_text("keep me\n")
    (shared / "warroom.db.lock").symlink_to(precious)
    assert serve(home, shared / "warroom.db").returncode == 1
    assert precious.read_text() == "keep me\n"
