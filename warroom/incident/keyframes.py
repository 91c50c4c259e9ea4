"""The state of an incident at any moment of its log, fast: what replay and ``show --at`` read.

Folding a 100,000-event log from the top for every step of a replay would cost a fraction
of a second each time, so a ``History`` keeps *keyframes*: the fold's state every
``every`` events, made lazily as seeking reaches further into the log (a keyframe is a
checkpoint kept in memory). A seek decodes the nearest keyframe at or before the target
and folds at most ``every - 1`` events on top.

A keyframe must not cost a copy of everything before it (two hundred copies of a
100,000-entry timeline would not fit in memory), so it splits the state in two:

- the small parts (responders, workstreams, command, policy...) encoded with the
  checkpoint codec (``snapshot.encode_fields``), decoded afresh for every seek;
- the lists that only grow (timeline, broadcasts, action items, command spans): only their
  lengths. Their items are the folding state's (the *frontier*), shared. The fold changes
  a few such items in place (a star on an old entry, the end of the last command span, an
  action item's status), so ``_CopyOnWrite`` copies a shared item before an event may
  change it and keeps the original in an undo list; restoring a keyframe puts those back.
  The property test in ``tests/incident/test_keyframes.py`` checks seeks against a fold
  from the top, so an in-place change the fold gains without ``_touched`` knowing fails there.

``Moment`` parsing lives here too, so the board's ``g``, the CLI's ``--at`` and ``keytime`` accept
the same words with the same errors: ``#312`` (a seq), ``T+01:23[:45]`` (from the start of the
incident), and a UTC time, ``10:14[:07]`` or ISO ``2026-11-25T10:14:07Z``.
"""

from __future__ import annotations

import bisect
import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any

from . import events as ev
from .fold import apply
from .snapshot import GROWING_LISTS, decode_fields, encode_fields, growing_lists
from .state import IncidentState

KEYFRAME_EVERY = 250
"""Events between keyframes: a seek folds at most this many on top of a decoded keyframe."""


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""The time of an empty log's only moment (the domain reads no clock)."""


class BadMoment(ValueError):
    """A moment that names nothing in this incident (``#0``, ``T+99:99``, before the declaration)."""


class PastTheEnd(BadMoment):
    """``#N`` after the last entry: the incident has only ``entries`` of them (not bad input,
    a fact about this incident: the CLI says so and exits 1)."""

    def __init__(self, message: str, entries: int):
        super().__init__(message)
        self.entries = entries


# --- which moment ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moment:
    """A point of the incident: the last event applied (``seq``) and the clock then (``at``).

    ``at`` may be later than event ``seq`` (a minute after it, nothing happened since):
    durations, fatigue and "update due" are computed at ``at``."""

    seq: int
    at: datetime


_SEQ = re.compile(r"#\s*(\d+)")
_T_PLUS = re.compile(r"[tT]\+(\d+):(\d+)(?::(\d+))?")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
MOMENT_HELP = "#SEQ (#312), T+HH:MM[:SS] (T+01:23) or a UTC time (10:14, 10:14:07, 2026-11-25T10:14Z)"


@dataclass(frozen=True, slots=True)
class MomentSpec:
    """What the words said, before it is matched against an incident."""

    seq: int | None = None
    offset: timedelta | None = None
    clock: time | None = None
    when: datetime | None = None


