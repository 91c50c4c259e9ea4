"""The file store in a folder others can write to: links, odd files, replaced logs, torn tails.

Issue 9 items 8, 10 and 17: an incident file is opened without following a link and
must be a regular file; an import writes through a unique temporary file; a reader
notices when the log under it was replaced; a reader never re-reads an unfinished line.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.conftest import Cli
from warroom.export import render
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.room import Room
from warroom.store import FileStore, LogReplaced, StoreError


def log_of(folder: Path, title: str, notes: int, actor: str = "alice") -> list[ev.StoredEvent]:
    """A whole INC-1 log made in its own folder (the document another team would import)."""
    store = FileStore(folder)
    store.append_sync("INC-1", ev.EventDraft(actor=actor, body=ev.IncidentDeclared(incident_id="INC-1", title=title)))
    for n in range(notes):
        store.append_sync("INC-1", ev.EventDraft(actor=actor, body=ev.NoteAdded(text=f"{title} {n}")))
    return asyncio.run(store.read("INC-1"))


def document(events: list[ev.StoredEvent]) -> bytes:
    return render("json", fold(events), events)


def note(store: FileStore, incident_id: str, text: str) -> ev.StoredEvent:
    return store.append_sync(incident_id, ev.EventDraft(actor="bob", body=ev.NoteAdded(text=text)))


# --- item 8: links and odd files ------------------------------------------------------


@pytest.fixture
def linked(store_dir: Path, tmp_path: Path) -> Path:
    """``INC-S.jsonl`` is a symlink to a real incident log outside the folder."""
    elsewhere = tmp_path / "elsewhere"
    log_of(elsewhere, "victim", 2)
    target = elsewhere / "INC-1.jsonl"
    (store_dir / "INC-S.jsonl").symlink_to(target)
    return target


def test_a_symlinked_incident_file_is_refused_and_its_target_untouched(store_dir: Path, linked: Path) -> None:
    before = linked.read_bytes()
    store = FileStore(store_dir)
    with pytest.raises(StoreError, match=r"INC-S\.jsonl is a symbolic link, not a regular file"):
        asyncio.run(store.read("INC-S"))
    with pytest.raises(StoreError, match="symbolic link"):
        note(store, "INC-S", "written through the link")
    assert linked.read_bytes() == before


def test_the_cli_refuses_a_symlinked_incident_in_one_line(store_dir: Path, linked: Path, cli: Cli) -> None:
    before = linked.read_bytes()
    for args in (["note", "INC-S", "hello"], ["show", "INC-S"]):
        result = cli(*args, check=False)
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == [f"warroom: {store_dir}/INC-S.jsonl is a symbolic link, "
                                                      "not a regular file; refusing to use it (incident files "
                                                      "must be plain files)"], result.stderr
    assert linked.read_bytes() == before


def test_list_names_the_linked_file_and_lists_the_others(store_dir: Path, linked: Path, cli: Cli) -> None:
    cli("declare", "--title", "real one", "INC-2")
    result = cli("list")
    assert "INC-2" in result.stdout and "INC-S" not in result.stdout
    assert "INC-S.jsonl is a symbolic link" in result.stderr and "not listed" in result.stderr


def test_a_fifo_or_a_folder_at_the_incident_name_is_refused_without_hanging(store_dir: Path) -> None:
    os.mkfifo(store_dir / "INC-F.jsonl")
    (store_dir / "INC-D.jsonl").mkdir()
    store = FileStore(store_dir)
    with pytest.raises(StoreError, match="INC-F.jsonl is a FIFO, not a regular file"):
        asyncio.run(store.read("INC-F"))
    with pytest.raises(StoreError, match="INC-D.jsonl is a folder, not a regular file"):
        asyncio.run(store.read("INC-D"))
    with pytest.raises(StoreError, match="a FIFO"):
        note(store, "INC-F", "x")


def test_declaring_over_a_dangling_link_does_not_create_its_target(store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "created-through-the-link"
    (store_dir / "INC-9.jsonl").symlink_to(target)
    with pytest.raises(StoreError, match="symbolic link"):
        FileStore(store_dir).append_sync(
            "INC-9", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-9", title="t"))
        )
    assert not target.exists()


def test_import_does_not_write_through_a_link_planted_at_the_old_temporary_name(
    store_dir: Path, tmp_path: Path, cli: Cli
) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious\n")
    (store_dir / "INC-1.importing").symlink_to(victim)
    source = tmp_path / "INC-1.json"
    source.write_bytes(document(log_of(tmp_path / "source", "imported", 3)))
    result = cli("import", str(source))
    assert result.returncode == 0, result.stderr
    assert victim.read_bytes() == b"precious\n"
    assert sorted(os.listdir(store_dir)) == ["INC-1.importing", "INC-1.jsonl"]  # no temporary file left
    assert [e.seq for e in asyncio.run(FileStore(store_dir).read("INC-1"))] == [1, 2, 3, 4]


# --- item 10: a log replaced under a reader ----------------------------------------------


def test_a_room_folds_a_replaced_log_from_the_top(store_dir: Path, tmp_path: Path) -> None:
    old = log_of(store_dir, "old", 9)
    new = log_of(tmp_path / "new", "new", 11, actor="carol")

    async def scenario() -> None:
        room = Room(FileStore(store_dir), "INC-1", "alice")
        await room.load()
        assert room.state.title == "old"
        FileStore(store_dir).import_events("INC-1", new, replace=True)
        await room.load()
        assert room.state.seq == 12 and room.state.title == "new"
        assert [e.text for e in room.state.timeline] == [e.text for e in fold(new).timeline]
        assert room.reloads == 1

    assert len(old) == 10
    asyncio.run(scenario())


def test_a_following_room_is_told_the_log_was_replaced_and_holds_only_the_new_log(store_dir: Path, tmp_path: Path) -> None:
    log_of(store_dir, "old", 9)
    new = log_of(tmp_path / "new", "new", 10, actor="carol")  # 11 events: the old #10 position is reused

    async def scenario() -> None:
        store = FileStore(store_dir, poll_seconds=0.001)
        room = Room(store, "INC-1", "alice")
        await room.load()
        following = room.follow()
        FileStore(store_dir).import_events("INC-1", new, replace=True)
        with pytest.raises(LogReplaced, match="the log of INC-1 was replaced; reloaded"):
            await asyncio.wait_for(following.__anext__(), 10)
        assert room.state == fold(new)
        note(FileStore(store_dir), "INC-1", "after the swap")
        applied = await asyncio.wait_for(room.follow().__anext__(), 10)
        assert applied.event.seq == 12 and room.state.seq == 12

    asyncio.run(scenario())


def test_a_log_rewritten_in_place_is_noticed_too(store_dir: Path, tmp_path: Path) -> None:
    """Same inode, longer file, different bytes where our last line was: not the same log."""
    log_of(store_dir, "old", 3)
    new = log_of(tmp_path / "new", "new", 8, actor="carol")
    path = store_dir / "INC-1.jsonl"
    store = FileStore(store_dir)
    room = Room(store, "INC-1", "alice")
    asyncio.run(room.load())
    inode = path.stat().st_ino
    with open(path, "r+b") as handle:
        handle.write((tmp_path / "new" / "INC-1.jsonl").read_bytes())
    assert path.stat().st_ino == inode
    asyncio.run(room.load())
    assert room.state == fold(new) and room.reloads == 1


# --- item 17: an unfinished last line --------------------------------------------------


def _bytes_read() -> int:
    """Bytes this process has read through read()/pread() so far (the kernel's own count)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
def test_an_unfinished_tail_is_read_once_not_on_every_look(store_dir: Path) -> None:
    log_of(store_dir, "t", 1)
    path = store_dir / "INC-1.jsonl"
    with open(path, "ab") as handle:
        handle.write(b'{"seq":3,' + b"x" * (4 * 1024 * 1024))  # 4 MB with no newline yet
    warnings: list[str] = []
    reader = FileStore(store_dir, warn=warnings.append)

    async def looks(count: int) -> None:
        for _ in range(count):
            assert [e.seq for e in await reader.read("INC-1")] == [1, 2]

    asyncio.run(looks(1))
    before = _bytes_read()
    asyncio.run(looks(50))  # fifty polls of an unchanged file
    assert _bytes_read() - before < 64 * 1024  # was 50 x 4 MB
    with open(path, "ab") as handle:
        handle.write(b"y" * 1000)
    before = _bytes_read()
    asyncio.run(looks(10))
    assert _bytes_read() - before < 64 * 1024  # only what was added, once
    with open(path, "ab") as handle:
        handle.write(b"\n")
    event = ev.StoredEvent(seq=3, id=ev.uuid4(), at=ev.utcnow(), actor="bob", body=ev.NoteAdded(text="after"))
    with open(path, "ab") as handle:
        handle.write(ev.dump_stored(event).encode() + b"\n")
    assert [e.seq for e in asyncio.run(reader.read("INC-1"))] == [1, 2, 3]
    assert len(warnings) == 1 and "line 3" in warnings[0]  # the junk line, reported once


def test_a_line_written_in_many_pieces_is_read_whole(store_dir: Path) -> None:
    log_of(store_dir, "t", 0)
    event = ev.StoredEvent(seq=2, id=ev.uuid4(), at=ev.utcnow(), actor="bob", body=ev.NoteAdded(text="slow " * 50))
    line = ev.dump_stored(event).encode() + b"\n"
    warnings: list[str] = []
    reader = FileStore(store_dir, warn=warnings.append)
    with open(store_dir / "INC-1.jsonl", "ab", buffering=0) as handle:
        for start in range(0, len(line), 7):
            assert [e.seq for e in asyncio.run(reader.read("INC-1"))][-1] == 1
            handle.write(line[start : start + 7])
    assert asyncio.run(reader.read("INC-1"))[-1] == event
    assert warnings == []
