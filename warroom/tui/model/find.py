"""Finding things in a long timeline: what a search or a filter matches, free of Textual.

At 3,000 entries a responder gives up scrolling, and an incident can reach 100,000; a search
runs on every keystroke, so it must stay well under a frame. It reads the entries'
structured fields (type, actor, workstream, the counterpart a hand-off goes to) and never
parses the sentences the fold wrote. Text search uses one case-folded copy of each entry's
text, made on the first search and extended as entries arrive: no rendered rows. Filters use
an index of those fields, built a slice at a time in idle time after the board is painted and
extended as entries arrive, so no keystroke (not even the first ``f``) indexes 100,000 entries.

A filter hides entries (the view shows ``Finder.rows``); a search hides nothing, it marks
matches and moves between them (n / N), as ``less`` does.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from collections import defaultdict
from itertools import chain, compress, islice, repeat
from operator import attrgetter, contains
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warroom.incident.state import IncidentState, TimelineEntry



def _involving(who: str) -> Callable[[TimelineEntry], bool]:
    """Entries ``who`` did, or that were done to them."""
    return lambda e: e.actor == who or e.counterpart == who


KINDS: dict[str, frozenset[str]] = {
    "notes": frozenset({"note_added"}),
    "decisions": frozenset({"decision_made"}),
    "hand-offs": frozenset({"handoff_offered", "handoff_accepted", "handoff_declined"}),
    "command": frozenset(
        {"command_handover_offered", "command_handover_accepted", "command_handover_declined", "command_assumed"}
    ),
    "broadcasts": frozenset({"broadcast_sent", "incident_published", "component_impact_set"}),
    "status": frozenset({"status_changed", "severity_changed", "incident_renamed", "workstream_status_set", "incident_closed"}),
    "alerts": frozenset({"alert_fired", "alert_resolved"}),
}
"""The kinds of entry a filter offers, by the event types they are made of."""


@dataclass(frozen=True, slots=True)
class Filter:
    """Which entries to show; every part set must hold (an empty filter shows everything)."""

    person: str | None = None
    """Entries this person did, or that were done to them (a hand-off to them)."""
    workstream: str | None = None
    kind: str | None = None
    starred: bool = False
    me: str | None = None
    """"Involving me": the handle whose actions, and actions towards whom, are shown."""

    @property
    def active(self) -> bool:
        return bool(self.person or self.workstream or self.kind or self.starred or self.me)

    def describe(self) -> str:
        """The filter as the pane title shows it: ``alice · WS-3 · notes · starred``."""
        parts = [
            self.person or "",
            self.workstream or "",
            self.kind or "",
            "starred" if self.starred else "",
            "involving me" if self.me else "",
        ]
        return " · ".join(part for part in parts if part)

    def choose(self, choice: str) -> Filter:
        """The filter with one more choice (``person:bob``, ``workstream:WS-2``, ``kind:notes``,
        ``starred``, ``me:alice``); choosing what is already set unsets it; ``clear`` empties it."""
        what, _, value = choice.partition(":")
        if what == "clear":
            return Filter()
        if what == "starred":
            return replace(self, starred=not self.starred)
        if what in ("person", "workstream", "kind", "me"):
            current = getattr(self, what)
            changed: dict[str, Any] = {what: None if current == value else value}
            return replace(self, **changed)
        raise ValueError(f"unknown filter choice {choice!r}")

    def predicate(self) -> Callable[[TimelineEntry], bool]:
        """One function for the whole filter, built once per change: it runs on every entry."""
        checks: list[Callable[[TimelineEntry], bool]] = []
        if self.starred:
            checks.append(lambda e: e.starred)
        if self.kind:
            types = KINDS[self.kind]
            checks.append(lambda e: e.type in types)
        if self.workstream:
            ws = self.workstream
            checks.append(lambda e: e.workstream == ws)
        for who in {w for w in (self.person, self.me) if w is not None}:
            checks.append(_involving(who))
        if not checks:
            return lambda e: True
        if len(checks) == 1:
            return checks[0]
        return lambda e: all(check(e) for check in checks)


    def select(self, entries: Sequence[TimelineEntry], index: TimelineIndex) -> list[int]:
        """Indices of the entries the filter lets through, from ``index``: each part is a
        list of indices, and the parts are intersected smallest first (no code per entry).
        Entries ``index`` does not cover yet are indexed first: the rows are always right."""
        index.extend()
        parts: list[list[int]] = []
        if self.kind:
            parts.append(_union(index.by_type.get(kind, []) for kind in KINDS[self.kind]))
        if self.workstream:
            parts.append(index.by_workstream.get(self.workstream, []))
        for who in {w for w in (self.person, self.me) if w is not None}:
            parts.append(_union([index.by_actor.get(who, []), index.by_counterpart.get(who, [])]))
        if self.starred:  # stars change after the fact: read them from the entries
            parts.append(list(compress(range(len(entries)), map(attrgetter("starred"), entries))))
        if not parts:
            return list(range(len(entries)))
        parts.sort(key=len)
        rows = list(parts[0])  # a copy: arrivals are appended to the rows, never to the index
        for part in parts[1:]:
            rows = list(compress(rows, map(set(part).__contains__, rows)))
        return rows


def _union(parts: Iterable[list[int]]) -> list[int]:
    """One sorted list of the indices in any of ``parts`` (each sorted); always a new list."""
    found = [part for part in parts if part]
    if len(found) == 1:
        return list(found[0])
    return sorted(set(chain.from_iterable(found)))


class TimelineIndex:
    """Which entries have which type, actor, counterpart and workstream, for ``Filter.select``.

    Indexing 100,000 entries at once is a pause a keystroke would feel, so it is built a
    chunk at a time (``extend``, from idle time once the board is painted) and then kept up
    to date entry by entry as they arrive (``add``: these fields never change). It covers the
    first ``count`` entries; ``select`` completes it first, so a filter applied before it is
    ready is still right (it only pays for the rest then).
    """

    def __init__(self, entries: Sequence[TimelineEntry]) -> None:
        self.entries = entries
        self.count = 0
        self.by_type: dict[str, list[int]] = defaultdict(list)
        self.by_actor: dict[str, list[int]] = defaultdict(list)
        self.by_counterpart: dict[str, list[int]] = defaultdict(list)
        self.by_workstream: dict[str, list[int]] = defaultdict(list)

    def extend(self, limit: int | None = None) -> bool:
        """Index up to ``limit`` more entries (``None``: all the rest); True once every entry is."""
        start = self.count
        stop = len(self.entries) if limit is None else min(len(self.entries), start + limit)
        put = self._put
        for index, entry in enumerate(islice(self.entries, start, stop), start):
            put(index, entry)
        self.count = stop
        return stop >= len(self.entries)

    def add(self, entry: TimelineEntry) -> None:
        """``entry`` has just been appended to ``entries``: index it now if every entry before
        it is (otherwise ``extend`` reaches it in turn)."""
        index = len(self.entries) - 1
        if self.count == index:
            self.count += 1
            self._put(index, entry)

    def _put(self, index: int, entry: TimelineEntry) -> None:
        self.by_type[entry.type].append(index)
        self.by_actor[entry.actor].append(index)
        if entry.counterpart:
            self.by_counterpart[entry.counterpart].append(index)
        if entry.workstream:
            self.by_workstream[entry.workstream].append(index)


def choices(state: IncidentState, me: str, current: Filter) -> list[tuple[str, str]]:
    """What ``f`` offers, as (choice, label): kinds, people, workstreams, starred, involving me.
    A choice already in the filter is marked ``✓`` (choosing it again removes it)."""

    def mark(on: bool, label: str) -> str:
        return f"✓ {label}" if on else f"  {label}"

    rows = [(f"kind:{kind}", mark(current.kind == kind, f"kind: {kind}")) for kind in KINDS]
    rows.append(("starred", mark(current.starred, "starred only")))
    rows.append((f"me:{me}", mark(current.me == me, f"involving me ({me})")))
    people = sorted(set(state.responders) | {p for p in (current.person,) if p is not None})
    rows += [(f"person:{who}", mark(current.person == who, f"person: {who}")) for who in people]
    for ws in state.workstreams.values():
        rows.append((f"workstream:{ws.id}", mark(current.workstream == ws.id, f"workstream: {ws.id} {ws.title}")))
    if current.active:
        rows.append(("clear", "  clear the filter"))
    return rows


class Finder:
    """The rows a timeline view shows (all entries, or those a filter lets through) and the
    entries a search matches, kept up to date as entries arrive.

    ``rows`` is ``None`` while nothing is filtered: a row is then an entry's own index, and
    showing 100,000 entries costs no list at all.
    """

    def __init__(self, entries: Sequence[TimelineEntry] = ()) -> None:
        self.entries = entries
        self.filter = Filter()
        self.query = ""
        self.rows: list[int] | None = None
        self.matches: list[int] = []
        """Indices (into ``entries``) of shown entries that match the query, in order."""
        self._pass: Callable[[TimelineEntry], bool] = lambda e: True
        self._folded: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        self._index = TimelineIndex(entries)

    def reset(self, entries: Sequence[TimelineEntry]) -> None:
        """A new timeline (the board redrew everything): keep the filter and query."""
        self.entries = entries
        self._folded = []
        self._index = TimelineIndex(entries)
        self._refilter()

    # --- rows ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries) if self.rows is None else len(self.rows)

    def entry_index(self, row: int) -> int:
        return row if self.rows is None else self.rows[row]

    def row_of(self, index: int) -> int | None:
        """The row showing entry ``index``, or ``None`` when the filter hides it."""
        if self.rows is None:
            return index if 0 <= index < len(self.entries) else None
        row = bisect.bisect_left(self.rows, index)
        return row if row < len(self.rows) and self.rows[row] == index else None

    def row_near(self, index: int) -> int:
        """The row showing entry ``index`` or, if hidden, the first shown after it (else the last)."""
        if self.rows is None:
            return index
        return min(bisect.bisect_left(self.rows, index), len(self.rows) - 1)

    def set_filter(self, new: Filter) -> None:
        self.filter = new
        self._refilter()

    def _refilter(self) -> None:
        self._pass = self.filter.predicate()
        if self.filter.active:
            self.rows = self.filter.select(self.entries, self.prepare_filter())
        else:
            self.rows = None
        self._research()

    def prepare_filter(self) -> TimelineIndex:
        """The index, covering every entry (what is not indexed yet is, now)."""
        self._index.extend()
        return self._index

    @property
    def indexed(self) -> int:
        """How many entries (the first ones) the filter index covers so far."""
        return self._index.count

    def index_some(self, count: int) -> bool:
        """Index up to ``count`` more entries for filtering (a slice of idle time); True once all are."""
        return self._index.extend(count)

    def appended(self) -> bool:
        """The last entry of ``entries`` has just arrived: True if the filter shows it."""
        index = len(self.entries) - 1
        entry = self.entries[index]
        self._index.add(entry)
        if not self._pass(entry):
            return False
        if self.rows is not None:
            self.rows.append(index)
        if self.query:
            self._fold_up_to(index + 1)
            if self._folded_query in self._folded[index]:
                self.matches.append(index)
        return True

    # --- search --------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        return bool(self.query)

    def set_query(self, query: str) -> None:
        previous, previous_matches = self.query, self.matches
        self.query = query
        if query and previous and previous.casefold() in query.casefold():
            self._research(within=previous_matches)  # typing on only narrows the matches
        else:
            self._research()

    @property
    def _folded_query(self) -> str:
        return self.query.casefold()

    def prepare_search(self) -> None:
        """Fold every entry's text for searching (once; ``/`` does it before the first key)."""
        self._fold_up_to(len(self.entries))

    def _fold_up_to(self, count: int) -> None:
        # One join, one casefold, one split: C speed, where folding entry by entry in Python
        # took a fifth of a second at 100,000 entries.
        have = len(self._folded)
        if have < count:
            texts = list(map(attrgetter("text"), islice(self.entries, have, count)))
            folded = "\0".join(texts).casefold().split("\0")
            if len(folded) != len(texts):  # a text with a NUL in it: the slow, exact way
                folded = [text.casefold() for text in texts]
            self._folded.extend(folded)

    def _research(self, within: Sequence[int] | None = None) -> None:
        if not self.query:
            self.matches, self._pattern = [], None
            return
        self._pattern = re.compile(re.escape(self.query), re.IGNORECASE)
        self._fold_up_to(len(self.entries))
        folded, needle = self._folded, self._folded_query
        if within is None and self.rows is None:
            self.matches = list(compress(range(len(folded)), map(contains, folded, repeat(needle))))
            return
        if within is None:
            within = self.rows
        assert within is not None  # both None returned above
        texts = map(folded.__getitem__, within)
        self.matches = list(compress(within, map(contains, texts, repeat(needle))))

    def is_match(self, index: int) -> bool:
        at = bisect.bisect_left(self.matches, index)
        return at < len(self.matches) and self.matches[at] == index

    def match_number(self, index: int) -> int:
        """How many matches are at or before entry ``index`` (1 = the first match)."""
        return bisect.bisect_right(self.matches, index)

    def next_match(self, index: int, step: int) -> int | None:
        """The match after (``step`` 1) or before (``step`` -1) entry ``index``, wrapping round."""
        if not self.matches:
            return None
        if step > 0:
            at = bisect.bisect_right(self.matches, index)
            return self.matches[at % len(self.matches)]
        at = bisect.bisect_left(self.matches, index) - 1
        return self.matches[at % len(self.matches)]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the query occurs in ``text`` (for highlighting the rows on screen)."""
        if self._pattern is None:
            return []
        return [match.span() for match in self._pattern.finditer(text)]
