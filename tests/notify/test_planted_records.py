"""The relay's files in a shared folder are never used through a planted link (issue 21 item 7).

With ``DIR/.warroom-notify.db`` a symlink, ``warroom relay --store DIR`` used to create the
SQLite database, its ``-wal`` and ``-shm`` and its tables at the link's target. Every
SQLite file warroom opens (the relay's records, a server's database) and every lock file it
writes in a shared folder now refuses links and anything but a regular file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notify.conftest import write_config
from tests.server.harness import REPO_ROOT, cli_env
from warroom.notify.records import Deliveries
from warroom.db.sqlite import init_db
from warroom.store import StoreError


def relay(home: Path, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warroom", "relay", "--store", str(folder)],
        capture_output=True, text=True, env=cli_env(home=home), cwd=REPO_ROOT, timeout=60, stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def setting(tmp_path: Path) -> tuple[Path, Path, Path]:
    home, folder, elsewhere = tmp_path / "home", tmp_path / "incidents", tmp_path / "elsewhere"
    write_config(home, ['url = "json://127.0.0.1:9/hook"'])
    folder.mkdir()
    elsewhere.mkdir()
    return home, folder, elsewhere


@pytest.mark.parametrize("planted", [".warroom-notify.db", ".warroom-notify.db-wal", ".warroom-notify.db-shm", ".warroom-relay.lock"])
def test_the_relay_refuses_a_planted_link_and_creates_nothing_at_its_target(setting, planted: str) -> None:
    home, folder, elsewhere = setting
    target = elsewhere / "target"
    (folder / planted).symlink_to(target)
    result = relay(home, folder)
    assert result.returncode == 1
    kind = "lock files" if planted.endswith(".lock") else "databases"
    assert result.stderr.splitlines() == [
        f"warroom: {folder / planted} is a symbolic link, not a regular file; refusing to use it ({kind} must be plain files)"
    ]
    assert list(elsewhere.iterdir()) == []


def test_the_relay_lock_never_truncates_what_a_link_points_at(setting) -> None:
    home, folder, elsewhere = setting
    precious = elsewhere / "precious"
    precious.write_text("keep me\n")
    (folder / ".warroom-relay.lock").symlink_to(precious)
    assert relay(home, folder).returncode == 1
    assert precious.read_text() == "keep me\n"


@pytest.mark.parametrize("readonly", [False, True])
def test_delivery_records_refuse_a_fifo(tmp_path: Path, readonly: bool) -> None:
    records = tmp_path / ".warroom-notify.db"
    os.mkfifo(records)
    with pytest.raises(StoreError, match=r"\.warroom-notify\.db is a FIFO, not a regular file"):
        Deliveries(records, readonly=readonly)


def test_a_server_database_behind_a_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.db"
    (tmp_path / "warroom.db").symlink_to(target)
    with pytest.raises(StoreError, match="warroom.db is a symbolic link"):
        init_db(tmp_path / "warroom.db")
    assert not target.exists()
    (tmp_path / "real.db-wal").symlink_to(target)
    with pytest.raises(StoreError, match="real.db-wal is a symbolic link"):
        init_db(tmp_path / "real.db")
    assert not target.exists()
