"""Checks moved from Python validators into pydantic-core say exactly what the Python ones said.

A parse no longer calls Python for a text's blank check (``blank.VISIBLE_CHARACTER``, a Rust
regex) nor for a stored event's time already in UTC (``events.StoredTime``): the same texts and
times must be accepted and refused, with the same words, as by ``not_blank`` and ``_as_utc``.
"""

from __future__ import annotations

import json
import unicodedata
import uuid

import pytest
from pydantic import ValidationError

from warroom.incident import events as ev
from warroom.incident.blank import INVISIBLE_RANGES, UNICODE_VERSION, _invisible


@pytest.mark.skipif(unicodedata.unidata_version != UNICODE_VERSION, reason=f"the table is Unicode {UNICODE_VERSION}'s")
def test_the_invisible_ranges_are_unicodes_controls_format_characters_spaces_and_fillers() -> None:
    categories, fillers = {"Cc", "Cf", "Zs", "Zl", "Zp"}, set("\u115f\u1160\u3164\uffa0\u2800")
    ranges: list[tuple[int, int]] = []
    for point in range(0x110000):
        if chr(point) in fillers or unicodedata.category(chr(point)) in categories:
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    assert tuple(ranges) == INVISIBLE_RANGES
    assert all(_invisible(chr(point)) == (chr(point) in fillers or unicodedata.category(chr(point)) in categories) for point in range(0x110000))


EDGES = sorted({point for first, last in INVISIBLE_RANGES for edge in (first, last) for point in (edge - 1, edge, edge + 1) if 0 <= point < 0x110000})


@pytest.mark.parametrize("point", EDGES, ids=[f"U+{point:04X}" for point in EDGES])
def test_a_text_of_one_character_is_blank_in_rust_as_in_python(point: int) -> None:
    text = chr(point) * 2
    if ev.is_blank(text):
        with pytest.raises(ValidationError) as refused:
            ev.NoteAdded(text=text)
        assert [(e["loc"], e["msg"]) for e in refused.value.errors()] == [(("text",), "Value error, must not be blank")]
    else:
        assert ev.NoteAdded(text=text).text == text


def test_a_blank_text_still_gets_its_length_errors_first() -> None:
    for text, message in (("", "String should have at least 1 character"), (" " * (ev.MAX_TITLE + 1), f"String should have at most {ev.MAX_TITLE} characters")):
        with pytest.raises(ValidationError) as refused:
            ev.WorkstreamOpened(title=text)
        assert [e["msg"] for e in refused.value.errors()] == [message]


def _line(at: str) -> str:
    return json.dumps({"seq": 1, "id": str(uuid.uuid4()), "at": at, "actor": "alice", "body": {"type": "note_added", "text": "hi"}})


@pytest.mark.parametrize(
    ("at", "read_as"),
    [
        ("2026-11-25T09:01:42Z", "2026-11-25T09:01:42+00:00"),
        ("2026-11-25T09:01:42+00:00", "2026-11-25T09:01:42+00:00"),
        ("2026-11-25T09:01:42+02:00", "2026-11-25T07:01:42+00:00"),
        ("2026-11-25T09:01:42", "2026-11-25T09:01:42+00:00"),
    ],
)
def test_a_stored_time_is_read_in_utc_whatever_its_zone(at: str, read_as: str) -> None:
    event = ev.parse_stored(_line(at))
    assert event.at.isoformat() == read_as and event.at.utcoffset() is not None and not event.at.utcoffset()


@pytest.mark.parametrize("at", ["yesterday", "0001-01-01T00:30:00+01:00", "2026-13-01T00:00:00Z"])
def test_a_stored_time_that_cannot_be_read_gets_one_error(at: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ev.parse_stored(_line(at))
    assert [(e["loc"], e["msg"]) for e in refused.value.errors()] == [(("at",), "Input should be a valid time (ISO 8601, in range)")]
