"""``parse_stored_lines``: many lines parsed as ``parse_stored`` parses each, with the collector out.

The events a page or a log is parsed into stay alive, and in their numbers they set off Python's
collections (a full one walks the whole heap): while the lines are parsed the collector is off,
and it is as it was afterwards, whether the lines parse or not.
"""

from __future__ import annotations

import gc
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from warroom.incident import events as ev

START = datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)


def lines(count: int) -> list[bytes]:
    first = ev.StoredEvent(seq=1, id=uuid.uuid4(), at=START, actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t"))
    notes = (
        ev.StoredEvent(seq=n, id=uuid.uuid4(), at=START + timedelta(seconds=n), actor="bob", body=ev.NoteAdded(text=f"note {n}"))
        for n in range(2, count + 1)
    )
    return [ev.dump_stored(event).encode() for event in (first, *notes)]


def test_many_lines_parse_to_the_events_each_line_parses_to() -> None:
    page = lines(50)
    assert ev.parse_stored_lines(page) == [ev.parse_stored(line) for line in page]
    assert ev.parse_stored_lines(line.decode() for line in page) == [ev.parse_stored(line) for line in page]
    assert ev.parse_stored_lines([]) == []


def test_the_first_bad_line_raises_what_parse_stored_raises_for_it(collections: list[int]) -> None:
    page = lines(10)
    page[4] = page[4].replace(b'"note 5"', b'"   "')
    page[7] = b'{"seq": 8'
    with pytest.raises(ValidationError) as raised:
        ev.parse_stored_lines(page)
    with pytest.raises(ValidationError) as alone:
        ev.parse_stored(page[4])
    assert raised.value.errors() == alone.value.errors()
    assert "must not be blank" in str(raised.value)
    assert gc.isenabled()  # back on after the error


def test_no_collection_runs_while_a_few_thousand_lines_are_parsed(collections: list[int]) -> None:
    page = lines(3000)
    before = len(collections)
    events = ev.parse_stored_lines(page)
    during = collections[before:]
    assert len(events) == 3000
    assert gc.isenabled()
    # 3,000 events are ~30,000 objects kept: about forty young collections with the collector on
    # while parsing; with it off, at most the one the next allocation runs once it is back on.
    assert len(during) <= 1, during


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        ev.parse_stored_lines(lines(3))
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()


def test_a_page_sent_as_one_json_array_parses_to_the_events_of_its_lines(collections: list[int]) -> None:
    page = lines(3000)
    before = len(collections)
    events = ev.parse_stored_array(b"[" + b",".join(page) + b"]")
    during = collections[before:]
    assert events == [ev.parse_stored(line) for line in page]
    assert len(during) <= 1, during  # the collector was off while the page was parsed
    assert ev.parse_stored_array("[]") == []


def test_a_bad_item_of_an_array_is_named_by_its_index(collections: list[int]) -> None:
    page = lines(3)
    with pytest.raises(ValidationError) as raised:
        ev.parse_stored_array(b"[" + b",".join([page[0], b'{"seq": 0}', page[2]]) + b"]")
    assert {error["loc"][0] for error in raised.value.errors()} == {1}
    assert gc.isenabled()
