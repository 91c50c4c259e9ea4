"""Trying to lose data in the file store: many writers, killed writers, hostile files.

Counts are bounded for CI; ``WARROOM_LONG_TESTS=1`` runs the long versions.
"""

from __future__ import annotations

import pytest

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import LONG, REPO_ROOT
from tests.reliability.follower import digest
from warroom.incident import events as ev
from warroom.store import FileStore

ENV = dict(os.environ, PYTHONPATH=str(REPO_ROOT))


def declare(folder: Path) -> FileStore:
    store = FileStore(folder, warn=lambda message: None)
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t")))
    return store


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO_ROOT
    )


@pytest.mark.slow
def test_concurrent_writers_and_followers_agree(store_dir):
    declare(store_dir)
    writers_count, per_writer = 8, (1000 if LONG else 250)
    total = 1 + writers_count * per_writer
    followers = [spawn("tests.reliability.follower", str(store_dir), "INC-1", str(total)) for _ in range(3)]
    for follower in followers:
        assert follower.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    writers = [spawn("tests.store.writer", str(store_dir), "INC-1", f"w{n}", str(per_writer)) for n in range(writers_count)]
    acknowledged: list[str] = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        acknowledged += [line.split()[1] for line in out.splitlines()]
    print(f"\n{writers_count} writers x {per_writer} events: {time.perf_counter() - started:.2f}s")

    events = asyncio.run(FileStore(store_dir).read("INC-1"))
    ids = [str(e.id) for e in events]
    assert [e.seq for e in events] == list(range(1, total + 1)), "seq must be contiguous"
    assert len(set(ids)) == len(ids), "no event stored twice"
    assert sorted(acknowledged) == sorted(ids[1:]), "every acknowledged event is present, nothing else"

    from warroom.incident import fold

    expected = digest(fold(events))
    for follower in followers:
        out, err = follower.communicate(timeout=120)
        assert follower.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])
        assert report["seen"] == list(range(1, total + 1)), "a follower saw a gap, a duplicate or a reordering"
        assert report["digest"] == expected


@pytest.mark.slow
def test_killing_a_writer_at_random_moments_never_loses_an_acknowledged_event(store_dir):
    declare(store_dir)
    rounds = 200 if LONG else 50
    rng = random.Random(1234)
    acknowledged: set[str] = set()
    writers = []
    for round_ in range(rounds):
        writer = spawn("tests.store.writer", str(store_dir), "INC-1", f"k{round_}", "100000")
        writers.append(writer)
        # Wait until it is really appending, then kill it somewhere in the middle of its work.
        first = writer.stdout.readline()
        assert first, writer.stderr.read()
        acknowledged.add(first.split()[1])
        deadline = time.monotonic() + rng.uniform(0.0, 0.03)
        while time.monotonic() < deadline:
            pass
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        acknowledged.update(line.split()[1] for line in out.splitlines() if len(line.split()) == 2)

        if round_ % 10 == 9 or round_ == rounds - 1:
            warnings: list[str] = []
            reader = FileStore(store_dir, warn=warnings.append)
            events = asyncio.run(reader.read("INC-1"))
            ids = {str(e.id) for e in events}
            assert acknowledged <= ids, f"lost {len(acknowledged - ids)} acknowledged events"
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            after = reader.append_sync("INC-1", ev.EventDraft(actor="checker", body=ev.NoteAdded(text=f"after round {round_}")))
            acknowledged.add(str(after.id))
            assert after.seq == len(events) + 1


junk_lines = st.one_of(
    st.binary(min_size=1, max_size=200).filter(lambda b: b"\n" not in b),
    st.text(max_size=200).map(lambda t: t.replace("\n", " ").encode()),
    st.sampled_from([b"{", b"{}", b"null", b'{"seq": 99}', b'{"seq": 2, "body": {"type": "nope"}}', b"\xff" * 50]),
)


@settings(max_examples=3000 if LONG else 60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), junk_lines), max_size=25))
def test_any_mixture_of_junk_and_events_loads_and_stays_appendable(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("hostile")
    store = declare(folder)
    path = folder / "INC-1.jsonl"
    good_texts = []
    for n, (write_event, junk) in enumerate(plan):
        if write_event:
            good_texts.append(f"good {n}")
            store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text=f"good {n}")))
        else:
            with open(path, "ab") as handle:
                handle.write(junk + b"\n")
    warnings: list[str] = []
    fresh = FileStore(folder, warn=warnings.append)
    events = asyncio.run(fresh.read("INC-1"))
    assert [e.body.text for e in events if e.type == "note_added"] == good_texts
    assert fresh.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.NoteAdded(text="still works"))).seq == events[-1].seq + 1
    assert len(warnings) <= sum(1 for write_event, junk in plan if not write_event)
