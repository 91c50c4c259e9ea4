"""``tui.model.find`` without a screen: filters on the entries' fields, search, and arrivals."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from warroom.incident.state import TimelineEntry
from warroom.tui.model.find import KINDS, Filter, Finder, TimelineIndex

AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def entry(seq: int, actor: str, type_: str, text: str, **fields) -> TimelineEntry:
    return TimelineEntry(seq=seq, at=AT, actor=actor, type=type_, text=text, **fields)


ENTRIES = [
    entry(1, "alice", "incident_declared", "declared SEV1"),
    entry(2, "alice", "workstream_opened", "opened WS-1", workstream="WS-1"),
    entry(3, "bob", "workstream_claimed", "claimed WS-1", workstream="WS-1"),
    entry(4, "bob", "note_added", "Replica lag 30s"),
    entry(5, "bob", "handoff_offered", "offered WS-1 to carol", workstream="WS-1", counterpart="carol"),
    entry(6, "carol", "handoff_accepted", "took WS-1 from bob", workstream="WS-1", counterpart="bob"),
    entry(7, "alice", "broadcast_sent", "replica failover under way"),
    entry(8, "carol", "note_added", "replica 2 promoted", starred=True),
    entry(9, "alice", "status_changed", "status: mitigated"),
]


def shown(flt: Filter, entries=ENTRIES) -> list[int]:
    return [entries[i].seq for i in flt.select(entries, TimelineIndex(entries))]


def test_each_part_of_a_filter_reads_a_field() -> None:
    assert shown(Filter(kind="notes")) == [4, 8]
    assert shown(Filter(kind="hand-offs")) == [5, 6]
    assert shown(Filter(kind="broadcasts")) == [7]
    assert shown(Filter(kind="status")) == [9]
    assert shown(Filter(workstream="WS-1")) == [2, 3, 5, 6]
    assert shown(Filter(starred=True)) == [8]
    assert shown(Filter(person="carol")) == [5, 6, 8]  # what she did, and the hand-off to her
    assert shown(Filter(me="bob")) == [3, 4, 5, 6]
    assert shown(Filter(kind="notes", person="bob")) == [4]
    assert shown(Filter()) == list(range(1, 10))


def test_a_filter_agrees_with_its_predicate_entry_by_entry() -> None:
    for flt in (Filter(kind="hand-offs", person="bob"), Filter(workstream="WS-1", me="carol"), Filter(starred=True, kind="notes")):
        keep = flt.predicate()
        assert shown(flt) == [e.seq for e in ENTRIES if keep(e)]


def test_choosing_adds_toggles_and_clears() -> None:
    flt = Filter().choose("kind:notes").choose("person:bob")
    assert flt == Filter(kind="notes", person="bob")
    assert flt.describe() == "bob · notes"
    assert flt.choose("kind:notes") == Filter(person="bob")
    assert flt.choose("kind:hand-offs").kind == "hand-offs"
    assert Filter().choose("starred").choose("me:alice").describe() == "starred · involving me"
    assert flt.choose("clear") == Filter() and not Filter().active
    with pytest.raises(ValueError):
        flt.choose("colour:red")


def test_search_is_case_insensitive_narrows_as_typed_and_stays_inside_the_filter() -> None:
    finder = Finder(list(ENTRIES))
    finder.set_query("REP")
    assert [ENTRIES[i].seq for i in finder.matches] == [4, 7, 8]
    finder.set_query("repl")
    assert [ENTRIES[i].seq for i in finder.matches] == [4, 7, 8]
    finder.set_query("replica 2")
    assert [ENTRIES[i].seq for i in finder.matches] == [8]
    finder.set_query("rep")  # backspaced: wider again
    assert len(finder.matches) == 3
    finder.set_filter(Filter(kind="notes"))
    assert [ENTRIES[i].seq for i in finder.matches] == [4, 8]
    assert finder.spans("Replica lag; replica again") == [(0, 3), (13, 16)]
    assert finder.next_match(3, 1) == 7 and finder.next_match(7, 1) == 3  # wraps round
    assert finder.next_match(3, -1) == 7 and finder.match_number(7) == 2


def test_arrivals_join_the_rows_and_matches_the_filter_lets_through() -> None:
    entries = list(ENTRIES[:3])
    finder = Finder(entries)
    finder.set_filter(Filter(kind="notes"))
    finder.set_query("replica")
    assert finder.rows == [] and finder.matches == []
    for new in ENTRIES[3:]:
        entries.append(new)
        finder.appended()
    assert [entries[i].seq for i in finder.rows] == [4, 8]
    assert [entries[i].seq for i in finder.matches] == [4, 8]
    finder.set_filter(Filter(kind="hand-offs"))  # the index kept up with the arrivals
    assert [entries[i].seq for i in finder.rows] == [5, 6]


def test_every_kind_names_real_event_types() -> None:
    from warroom.incident.events import EVENT_TYPES

    for types in KINDS.values():
        assert types <= set(EVENT_TYPES)


def test_a_filter_is_right_however_far_the_index_has_got() -> None:
    entries = list(ENTRIES[:4])
    finder = Finder(entries)
    assert finder.indexed == 0
    assert not finder.index_some(2) and finder.indexed == 2  # a slice of idle time
    for new in ENTRIES[4:7]:  # arrivals while it is partly built: later slices reach them
        entries.append(new)
        finder.appended()
    assert finder.indexed == 2
    finder.set_filter(Filter(person="carol"))  # applied before the index is ready
    assert [entries[i].seq for i in finder.rows] == [5, 6]
    assert finder.indexed == 7
    for new in ENTRIES[7:]:  # arrivals once it is built: indexed one by one as they come
        entries.append(new)
        finder.appended()
        assert finder.indexed == len(entries)
    assert [entries[i].seq for i in finder.rows] == [5, 6, 8]
    for flt in (Filter(kind="notes"), Filter(kind="hand-offs", me="bob"), Filter(workstream="WS-1")):
        finder.set_filter(flt)
        keep = flt.predicate()
        assert [entries[i].seq for i in finder.rows] == [e.seq for e in entries if keep(e)]


def test_slices_of_indexing_with_arrivals_between_them_index_every_entry_once() -> None:
    entries = list(ENTRIES[:3])
    finder = Finder(entries)
    whole = TimelineIndex(ENTRIES)
    whole.extend()
    finder.index_some(2)
    for new in ENTRIES[3:]:
        entries.append(new)
        finder.appended()
        finder.index_some(2)
    assert finder.index_some(2) and finder.indexed == len(ENTRIES)
    index = finder.prepare_filter()
    for field in ("by_type", "by_actor", "by_counterpart", "by_workstream"):
        assert getattr(index, field) == getattr(whole, field), field


def test_an_arrival_a_one_part_filter_shows_is_shown_once() -> None:
    # The rows were the index's own list for a one-part filter: an arrival went into it twice.
    for flt in (Filter(workstream="WS-1"), Filter(kind="notes"), Filter(person="carol")):
        entries = list(ENTRIES[:4])
        finder = Finder(entries)
        finder.set_filter(flt)
        for new in ENTRIES[4:]:
            entries.append(new)
            finder.appended()
        keep = flt.predicate()
        assert [entries[i].seq for i in finder.rows] == [e.seq for e in ENTRIES if keep(e)], flt
        finder.set_filter(flt)
        assert [entries[i].seq for i in finder.rows] == [e.seq for e in ENTRIES if keep(e)], flt


def test_the_filter_offers_alerts_and_the_public_facts_among_broadcasts() -> None:
    """Issue 26: ``f`` has an "alerts" entry; publishing and components count as broadcasts."""
    assert KINDS["alerts"] == {"alert_fired", "alert_resolved"}
    assert {"incident_published", "component_impact_set"} <= KINDS["broadcasts"]
