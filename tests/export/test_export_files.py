"""export_incident: names, atomic writes, formats, and the JSON import path in-process."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from export_scenario import LogBuilder, build_scenario

from warroom.export import (
    DocumentError,
    ExportError,
    ImportNotSupported,
    export_incident,
    import_document,
    parse_document,
    render_json,
    write_atomic,
)
from warroom.incident import IncidentState, fold
from warroom.incident import events as ev
from warroom.store import FileStore, Rejected

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scenario():
    return build_scenario()


def test_writes_four_files_named_after_the_incident(tmp_path: Path, scenario) -> None:
    folder = tmp_path / "out" / "nested"
    paths = export_incident(scenario.state, scenario.events, folder)
    assert [p.name for p in paths] == ["INC-42-postmortem.md", "INC-42.json", "INC-42-timeline.csv", "INC-42-postmortem.html"]
    assert paths[3].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(os.listdir(folder)) == sorted(p.name for p in paths)  # no temporary files left
    assert paths[0].read_text(encoding="utf-8").startswith("# INC-42: ")
    assert json.loads(paths[1].read_text(encoding="utf-8"))["format"] == "warroom-incident"
    raw = paths[2].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfseq,time_utc,")  # BOM for Excel
    assert raw.endswith(b"\r\n")
    with open(paths[2], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "seq" and len(rows) == len(scenario.state.timeline) + 1
    assert oct(paths[0].stat().st_mode & 0o777) == oct(0o644)


def test_chosen_formats_only(tmp_path: Path, scenario) -> None:
    tmp_path = tmp_path / "out"
    paths = export_incident(scenario.state, scenario.events, tmp_path, formats=("csv",))
    assert [p.name for p in paths] == ["INC-42-timeline.csv"]
    assert os.listdir(tmp_path) == ["INC-42-timeline.csv"]
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        export_incident(scenario.state, scenario.events, tmp_path, formats=("md", "pdf"))
    assert os.listdir(tmp_path) == ["INC-42-timeline.csv"]  # nothing written when a format is bad


def test_replaces_an_earlier_export_whole(tmp_path: Path, scenario) -> None:
    tmp_path = tmp_path / "out"
    early = scenario.events[:10]
    export_incident(fold(early), early, tmp_path)
    first = (tmp_path / "INC-42.json").read_text(encoding="utf-8")
    export_incident(scenario.state, scenario.events, tmp_path)
    second = (tmp_path / "INC-42.json").read_text(encoding="utf-8")
    assert len(json.loads(first)["events"]) == 10 and len(json.loads(second)["events"]) == len(scenario.events)
    assert len(os.listdir(tmp_path)) == 4


def test_a_lagging_state_is_rebuilt_from_the_events(tmp_path: Path, scenario) -> None:
    stale = fold(scenario.events[:5])  # a board that has not caught up yet
    paths = export_incident(stale, scenario.events, tmp_path, formats=("json",))
    doc = json.loads(paths[0].read_text(encoding="utf-8"))
    assert doc["state"]["closed"] is True and doc["state"]["seq"] == scenario.state.seq


def test_refuses_an_undeclared_incident(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not been declared"):
        export_incident(IncidentState(), [], tmp_path)


def test_unwritable_folder_is_a_one_line_error(tmp_path: Path, scenario) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write"):
        export_incident(scenario.state, scenario.events, blocker / "sub")


def test_write_atomic_leaves_the_old_file_when_the_write_fails(tmp_path: Path, monkeypatch) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "x.md"
    target.write_text("old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ExportError, match="No space left on device"):
        write_atomic(target, b"new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["x.md"]


def test_export_does_not_import_textual_httpx_or_the_server() -> None:
    code = (
        "import sys, warroom.export, warroom.export.markdown;"
        "bad = [m for m in ('textual', 'httpx', 'warroom.server', 'warroom.tui', 'warroom.store') if m in sys.modules];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_start_up_does_not_load_the_renderers() -> None:
    code = "import sys, warroom.cli; print(sorted(m for m in sys.modules if m.startswith('warroom.export')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_name_loads() -> None:
    import warroom.export

    for name in warroom.export.__all__:
        assert getattr(warroom.export, name) is not None


# --- the JSON document and import ---------------------------------------------------


def test_json_round_trip_into_a_fresh_file_store(tmp_path: Path, scenario) -> None:
    doc = parse_document(render_json(scenario.state, scenario.events))
    store = FileStore(tmp_path / "store")
    result = asyncio.run(import_document(store, doc))
    assert (result.incident_id, result.events, result.warnings) == ("INC-42", len(scenario.events), ())
    events = asyncio.run(store.read("INC-42"))
    assert events == scenario.events
    assert fold(events).summary_dict() == scenario.state.summary_dict()


def test_import_refuses_an_existing_incident_unless_replace(tmp_path: Path, scenario) -> None:
    store = FileStore(tmp_path / "store")
    doc = parse_document(render_json(scenario.state, scenario.events))
    asyncio.run(import_document(store, doc))
    with pytest.raises(Rejected, match="already exists.*--replace"):
        asyncio.run(import_document(store, doc))
    shorter = parse_document(render_json(fold(scenario.events[:8]), scenario.events[:8]))
    asyncio.run(import_document(store, shorter, replace=True))
    assert len(asyncio.run(store.read("INC-42"))) == 8


def test_import_accepts_a_plain_dict_and_warns_about_a_stale_state(tmp_path: Path, scenario) -> None:
    raw = json.loads(render_json(scenario.state, scenario.events))
    raw["state"]["title"] = "edited by hand"
    result = asyncio.run(import_document(FileStore(tmp_path), raw))
    assert len(result.warnings) == 1 and "title" in result.warnings[0]


def test_stores_without_import_say_so() -> None:
    from warroom.store.http import HttpStore

    doc = parse_document(render_json(build_scenario().state, build_scenario().events))
    with pytest.raises(ImportNotSupported, match="https://warroom.example is not supported yet"):
        asyncio.run(import_document(HttpStore("https://warroom.example"), doc))


def test_import_uses_an_async_importer_when_a_store_has_one() -> None:
    calls = []

    class AsyncStore:
        location = "memory"

        async def import_events(self, incident_id, events, *, replace=False):
            calls.append((incident_id, len(events), replace))

    scenario = build_scenario()
    doc = parse_document(render_json(scenario.state, scenario.events))
    asyncio.run(import_document(AsyncStore(), doc, replace=True))
    assert calls == [("INC-42", len(scenario.events), True)]


def _doc(**changes) -> str:
    scenario = build_scenario()
    raw = json.loads(render_json(scenario.state, scenario.events))
    raw.update(changes)
    return json.dumps(raw)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "is not valid JSON (line 1 column 2"),
        (b"\xff\xfe\x00", "is not"),
        ("[]", 'is not a warroom incident export (no "format": "warroom-incident")'),
        ('{"format": "something-else", "version": 1}', "is not a warroom incident export"),
        (_doc(version=2), "is export version 2; this warroom reads version 1 (made by a newer warroom"),
        (_doc(version="1"), 'has no valid "version"'),
        (_doc(events=[]), 'has no "events"'),
        (_doc(incident={"id": "INC-43"}), "says it is 'INC-43' but its events declare INC-42"),
    ],
)
def test_invalid_documents_give_one_line_reasons(data, message: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_document(data, "INC-42.json")
    text = str(caught.value)
    assert message in text and "\n" not in text
    assert text.startswith("INC-42.json")


def test_invalid_events_are_named_by_number() -> None:
    scenario = build_scenario()
    raw = json.loads(render_json(scenario.state, scenario.events))
    raw["events"][3]["body"]["which"] = "sometime"
    with pytest.raises(DocumentError, match=r"event 4 is not valid \(body\.key_time_set\.which"):
        parse_document(json.dumps(raw), "f.json")
    raw = json.loads(render_json(scenario.state, scenario.events))
    raw["events"][5]["seq"] = 3
    with pytest.raises(DocumentError, match="event seq 3 comes after seq 5"):
        parse_document(json.dumps(raw), "f.json")
    raw = json.loads(render_json(scenario.state, scenario.events))
    raw["events"] = raw["events"][1:]
    with pytest.raises(DocumentError, match="the first event must declare the incident"):
        parse_document(json.dumps(raw), "f.json")
    raw = json.loads(render_json(scenario.state, scenario.events))
    raw["events"][2]["id"] = raw["events"][1]["id"]
    with pytest.raises(DocumentError, match="appears twice"):
        parse_document(json.dumps(raw), "f.json")


def test_an_empty_incident_exports_and_imports() -> None:
    log = LogBuilder()
    log.add("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-1", title="t"))
    doc = parse_document(render_json(log.state, log.events))
    assert doc.incident_id == "INC-1" and doc.events == log.events
