"""File trouble in the shared folder is one line naming the file and the cause, never a traceback.

Issue 9 item 11. Every condition is real: permissions enforced by the kernel (as root,
the CLI runs without the capabilities that let root ignore them, see
``tests.privileges``) and a full disk reached through the kernel's file-size limit
(``RLIMIT_FSIZE``: the write fails with EFBIG exactly where ENOSPC would fail it).
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.privileges import unprivileged
from warroom.export import render
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.store import FileStore


class Cli:
    def __init__(self, store_dir: Path):
        self.store_dir = store_dir
        self.env = dict(os.environ, WARROOM_STORE=str(store_dir), PYTHONDONTWRITEBYTECODE="1")
        self.env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + self.env.get("PYTHONPATH", "")

    def __call__(self, *args: str, file_size_limit: int | None = None) -> subprocess.CompletedProcess:
        def limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill the process
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

        return subprocess.run(
            unprivileged([sys.executable, "-m", "warroom", *args, "--as", "alice"]),
            capture_output=True,
            text=True,
            env=self.env,
            cwd=REPO_ROOT,
            timeout=60,
            stdin=subprocess.DEVNULL,
            preexec_fn=limit if file_size_limit is not None else None,
        )


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warroom: "), result.stderr
    return lines[0]


@pytest.fixture
def cli(store_dir: Path) -> Cli:
    return Cli(store_dir)


@pytest.fixture
def declared(store_dir: Path) -> Path:
    store = FileStore(store_dir)
    for incident_id in ("INC-1", "INC-2"):
        store.append_sync(
            incident_id, ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id=incident_id, title=f"{incident_id} t"))
        )
    return store_dir / "INC-1.jsonl"


@pytest.fixture
def document(tmp_path: Path) -> Path:
    store = FileStore(tmp_path / "source")
    store.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.IncidentDeclared(incident_id="INC-1", title="imported")))
    for n in range(20):
        store.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.NoteAdded(text=f"imported note {n}")))
    events = asyncio.run(store.read("INC-1"))
    path = tmp_path / "INC-1.json"
    path.write_bytes(render("json", fold(events), events))
    return path


def test_a_read_only_incident_file(cli: Cli, declared: Path) -> None:
    os.chmod(declared, 0o444)
    before = declared.read_bytes()
    line = one_line(cli("note", "INC-1", "hello"))
    assert line == f"warroom: cannot write {declared}: Permission denied"
    assert declared.read_bytes() == before
    shown = cli("show", "INC-1")
    assert shown.returncode == 0 and "INC-1 t" in shown.stdout  # reading it still works


def test_an_unreadable_incident_file(cli: Cli, declared: Path, document: Path) -> None:
    os.chmod(declared, 0o000)
    for args in (["show", "INC-1"], ["note", "INC-1", "hello"]):
        line = one_line(cli(*args))
        assert str(declared) in line and "Permission denied" in line, line
    line = one_line(cli("import", str(document), "--replace"))
    assert line == f"warroom: cannot write {declared}: Permission denied"


def test_list_lists_the_others_and_names_the_unreadable_one(cli: Cli, declared: Path) -> None:
    os.chmod(declared, 0o000)
    result = cli("list")
    assert result.returncode == 0, result.stderr
    assert "INC-2" in result.stdout and "INC-1 " not in result.stdout
    assert result.stderr.strip() == f"warroom: warning: cannot read {declared}: Permission denied; not listed"


def test_an_unreadable_folder(cli: Cli, declared: Path) -> None:
    os.chmod(declared.parent, 0o000)
    try:
        line = one_line(cli("list"))
        assert line == f"warroom: cannot read the folder {declared.parent}: Permission denied"
        assert "Permission denied" in one_line(cli("show", "INC-1"))
    finally:
        os.chmod(declared.parent, 0o755)


def test_a_read_only_folder(cli: Cli, declared: Path, document: Path) -> None:
    os.chmod(declared.parent, 0o555)
    try:
        line = one_line(cli("declare", "--title", "new one", "INC-3"))
        assert line == f"warroom: cannot write {declared.parent / 'INC-3.jsonl'}: Permission denied"
        before = declared.read_bytes()
        line = one_line(cli("import", str(document), "--replace"))  # the file is writable, the folder is not
        assert line == f"warroom: cannot write {declared}: Permission denied"
        assert declared.read_bytes() == before
        assert sorted(os.listdir(declared.parent)) == ["INC-1.jsonl", "INC-2.jsonl"]
    finally:
        os.chmod(declared.parent, 0o755)


def test_a_full_disk_on_note_leaves_the_log_as_it_was(cli: Cli, declared: Path) -> None:
    before = declared.read_bytes()
    line = one_line(cli("note", "INC-1", "x" * 3000, file_size_limit=len(before) + 100))
    assert line == f"warroom: cannot write {declared}: File too large"
    assert declared.read_bytes() == before  # no half line left behind
    assert cli("note", "INC-1", "after the disk was freed").returncode == 0


def test_a_full_disk_on_declare_and_import(cli: Cli, declared: Path, document: Path) -> None:
    line = one_line(cli("declare", "--title", "new one", "INC-3", file_size_limit=50))
    assert line == f"warroom: cannot write {declared.parent / 'INC-3.jsonl'}: File too large"
    before = declared.read_bytes()
    line = one_line(cli("import", str(document), "--replace", file_size_limit=len(before) + 100))
    assert line == f"warroom: cannot write {declared}: File too large"
    assert declared.read_bytes() == before
    assert "INC-3.jsonl" not in os.listdir(declared.parent) or (declared.parent / "INC-3.jsonl").stat().st_size == 0
    assert not [name for name in os.listdir(declared.parent) if name.endswith(".tmp")]
