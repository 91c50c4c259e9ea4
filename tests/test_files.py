"""warroom.files.write_atomic: all-or-nothing rewrites that keep modes and never follow links."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from warroom.config import Config, save_config
from warroom.files import current_umask, write_atomic


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder"
    path.mkdir()
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_replaces_the_content_and_leaves_no_temporary_file(folder: Path) -> None:
    target = folder / "a.txt"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(folder) == ["a.txt"]


def test_accepts_chunks(folder: Path) -> None:
    target = folder / "a.jsonl"
    write_atomic(target, (f"{n}\n".encode() for n in range(3)))
    assert target.read_bytes() == b"0\n1\n2\n"


def test_a_new_file_gets_the_given_mode_or_the_umask_default(folder: Path) -> None:
    write_atomic(folder / "secret", b"s", mode=0o600)
    write_atomic(folder / "plain", b"p")
    assert _mode(folder / "secret") == 0o600
    assert _mode(folder / "plain") == 0o666 & ~current_umask()


@pytest.mark.parametrize("existing_mode", [0o600, 0o640, 0o664])
def test_a_rewritten_file_keeps_its_mode(folder: Path, existing_mode: int) -> None:
    target = folder / "kept"
    target.write_bytes(b"old")
    os.chmod(target, existing_mode)
    write_atomic(target, b"new", mode=0o644)  # mode is for new files only
    assert _mode(target) == existing_mode


def test_a_symlink_at_the_final_name_is_replaced_not_written_through(folder: Path) -> None:
    victim = folder / "victim"
    victim.write_bytes(b"precious")
    os.chmod(victim, 0o644)
    link = folder / "link"
    link.symlink_to(victim)
    write_atomic(link, b"new", mode=0o600)
    assert victim.read_bytes() == b"precious"
    assert not link.is_symlink() and link.read_bytes() == b"new"
    assert _mode(link) == 0o600  # a link lends no mode


def test_a_failed_write_leaves_the_old_file_and_no_litter(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = folder / "x"
    target.write_bytes(b"old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(folder) == ["x"]


def test_racing_writers_leave_exactly_one_whole_document(folder: Path) -> None:
    target = folder / "raced"
    documents = [bytes([65 + n]) * 200_000 for n in range(6)]
    start = threading.Barrier(len(documents))

    def write(data: bytes) -> None:
        start.wait()
        write_atomic(target, data)

    threads = [threading.Thread(target=write, args=(doc,)) for doc in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.read_bytes() in documents
    assert os.listdir(folder) == ["raced"]


def test_saving_a_private_config_keeps_it_private(folder: Path) -> None:
    path = folder / "warroom.toml"
    path.write_text('[server]\ntoken = "secret"\n')
    os.chmod(path, 0o600)
    save_config(Config(), path)
    assert _mode(path) == 0o600