def parse_moment(text: str) -> MomentSpec:
    """``#SEQ``, ``T+HH:MM[:SS]`` or a UTC time; raises ``BadMoment`` with a one-line reason."""
    words = text.strip()
    if match := _SEQ.fullmatch(words):
        seq = int(match.group(1))
        if seq < 1:
            raise BadMoment(f"bad moment {text!r}: entries are numbered from #1")
        return MomentSpec(seq=seq)
    if match := _T_PLUS.fullmatch(words):
        hours, minutes, secs = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if minutes > 59 or secs > 59:
            raise BadMoment(f"bad moment {text!r}: minutes and seconds go up to 59 (T+HH:MM[:SS])")
        return MomentSpec(offset=timedelta(hours=hours, minutes=minutes, seconds=secs))
    if match := _CLOCK.fullmatch(words):
        hours, minutes, secs = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hours > 23 or minutes > 59 or secs > 59:
            raise BadMoment(f"bad moment {text!r}: not a time of day (HH:MM[:SS], UTC)")
        return MomentSpec(clock=time(hours, minutes, secs))
    try:
        when = datetime.fromisoformat(words.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadMoment(f"bad moment {text!r}: use {MOMENT_HELP}") from None
    return MomentSpec(when=when if when.tzinfo else when.replace(tzinfo=timezone.utc))


def t_plus(at: datetime, start: datetime) -> str:
    """``T+01:02:05`` from the start of the incident (``T-`` before it), whole seconds; hours may pass 24."""
    total = int((at.replace(microsecond=0) - start.replace(microsecond=0)).total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"T{sign}{hours:02d}:{minutes:02d}:{secs:02d}"


# --- the history of one incident -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Keyframe:
    count: int
    """Events folded into it (keyframe k holds the first k * every)."""
    seq: int
    fields: list[Any]
    lengths: tuple[int, ...]
    """How long each growing list was: its items are the frontier's, as they were then (see ``_undo``)."""


_COMMAND_SPANS, _TIMELINE, _ACTION_ITEMS = (GROWING_LISTS.index(name) for name in ("command_spans", "timeline", "action_items"))


def _touched(state: IncidentState, body: ev.Body) -> Iterator[tuple[int, int]]:
    """(list, index) of each item of the growing lists that applying ``body`` may change in place."""
    if state.command_spans:
        yield _COMMAND_SPANS, len(state.command_spans) - 1  # its end is set when command moves or the incident closes
    if isinstance(body, ev.EntryStarred):
        index = bisect.bisect_left(state.timeline, body.target, key=lambda e: e.seq)
        if index < len(state.timeline):
            yield _TIMELINE, index
    elif isinstance(body, (ev.ActionItemStatusSet, ev.ActionItemEdited)):
        yield from ((_ACTION_ITEMS, i) for i, item in enumerate(state.action_items) if item.id == body.item)


class _CopyOnWrite:
    """Folds into ``state`` without changing an item it shares with keyframes (the first
    ``shared[n]`` items of growing list n): such an item is copied before an event may change it,
    and the original, as it was, goes to ``undo`` (when given) with the count of events before it."""

    __slots__ = ("state", "lists", "shared", "copied", "undo", "count")

    def __init__(self, state: IncidentState, shared: Sequence[int], count: int, undo: list[tuple[int, int, int, object]] | None = None):
        self.state, self.lists, self.shared = state, growing_lists(state), list(shared)
        self.copied: set[tuple[int, int]] = set()
        self.undo, self.count = undo, count

    def apply(self, event: ev.StoredEvent) -> None:
        for which, index in _touched(self.state, event.body):
            if index < self.shared[which] and (which, index) not in self.copied:
                items = self.lists[which]
                original = items[index]
                items[index] = copy.copy(original)
                self.copied.add((which, index))
                if self.undo is not None:
                    self.undo.append((self.count, which, index, original))
        apply(self.state, event)
        self.count += 1

    def share_all(self) -> None:
        """Everything folded so far now belongs to a keyframe too."""
        self.shared = [len(items) for items in self.lists]
        self.copied.clear()


class History:
    """Every moment of one incident's log, seekable in bounded time (keyframes, built lazily).

    ``events`` is the whole log in seq order; ``start`` is T+0 (the post-mortem's start:
    the corrected start time, else the declaration), default the declaration."""

    def __init__(self, events: Sequence[ev.StoredEvent], *, start: datetime | None = None, every: int = KEYFRAME_EVERY):
        self.events = events
        self.every = max(1, every)
        self._seqs = [event.seq for event in events]
        self._times = [event.at for event in events]
        self.declared_at = next((e.at for e in events if isinstance(e.body, ev.IncidentDeclared)), None)
        self.start = start or self.declared_at
        self._keyframes: list[_Keyframe] = []
        self._undo: list[tuple[int, int, int, object]] = []
        """(events folded before, list, index, the item as it was) for each shared item the frontier copied."""
        self._frontier = _CopyOnWrite(IncidentState(), [0] * len(GROWING_LISTS), 0, self._undo)
        """The fold so far: up to the last keyframe made."""

    # -- sizes and positions --

    def __len__(self) -> int:
        return len(self.events)

    @property
    def last_seq(self) -> int:
        return self._seqs[-1] if self._seqs else 0

    @property
    def keyframes(self) -> int:
        """How many keyframes have been made so far."""
        return len(self._keyframes)

    def position(self, seq: int) -> int:
        """How many events are at or before ``seq`` (``#312 of 1,204`` shows this, not the seq)."""
        return bisect.bisect_right(self._seqs, seq)

    def seq_at(self, at: datetime) -> int:
        """The last event stored at or before ``at`` (0 before the first)."""
        count = bisect.bisect_right(self._times, at)
        return self._seqs[count - 1] if count else 0

    def time_of(self, seq: int) -> datetime:
        """When event ``seq`` (or the last one before it) was stored."""
        count = self.position(seq)
        return self._times[count - 1] if count else (self.declared_at or _EPOCH)

    @property
    def end(self) -> datetime:
        """The last moment of the record: the last event's time."""
        return self._times[-1] if self._times else _EPOCH

    def at_seq(self, seq: int) -> Moment:
        """Right after event ``seq`` (or the last one before it), at the time it was stored."""
        count = self.position(seq)
        seq = self._seqs[count - 1] if count else 0
        return Moment(seq, self.time_of(seq))

    def progress(self, moment: Moment) -> float:
        """How far ``moment`` is from the declaration (0) to the last event (1)."""
        first = self.declared_at or (self._times[0] if self._times else _EPOCH)
        span = (self.end - first).total_seconds()
        return 1.0 if span <= 0 else max(0.0, min(1.0, (moment.at - first).total_seconds() / span))

    def at_time(self, at: datetime) -> Moment:
        """The moment ``at``, kept between the declaration and the last event."""
        if self.declared_at is not None:
            at = max(at, self.declared_at)
        at = min(at, self.end)
        return Moment(self.seq_at(at), at)

    def step(self, moment: Moment, events: int) -> Moment:
        """``events`` events later (or earlier, if negative), from ``moment``."""
        count = self.position(moment.seq)
        if events < 0 and self.time_of(moment.seq) < moment.at:
            events += 1  # between events: one back is the event we are past
        target = max(1, min(len(self._seqs), count + events))
        return self.at_seq(self._seqs[target - 1]) if self._seqs else moment

    def moment(self, text: str, now: datetime | None = None) -> Moment:
        """The moment ``text`` names in this incident (see ``parse_moment``); ``BadMoment`` if none,
        or if it is before the declaration, or later than both ``now`` and the last entry (a
        replay does not make up a future)."""
        spec = parse_moment(text)
        if spec.seq is not None:
            return self.at_seq(self._entry(spec.seq))
        at = self._time_of(spec, text, now)
        assert self.declared_at is not None  # _time_of refuses an undeclared incident
        if at < self.declared_at:
            raise BadMoment(f"{text.strip()} is before the declaration ({self.declared_at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC)")
        if now is not None and at > max(now, self.events[-1].at):
            raise BadMoment(f"{text.strip()} is in the future (it is {now.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC now)")
        return Moment(self.seq_at(at), at)

    def time_named(self, text: str, now: datetime | None = None) -> datetime:
        """The time ``text`` names in this incident, in the words a replay takes, before the
        declaration too (``keytime started 09:40``): an entry's time, T+ from the start, a clock
        time or a full time. ``BadMoment`` if the words name none."""
        spec = parse_moment(text)
        if spec.seq is not None:
            return self.time_of(self._entry(spec.seq))
        return self._time_of(spec, text, now)

    def _entry(self, seq: int) -> int:
        if seq > self.last_seq:
            raise PastTheEnd(f"no entry #{seq}: the log ends at #{self.last_seq}", len(self))
        return seq

    def _time_of(self, spec: MomentSpec, text: str, now: datetime | None) -> datetime:
        if self.declared_at is None or self.start is None:
            raise BadMoment("the incident has not been declared: name an entry, e.g. #1")
        if spec.offset is not None:
            return self.start + spec.offset
        if spec.clock is not None:
            day = datetime.combine(self.declared_at.astimezone(timezone.utc).date(), spec.clock, timezone.utc)
            at = day if day >= self.declared_at else day + timedelta(days=1)  # the first such time since the declaration...
            if now is not None and at > max(now, self.end):
                at -= timedelta(days=1)  # ...unless that has not come yet: then the one before it
            return at
        assert spec.when is not None  # parse_moment fills exactly one field
        return spec.when

    def describe(self, moment: Moment) -> str:
        """``T+01:23:45 · #312 of 1,204 · 10:14:07 UTC``: where ``moment`` is, for a person."""
        start = self.start or moment.at
        return f"{t_plus(moment.at, start)} · #{moment.seq} of {len(self):,} · {moment.at.astimezone(timezone.utc):%H:%M:%S} UTC"

    # -- states --

    def state_at(self, seq: int) -> IncidentState:
        """The state right after event ``seq`` (0: before anything). A new object each call,
        whose growing lists share items with the keyframes: read it, do not change it."""
        count = self.position(seq)
        self._build(count)
        keyframe = self._keyframes[count // self.every]
        writer = _CopyOnWrite(self._restore(keyframe), keyframe.lengths, keyframe.count)
        for event in self.events[keyframe.count : count]:
            writer.apply(event)
        return writer.state

    def _restore(self, keyframe: _Keyframe) -> IncidentState:
        """A fresh state equal to the fold at ``keyframe``: its lists are the frontier's, cut to
        their length then, with every item changed since put back as it was."""
        lists = [items[:length] for items, length in zip(growing_lists(self._frontier.state), keyframe.lengths)]
        put_back: set[tuple[int, int]] = set()
        for _, which, index, original in self._undo[bisect.bisect_left(self._undo, keyframe.count, key=lambda u: u[0]) :]:
            if (which, index) not in put_back and index < len(lists[which]):
                lists[which][index] = original
                put_back.add((which, index))
        return decode_fields(keyframe.fields, lists)

    def _build(self, count: int) -> None:
        """Make every keyframe up to the one covering the first ``count`` events."""
        frontier = self._frontier
        if not self._keyframes:
            self._keyframes.append(_Keyframe(0, 0, encode_fields(frontier.state), tuple(0 for _ in GROWING_LISTS)))
        while len(self._keyframes) <= count // self.every:
            for event in self.events[frontier.count : frontier.count + self.every]:
                frontier.apply(event)
            state = frontier.state
            frontier.share_all()
            self._keyframes.append(
                _Keyframe(frontier.count, state.seq, encode_fields(state), tuple(len(items) for items in frontier.lists))
            )
