"""The file store under stress: many writer processes, corrupt and torn lines, unsafe ids."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.incident.test_parse_lines import lines
from warroom.incident import events as ev
from warroom.store import FileStore, InvalidIncidentId


def declared_store(folder: Path, warnings: list[str] | None = None) -> FileStore:
    store = FileStore(folder, warn=(warnings.append if warnings is not None else lambda m: None))
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t")))
    return store


def note(store: FileStore, text: str, actor: str = "alice") -> ev.StoredEvent:
    return store.append_sync("INC-1", ev.EventDraft(actor=actor, body=ev.NoteAdded(text=text)))


def test_eight_processes_appending_to_one_file_lose_nothing(store_dir, record_property):
    declared_store(store_dir)
    processes, per_process = 8, 150
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    started = time.perf_counter()
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store.writer", str(store_dir), "INC-1", f"writer{n}", str(per_process)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT,
        )
        for n in range(processes)
    ]
    acknowledged = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        acknowledged += [line.split()[1] for line in out.splitlines()]
    elapsed = time.perf_counter() - started
    record_property("concurrency", f"{processes} processes x {per_process} events in {elapsed:.2f}s")
    print(f"\n{processes} processes x {per_process} events: {elapsed:.2f}s")

    lines = (store_dir / "INC-1.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # no torn line: every line parses
    assert [r["seq"] for r in records] == list(range(1, processes * per_process + 2))
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    assert set(acknowledged) <= set(ids) and len(acknowledged) == processes * per_process
    texts = {r["body"]["text"] for r in records[1:]}
    assert texts == {f"writer{w} {n}" for w in range(processes) for n in range(per_process)}


JUNK = [
    b"{\"seq\": 3, \"id\": \"half",  # torn JSON
    b"\x00\xff\xfe binary junk \x81",
    b'{"seq": 3, "id": "00000000-0000-0000-0000-000000000009", "at": "2026-01-01T00:00:00Z", "actor": "eve", "body": {"type": "no_such_event"}}',
    b'{"seq": "three"}',
    b"[1, 2, 3]",
]


@pytest.mark.parametrize("junk", JUNK, ids=["torn", "binary", "unknown-type", "wrong-types", "not-an-object"])
def test_junk_in_the_middle_is_reported_once_skipped_and_nothing_after_it_is_lost(store_dir, junk):
    warnings: list[str] = []
    store = declared_store(store_dir, warnings)
    note(store, "before")
    path = store_dir / "INC-1.jsonl"
    with open(path, "ab") as handle:
        handle.write(junk + b"\n")
    note(store, "after one")
    note(store, "after two")

    fresh_warnings: list[str] = []
    fresh = FileStore(store_dir, warn=fresh_warnings.append)

    events = asyncio.run(fresh.read("INC-1"))
    assert [e.body.text for e in events if e.type == "note_added"] == ["before", "after one", "after two"]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert len(fresh_warnings) == 1 and f"{path} line 3" in fresh_warnings[0] and "skipped" in fresh_warnings[0]
    asyncio.run(fresh.read("INC-1"))  # reading again does not repeat the warning
    assert len(fresh_warnings) == 1
    assert note(fresh, "still appendable").seq == 5


def test_a_torn_tail_is_ended_before_the_next_append(store_dir):
    warnings: list[str] = []
    store = declared_store(store_dir, warnings)
    note(store, "whole")
    path = store_dir / "INC-1.jsonl"
    with open(path, "ab") as handle:
        handle.write(b'{"seq": 3, "id": "dead')  # a writer died mid-line
    other = FileStore(store_dir, warn=warnings.append)
    stored = note(other, "next")
    assert stored.seq == 3
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and json.loads(lines[-2])["body"]["text"] == "next"
    import asyncio

    reread = asyncio.run(FileStore(store_dir, warn=warnings.append).read("INC-1"))
    assert [e.seq for e in reread] == [1, 2, 3]
    assert any("line 3" in w and "not valid JSON" in w for w in warnings)


def test_a_huge_junk_line_does_not_stop_the_incident(store_dir):
    store = declared_store(store_dir)
    with open(store_dir / "INC-1.jsonl", "ab") as handle:
        handle.write(b"x" * (10 * 1024 * 1024) + b"\n")
    warnings: list[str] = []
    import asyncio

    events = asyncio.run(FileStore(store_dir, warn=warnings.append).read("INC-1"))
    assert [e.seq for e in events] == [1] and len(warnings) == 1
    assert note(store, "after").seq == 2


def test_a_partial_line_is_not_read_until_it_is_complete(store_dir):
    store = declared_store(store_dir)
    reader = FileStore(store_dir)
    event = ev.StoredEvent(seq=2, id=ev.uuid4(), at=ev.utcnow(), actor="bob", body=ev.NoteAdded(text="slow"))
    line = ev.dump_stored(event).encode() + b"\n"
    path = store_dir / "INC-1.jsonl"
    import asyncio

    with open(path, "ab") as handle:
        handle.write(line[:20])
        handle.flush()
        assert [e.seq for e in asyncio.run(reader.read("INC-1"))] == [1]
        handle.write(line[20:])
    assert [e.seq for e in asyncio.run(reader.read("INC-1"))] == [1, 2]
    assert store is not None


@pytest.mark.parametrize("bad", ["../x", "..", "a/b", "/etc/passwd", "INC-1/../../x", "x\x00y", "ok.jsonl"])
def test_no_file_is_ever_written_outside_the_store_folder(store_dir, bad):
    store = FileStore(store_dir)
    with pytest.raises(InvalidIncidentId):
        store.append_sync(bad, ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t")))
    assert list(store_dir.parent.rglob("*.jsonl")) == []


def test_declare_into_a_mismatching_file_is_refused(store_dir):
    from warroom.store import Rejected

    with pytest.raises(Rejected):
        FileStore(store_dir).append_sync(
            "INC-2", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t"))
        )


def test_an_append_after_an_import_replaced_the_file_lands_in_the_new_file(store_dir):
    import asyncio

    writer = declared_store(store_dir)
    note(writer, "old log")
    other = FileStore(store_dir / "elsewhere")
    other.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.IncidentDeclared(incident_id="INC-1", title="imported")))
    for n in range(5):  # larger than the old file, so a stale read offset would land mid-line
        other.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.NoteAdded(text=f"imported {n}")))
    imported = asyncio.run(other.read("INC-1"))
    with pytest.raises(Exception, match="--replace"):
        FileStore(store_dir).import_events("INC-1", imported)
    FileStore(store_dir).import_events("INC-1", imported, replace=True)
    stored = note(writer, "after the import")
    assert stored.seq == 7
    events = asyncio.run(FileStore(store_dir).read("INC-1"))
    texts = [e.body.title if e.seq == 1 else e.body.text for e in events]
    assert texts == ["imported", *[f"imported {n}" for n in range(5)], "after the import"]
    assert asyncio.run(writer.read("INC-1")) == events  # the writer's own view followed the swap


def test_a_big_log_is_read_without_the_collector_walking_it_and_its_bad_line_still_named(store_dir, collections):
    """Reading 3,000 lines ran ~40 collections (seven full ones at 100,000 lines, two thirds of the
    read); the reader keeps the collector off while it parses, and back on after, reports and all."""
    page = lines(3000)
    page[1499] = b'{"seq": 1500, "id": "torn'
    (store_dir / "INC-1.jsonl").write_bytes(b"\n".join(page) + b"\n")
    warnings: list[str] = []
    before = len(collections)
    events = asyncio.run(FileStore(store_dir, warn=warnings.append).read("INC-1"))
    assert gc.isenabled()
    started = collections[before:]
    assert len(events) == 2999 and events[-1].seq == 3000
    assert len(started) <= 2, started  # the one young collection once it is back on, and one spare
    assert len(warnings) == 2, warnings
    assert "line 1500: not valid JSON (torn or corrupt line); skipped" in warnings[0]
    assert "seq jumps from 1499 to 1501; kept" in warnings[1]
