"""Racing `warroom import --replace` runs leave exactly one whole document (issue 9 item 9).

Real processes: four imports of four different documents of INC-1 start together, over
several rounds. Every run must finish without a traceback, and the log left behind must
be exactly one of the four documents: every line parses and the seqs run 1, 2, 3 ...
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from tests.conftest import REPO_ROOT
from warroom.export import render
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.incident.events import parse_stored, utcnow

ROUNDS = 25
RACERS = 4
# Each racer is a real process running the CLI's entry point ROUNDS times back to back,
# so the imports overlap far more often than whole interpreter start-ups would.
RACER = """
import sys, traceback
from warroom.cli import main
for _ in range(int(sys.argv[2])):
    code = main(["import", sys.argv[1], "--replace"])
    if code:
        sys.exit(code)
"""


def a_document(tag: str, notes: int) -> list[ev.StoredEvent]:
    start = utcnow()
    bodies: list[ev.Body] = [ev.IncidentDeclared(incident_id="INC-1", title=f"document {tag}")]
    bodies += [ev.NoteAdded(text=f"{tag} note {n} " + "." * 200) for n in range(notes)]
    return [
        ev.StoredEvent(seq=n, id=uuid4(), at=start + timedelta(seconds=n), actor=f"author-{tag}", body=body)
        for n, body in enumerate(bodies, start=1)
    ]


def test_racing_replacing_imports_leave_one_whole_document(store_dir: Path, tmp_path: Path) -> None:
    documents = [a_document(tag, 150 + 60 * n) for n, tag in enumerate("abcd"[:RACERS])]
    whole = {b"".join(ev.dump_stored(e).encode() + b"\n" for e in events) for events in documents}
    paths = []
    for n, events in enumerate(documents):
        paths.append(tmp_path / f"{n}.json")
        paths[-1].write_bytes(render("json", fold(events), events))
    env = dict(os.environ, WARROOM_STORE=str(store_dir))
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    log = store_dir / "INC-1.jsonl"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), str(ROUNDS)],
            env=env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for path in paths
    ]
    seen = 0
    while any(racer.poll() is None for racer in racers):  # every state a reader sees is one whole document
        try:
            data = log.read_bytes()
        except FileNotFoundError:
            continue
        if not data:
            continue  # the first import creates the (empty) file to lock it, then swaps a whole one in
        assert data in whole, "a reader saw a log mixing documents (or half of one)"
        seen += 1
    for racer in racers:
        out, err = racer.communicate(timeout=300)
        assert racer.returncode == 0 and "Traceback" not in err, err[-3000:]
        assert out.count("imported INC-1") == ROUNDS, out
    lines = log.read_bytes().split(b"\n")
    assert lines[-1] == b"", "the log must end with a whole line"
    stored = [parse_stored(line) for line in lines[:-1]]
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    assert stored in documents
    assert sorted(os.listdir(store_dir)) == ["INC-1.jsonl"]  # no temporary file left behind
    assert seen > 0
