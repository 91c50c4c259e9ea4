"""File-store checkpoints are a cache: with one, without one, or with a bad one, the board is the same."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from warroom.incident import events as ev
from warroom.incident import fold
from warroom.store import FileStore
from warroom.store import checkpoint

EVERY = 10


@pytest.fixture(autouse=True)
def small_interval(monkeypatch):
    monkeypatch.setattr(checkpoint, "CHECKPOINT_EVERY", EVERY)


def append(store: FileStore, actor: str, body: ev.Body) -> ev.StoredEvent:
    return store.append_sync("INC-1", ev.EventDraft(actor=actor, body=body))


def busy_incident(folder: Path, events: int = 35) -> FileStore:
    store = FileStore(folder, warn=lambda m: None)
    append(store, "alice", ev.IncidentDeclared(incident_id="INC-1", title="Objects expiring", severity=2))
    append(store, "bob", ev.ResponderJoined())
    append(store, "alice", ev.WorkstreamOpened(title="Roll back"))
    append(store, "bob", ev.WorkstreamClaimed(workstream="WS-1"))
    n = 4
    while n < events:
        n += 1
        if n % 7 == 0:
            append(store, "alice", ev.BroadcastSent(text=f"update {n}", audience="stakeholders"))
        elif n % 5 == 0:
            append(store, "bob", ev.WorkstreamStatusSet(workstream="WS-1", status="blocked", note=f"waiting {n}"))
        else:
            append(store, "bob" if n % 2 else "alice", ev.NoteAdded(text=f"note {n}"))
    return store


def whole_fold(folder: Path):
    """The board as a fold of every line of the log, no checkpoint involved."""
    events = asyncio.run(FileStore(folder, warn=lambda m: None).read("INC-1"))
    return fold(events)


def joined(folder: Path, warnings: list[str] | None = None):
    store = FileStore(folder, warn=(warnings.append if warnings is not None else lambda m: None))
    return store, asyncio.run(store.load_state("INC-1"))


def test_appenders_write_a_checkpoint_that_readers_start_from(store_dir):
    busy_incident(store_dir, 35)
    path = checkpoint.path_beside(store_dir / "INC-1.jsonl")
    assert path.name == ".INC-1.checkpoint" and path.exists()
    assert checkpoint.saved_seq(store_dir / "INC-1.jsonl") == 30  # every 10 events

    store, state = joined(store_dir)
    assert store._logs["INC-1"].base_seq == 30  # parsed only what came after
    assert len(store._logs["INC-1"].events) == 5
    assert state == whole_fold(store_dir)
    assert state.summary_dict() == whole_fold(store_dir).summary_dict()


def test_list_does_not_show_the_checkpoint(store_dir):
    busy_incident(store_dir, 12)
    (store_dir / "INC-2.jsonl").write_text("")  # an empty log is not an incident either
    summaries = asyncio.run(FileStore(store_dir).incidents())
    assert [s.id for s in summaries] == ["INC-1"]


def test_reading_from_the_start_still_returns_every_event(store_dir):
    busy_incident(store_dir, 25)
    store, _ = joined(store_dir)
    events = asyncio.run(store.read("INC-1"))
    assert [e.seq for e in events] == list(range(1, 26))
    assert asyncio.run(store.read("INC-1", after=3))[0].seq == 4


def test_a_retry_of_an_event_inside_the_checkpoint_returns_the_original(store_dir):
    writer = busy_incident(store_dir, 4)
    first = append(writer, "alice", ev.NoteAdded(text="once"))
    busy = FileStore(store_dir, warn=lambda m: None)
    for n in range(15):
        append(busy, "bob", ev.NoteAdded(text=f"more {n}"))
    store, _ = joined(store_dir)
    retry = ev.EventDraft(id=first.id, actor="alice", body=ev.NoteAdded(text="once"))
    assert store.append_sync("INC-1", retry) == first
    assert len(asyncio.run(store.read("INC-1"))) == 20


def test_a_retry_is_recognised_through_checkpoints_written_on_top_of_checkpoints(store_dir):
    """The fold keeps no ids: each checkpoint carries those of the one it started from."""
    writer = busy_incident(store_dir, 4)
    first = append(writer, "alice", ev.NoteAdded(text="once"))
    for round in range(3):
        later = FileStore(store_dir, warn=lambda m: None)  # starts from the newest checkpoint
        for n in range(12):
            append(later, "bob", ev.NoteAdded(text=f"round {round} note {n}"))
    store, _ = joined(store_dir)
    assert store._logs["INC-1"].base_seq >= 30
    retry = ev.EventDraft(id=first.id, actor="alice", body=ev.NoteAdded(text="once"))
    assert store.append_sync("INC-1", retry) == first
    assert len(asyncio.run(store.read("INC-1"))) == 41


def test_a_line_repeating_an_event_id_is_skipped_with_or_without_a_checkpoint(store_dir):
    """Where a second event with an id can arrive in a file log (a hand edit, a bad merge), the
    reader refuses it: the fold, which no longer looks at ids, never sees it."""
    events = asyncio.run(busy_incident(store_dir, 25).read("INC-1"))
    copies = [
        ev.StoredEvent(seq=seq, id=events[index].id, at=events[-1].at, actor="bob", body=ev.NoteAdded(text="copied"))
        for seq, index in ((26, 2), (27, 23))  # one id inside the checkpoint (at 20), one after it
    ]
    with open(store_dir / "INC-1.jsonl", "a") as handle:
        handle.writelines(ev.dump_stored(copy) + "\n" for copy in copies)
    expected = fold(events)
    for with_checkpoint in (True, False):
        if not with_checkpoint:
            checkpoint.path_beside(store_dir / "INC-1.jsonl").unlink()
        warnings: list[str] = []
        store, state = joined(store_dir, warnings)
        assert (store._logs["INC-1"].base_seq > 0) is with_checkpoint
        assert state == expected and state.seq == 25
        assert [w.split(": ", 1)[1] for w in warnings] == [f"event id {copy.id} is stored twice; skipped" for copy in copies]


def test_appending_after_starting_from_a_checkpoint_continues_the_log(store_dir):
    busy_incident(store_dir, 25)
    store, _ = joined(store_dir)
    stored = append(store, "bob", ev.NoteAdded(text="after"))
    assert stored.seq == 26
    assert stored.at >= whole_fold(store_dir).timeline[-2].at
    assert joined(store_dir)[1] == whole_fold(store_dir)


def test_deleting_the_checkpoint_gives_the_same_board(store_dir):
    busy_incident(store_dir, 35)
    with_checkpoint = joined(store_dir)[1]
    checkpoint.path_beside(store_dir / "INC-1.jsonl").unlink()
    store, state = joined(store_dir)
    assert store._logs["INC-1"].base_seq == 0
    assert state == with_checkpoint == whole_fold(store_dir)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-3] + b"X" + data[-2:],
        lambda data: b"not a checkpoint\n",
        lambda data: b"",
        lambda data: data.replace(b'"offset":', b'"offset":1', 1),
    ],
    ids=["truncated", "flipped-byte", "junk", "empty", "wrong-offset"],
)
def test_a_corrupt_checkpoint_is_ignored_and_rebuilt(store_dir, damage):
    writer = busy_incident(store_dir, 35)
    path = checkpoint.path_beside(store_dir / "INC-1.jsonl")
    path.write_bytes(damage(path.read_bytes()))
    store, state = joined(store_dir)
    assert store._logs["INC-1"].base_seq == 0
    assert state == whole_fold(store_dir)
    for n in range(EVERY):  # the next appenders write a good one again
        append(writer, "bob", ev.NoteAdded(text=f"later {n}"))
    assert checkpoint.saved_seq(store_dir / "INC-1.jsonl") >= 40
    store, state = joined(store_dir)
    assert store._logs["INC-1"].base_seq >= 40
    assert state == whole_fold(store_dir)


def test_a_log_replaced_under_its_checkpoint_gives_the_board_of_the_new_log(store_dir, tmp_path):
    busy_incident(store_dir, 35)
    stale = tmp_path / "stale.checkpoint"
    shutil.copy(checkpoint.path_beside(store_dir / "INC-1.jsonl"), stale)
    other = tmp_path / "other"
    busy_incident(other, 33)  # same shape, different events
    replacement = asyncio.run(FileStore(other).read("INC-1"))

    FileStore(store_dir).import_events("INC-1", replacement, replace=True)
    assert not checkpoint.path_beside(store_dir / "INC-1.jsonl").exists()  # import drops it
    shutil.copy(stale, checkpoint.path_beside(store_dir / "INC-1.jsonl"))  # ...and a late writer put one back
    store, state = joined(store_dir)
    assert store._logs["INC-1"].base_seq == 0
    assert state == fold(replacement) == whole_fold(store_dir)


def test_a_log_rewritten_in_place_is_not_matched_by_its_old_checkpoint(store_dir):
    busy_incident(store_dir, 35)
    log = store_dir / "INC-1.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    with open(log, "r+b") as handle:  # same inode, same size, a different first event
        handle.write(lines[0].replace(b"Objects expiring", b"Objects expirinG"))
    store, state = joined(store_dir)
    assert store._logs["INC-1"].base_seq == 0
    assert state.title == "Objects expirinG"
    assert state == whole_fold(store_dir)


def test_bad_lines_before_the_checkpoint_are_still_reported_to_a_reader_that_skips_them(store_dir):
    writer = busy_incident(store_dir, 3)
    torn_line = len((store_dir / "INC-1.jsonl").read_bytes().splitlines()) + 1
    with open(store_dir / "INC-1.jsonl", "ab") as handle:
        handle.write(b"{torn\n")
    for n in range(20):
        append(writer, "bob", ev.NoteAdded(text=f"more {n}"))
    warnings: list[str] = []
    store, state = joined(store_dir, warnings)
    assert store._logs["INC-1"].base_seq > 0
    assert any(f"line {torn_line}:" in w and "torn or corrupt" in w for w in warnings)
    assert state == whole_fold(store_dir)


def test_the_checkpoint_is_replaced_atomically_and_keeps_no_temporary_files(store_dir):
    busy_incident(store_dir, 45)
    assert sorted(p.name for p in store_dir.iterdir()) == [".INC-1.checkpoint", "INC-1.jsonl"]
    assert os.stat(checkpoint.path_beside(store_dir / "INC-1.jsonl")).st_size > 0


def test_a_checkpoint_that_cannot_be_written_never_fails_the_append(store_dir):
    """A checkpoint is a cache: when writing it fails (here its name is taken by a folder),
    every append still succeeds and readers fold the log instead."""
    checkpoint.path_beside(store_dir / "INC-1.jsonl").mkdir()
    busy_incident(store_dir, 25)
    assert len(asyncio.run(FileStore(store_dir, warn=lambda m: None).read("INC-1"))) == 25
    _, state = joined(store_dir)
    assert state == whole_fold(store_dir)
