"""The board when the file under it misbehaves: replaced, read-only, unreadable, disk full.

Issue 9 items 10 and 11: the board re-folds a replaced log from the top and says so;
file errors become notifications (or, when there is nothing to show, a one-line exit
message), never a crash or a board stuck on "loading…".
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.privileges import permission_bits_apply
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.incident.events import parse_stored
from warroom.store import FileStore
from warroom.tui.widgets import TimelineView

from .conftest import INCIDENT, SIZE, Incident, notices, ready, type_text, until


def another_log(folder: Path, notes: int) -> list[ev.StoredEvent]:
    store = FileStore(folder)
    store.append_sync(INCIDENT, ev.EventDraft(actor="carol", body=ev.IncidentDeclared(incident_id=INCIDENT, title="The imported one")))
    for n in range(notes):
        store.append_sync(INCIDENT, ev.EventDraft(actor="carol", body=ev.NoteAdded(text=f"imported note {n}")))
    lines = store.path_for(INCIDENT).read_bytes().splitlines()
    return [parse_stored(line) for line in lines]


async def test_a_board_reloads_a_log_replaced_under_it_and_says_so(incident: Incident, make_board, tmp_path: Path) -> None:
    for n in range(8):
        incident.act("alice", ev.NoteAdded(text=f"old note {n}"))
    new = another_log(tmp_path / "other", 10)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.query_one(TimelineView)
        assert timeline.entries[-1].text == "old note 7"
        FileStore(incident.folder).import_events(INCIDENT, new, replace=True)
        await until(pilot, lambda: "the log was replaced" in notices(app), tries=1000)
        expected = fold(new)
        await until(pilot, lambda: [e.text for e in timeline.entries] == [e.text for e in app.board.state.timeline])
        assert [(e.seq, e.text) for e in app.board.state.timeline] == [(e.seq, e.text) for e in expected.timeline]
        assert app.board.state.title == "The imported one" and "The imported one" in str(app.board.header.render())
        assert "old note" not in " ".join(e.text for e in timeline.entries)
        incident.act("carol", ev.NoteAdded(text="after the swap"))
        await until(pilot, lambda: timeline.entries[-1].text == "after the swap")
        assert timeline.entries[-1].seq == len(new) + 1


async def test_a_read_only_log_opens_read_only_with_a_notice(incident: Incident, make_board) -> None:
    path = incident.store.path_for(INCIDENT)
    os.chmod(path, 0o444)
    with permission_bits_apply():
        app = make_board("bob")  # not a responder yet: the board tries to join, which must write
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            assert "loading" not in str(app.board.header.render())
            assert f"cannot write {path}: Permission denied" in notices(app)
            assert "Customer objects expiring" in str(app.board.header.render())


async def test_an_unreadable_log_leaves_with_one_line(incident: Incident, make_board) -> None:
    path = incident.store.path_for(INCIDENT)
    os.chmod(path, 0o000)
    with permission_bits_apply():
        app = make_board("alice")
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1 and app.exit_message == f"cannot read {path}: Permission denied"


async def test_a_full_disk_is_a_notice_and_the_board_stays_up(
    incident: Incident, make_board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No unprivileged way fills a disk on cue, so only writes to this incident's file fail."""
    path = incident.store.path_for(INCIDENT)
    inode = path.stat().st_ino
    real_write = os.write

    def write(fd: int, data) -> int:
        try:
            to_the_log = os.fstat(fd).st_ino == inode
        except OSError:
            to_the_log = False
        if to_the_log:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = path.read_bytes()
        monkeypatch.setattr(os, "write", write)
        await pilot.press("t")
        await type_text(pilot, "written to a full disk")
        await pilot.press("enter")
        await until(pilot, lambda: f"cannot write {path}: No space left on device" in notices(app))
        assert path.read_bytes() == before
        monkeypatch.setattr(os, "write", real_write)
        timeline = app.board.query_one(TimelineView)
        assert timeline.entries[-1].text != "written to a full disk"
        await pilot.press("t")
        await type_text(pilot, "after the disk was freed")
        await pilot.press("enter")
        await until(pilot, lambda: timeline.entries[-1].text == "after the disk was freed")
