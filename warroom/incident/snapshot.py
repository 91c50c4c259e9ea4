"""A folded state as bytes and back: what checkpoints are made of.

Joining a 100,000-event incident must not cost parsing and folding 100,000 events, so
stores keep a *checkpoint*: the state after some seq, encoded here. A checkpoint is a
cache, never the truth: ``encode`` stamps it with a fingerprint of the domain code (the
state's shape and the fold's source), and ``decode`` refuses one made by any other code,
so a changed fold or a new field is rebuilt from the log instead of being trusted.

The two parts that grow with the log are kept compact and lazy, because a board only ever
looks at a screenful of them: the timeline stays one block of JSON lines (an entry is
decoded when it is read, see ``LazyList``; so are the other lists that grow with the
log, such as broadcasts) and the ids of the events folded (given by the store that needs
them: the fold keeps none) stay one sorted block of 16-byte ids (``EventIds``). A CRC-32
of everything after the header catches a damaged file before any of it is decoded. Everything else (workstreams, responders,
broadcasts...) is small and decoded at once. Encoding is JSON, never pickle: a checkpoint
lives in a shared folder or comes over the network, and loading one must not run code.

Layout::

    {"format": ..., "fingerprint": ..., "seq": ..., "crc32": ..., "ids": ..., "offsets": ..., "meta": {...}}
    [[...the other state fields, in field order...], [items in each lazy list]]
    <the sorted 16-byte event ids, binary; header["ids"] bytes>
    <the lazy lists' line offsets, little-endian uint64; header["offsets"] bytes>
    [timeline entry]                # one item per line: the timeline, then broadcasts,
    ...                             # action items and command spans
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import json
import sys
import types
import typing
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from pydantic import BaseModel

from .state import IncidentState

T = TypeVar("T")

FORMAT = "warroom-checkpoint/1"
CHECKPOINT_EVERY = 1000
"""Events between checkpoints (file store) or re-encodings (server): a reader folds at most this many."""
_ID_SIZE = 16


class BadCheckpoint(ValueError):
    """Not a checkpoint this code can trust (other code, other format, damaged): rebuild instead."""


# --- codecs per type hint ---------------------------------------------------------------

Codec = tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]
"""(encode, decode): each takes whatever its type hint says, so ``Any`` (the hint is only known at run time)."""


def _codec(hint: object) -> Codec:
    """(encode, decode) for values of type ``hint``; ``None`` means "as is" (JSON-native)."""
    if hint in (str, int, bool, float, typing.Any):
        return None, None
    if hint is datetime:
        return datetime.isoformat, datetime.fromisoformat
    if hint is date:
        return date.isoformat, date.fromisoformat
    if hint is timedelta:
        return (lambda d: [d.days, d.seconds, d.microseconds]), (lambda v: timedelta(*v))
    if hint is UUID:
        return (lambda u: u.hex), UUID
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_codec(hint)
    if isinstance(hint, type) and issubclass(hint, BaseModel):  # the incident's policy
        return (lambda m: m.model_dump(mode="json")), hint.model_validate
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        if all(a in (str, int, bool, float) for a in real):
            return None, None  # a field's value: JSON keeps which of them it is
        if len(real) != 1:
            raise TypeError(f"no checkpoint codec for {hint!r}")
        some_enc, some_dec = _codec(real[0])
        if some_enc is None and some_dec is None:
            return None, None
        return (
            (lambda v: None if v is None else some_enc(v)) if some_enc else None,
            (lambda v: None if v is None else some_dec(v)) if some_dec else None,
        )
    if origin is list:
        item_enc, item_dec = _codec(args[0])
        return (
            (lambda v: [item_enc(x) for x in v]) if item_enc else list,
            (lambda v: [item_dec(x) for x in v]) if item_dec else list,
        )
    if origin is set and args[0] is str:
        return sorted, set  # sorted: the same state always encodes to the same bytes
    if origin is tuple:
        codecs = [_codec(a) for a in args]
        return (
            lambda v: [e(x) if e else x for (e, _), x in zip(codecs, v)],
            lambda v: tuple(d(x) if d else x for (_, d), x in zip(codecs, v)),
        )
    if origin is dict and args[0] is str:
        value_enc, value_dec = _codec(args[1])
        return (
            (lambda v: {k: value_enc(x) for k, x in v.items()}) if value_enc else dict,
            (lambda v: {k: value_dec(x) for k, x in v.items()}) if value_dec else dict,
        )
    raise TypeError(f"no checkpoint codec for {hint!r}")


@functools.cache  # the codecs and the fingerprint both walk every class: evaluate its annotations once
def _hints(cls: type) -> list[tuple[str, object]]:
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]


def _dataclass_codec(cls: type) -> Codec:
    """A dataclass as the list of its field values, in field order (compact, and fast to build)."""
    codecs = [_codec(hint) for _, hint in _hints(cls)]
    names = [name for name, _ in _hints(cls)]

    def encode(obj: object) -> list[Any]:
        return [e(getattr(obj, n)) if e else getattr(obj, n) for n, (e, _) in zip(names, codecs)]

    def decode(values: object) -> object:
        if not isinstance(values, list) or len(values) != len(codecs):
            raise BadCheckpoint(f"{cls.__name__}: expected {len(codecs)} fields")
        return cls(*[d(x) if d else x for (_, d), x in zip(codecs, values)])

    return encode, decode


def _is_list_of_dataclasses(hint: object) -> bool:
    return typing.get_origin(hint) is list and dataclasses.is_dataclass(typing.get_args(hint)[0])


# The lists that grow with the log are lazy; everything else is decoded at once.
_LAZY_LISTS = [(name, _codec(typing.get_args(hint)[0])) for name, hint in _hints(IncidentState) if _is_list_of_dataclasses(hint)]
_STATE_FIELDS = [
    (name, _codec(hint))
    for name, hint in _hints(IncidentState)
    if not _is_list_of_dataclasses(hint)
]


def _shape(cls: type, seen: dict[str, object]) -> None:
    if cls.__qualname__ in seen:
        return
    fields = _hints(cls)
    seen[cls.__qualname__] = [(name, repr(hint)) for name, hint in fields]
    for _, hint in fields:
        for part in (hint, *typing.get_args(hint), *(a for b in typing.get_args(hint) for a in typing.get_args(b))):
            if isinstance(part, type) and dataclasses.is_dataclass(part):
                _shape(part, seen)


def domain_sources() -> list[Path]:
    """Every source file of the domain, the events package's included: any of them can change
    what a fold makes of a log."""
    return sorted(Path(__file__).parent.rglob("*.py"))


def _fingerprint() -> str:
    """Changes whenever the state's shape or the domain code that folds it changes."""
    digest = hashlib.sha256(FORMAT.encode())
    shapes: dict[str, object] = {}
    _shape(IncidentState, shapes)
    digest.update(repr(sorted(shapes.items())).encode())
    domain = Path(__file__).parent
    for path in domain_sources():
        try:
            digest.update(path.relative_to(domain).as_posix().encode() + path.read_bytes())
        except OSError:  # shipped without sources: the shape alone has to do
            pass
    return digest.hexdigest()[:32]


FINGERPRINT = _fingerprint()


# --- the lazy parts -----------------------------------------------------------------------


class LazyList(Sequence[T]):
    """A list of dataclasses loaded from a checkpoint (``state.timeline``, ``state.broadcasts``...):
    items are decoded when read.

    An item once read by index is kept, so it stays the same object (the fold ends a span
    or stars an entry in place, always through ``[-1]`` or an index); iterating or slicing
    decodes items never read without keeping them, so memory stays flat. New items are appended as objects. Equal to any
    sequence with equal items.
    """

    __slots__ = ("_codec", "_raw", "_offsets", "_first", "_count", "_read", "_tail")

    def __init__(self, codec: Codec, raw: memoryview, offsets: Sequence[int], first: int, count: int):
        self._codec = codec
        self._raw = raw
        self._offsets = offsets
        self._first = first
        self._count = count
        self._read: dict[int, T] = {}
        self._tail: list[T] = []

    def __len__(self) -> int:
        return self._count + len(self._tail)

    def _line(self, index: int) -> memoryview:
        at = self._first + index
        return self._raw[self._offsets[at] : self._offsets[at + 1]]

    def _decode(self, index: int) -> T:
        decode = self._codec[1]
        assert decode is not None  # a list of dataclasses: its items always have a decoder
        try:
            item: T = decode(json.loads(bytes(self._line(index))))
        except (ValueError, TypeError) as error:
            raise BadCheckpoint(f"item {index}: {error}") from None
        return item

    def _at(self, index: int) -> T:
        if index >= self._count:
            return self._tail[index - self._count]
        item = self._read.get(index)
        if item is None:
            item = self._read[index] = self._decode(index)
        return item

    def _peek(self, index: int) -> T:
        """Like ``_at``, but an item not read before is decoded without being kept."""
        if index >= self._count:
            return self._tail[index - self._count]
        item = self._read.get(index)
        return item if item is not None else self._decode(index)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):  # a view of many (a catch-up, an export): nothing kept
            return [self._peek(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("list index out of range")
        return self._at(index)

    def __iter__(self) -> Iterator[T]:
        for index in range(len(self)):
            yield self._peek(index)

    def append(self, item: T) -> None:
        self._tail.append(item)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))


    def __repr__(self) -> str:
        return f"LazyList({len(self)} items)"

    def encoded_lines(self) -> Iterator[bytes | memoryview]:
        """Each item as one JSON line, reusing the stored bytes of items never touched."""
        encode = self._codec[0]
        assert encode is not None  # a list of dataclasses: its items always have an encoder
        for index in range(self._count):
            item = self._read.get(index)
            yield self._line(index) if item is None else _dump(encode(item)) + b"\n"
        for item in self._tail:
            yield _dump(encode(item)) + b"\n"


class EventIds:
    """The ids of the events a checkpoint folded, for the file store to refuse a second event
    with one of them (a retry of one, or a line repeating one): a sorted block, never a set.

    The block is the ids' first 8 bytes as sorted little-endian integers (searched by
    ``bisect`` in C, no Python call per step), then their last 8 bytes in the same order.
    """

    __slots__ = ("_prefixes", "_suffixes")

    def __init__(self, block: bytes = b""):
        half = len(block) // 2
        self._prefixes = array("Q")
        self._prefixes.frombytes(block[:half])
        if sys.byteorder != "little":
            self._prefixes.byteswap()
        self._suffixes = block[half:]

    def __contains__(self, event_id: object) -> bool:
        if not isinstance(event_id, UUID):
            return False
        raw = event_id.bytes
        prefix, suffix = int.from_bytes(raw[:8], "little"), raw[8:]
        index = bisect.bisect_left(self._prefixes, prefix)
        while index < len(self._prefixes) and self._prefixes[index] == prefix:
            if self._suffixes[index * 8 : index * 8 + 8] == suffix:
                return True
            index += 1
        return False

    def __len__(self) -> int:
        return len(self._prefixes)

    def __iter__(self) -> Iterator[UUID]:
        for index, prefix in enumerate(self._prefixes):
            yield UUID(bytes=prefix.to_bytes(8, "little") + self._suffixes[index * 8 : index * 8 + 8])

    def __repr__(self) -> str:
        return f"EventIds({len(self)} ids)"


# --- encode / decode --------------------------------------------------------------------


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _id_block(event_ids: Iterable[UUID]) -> bytes:
    pairs = sorted((int.from_bytes(raw[:8], "little"), raw[8:]) for raw in (event_id.bytes for event_id in event_ids))
    prefixes = array("Q", [prefix for prefix, _ in pairs])
    if sys.byteorder != "little":
        prefixes.byteswap()
    return prefixes.tobytes() + b"".join(suffix for _, suffix in pairs)


def encode(state: IncidentState, meta: dict[str, Any] | None = None, event_ids: Iterable[UUID] = ()) -> Iterable[bytes | memoryview]:
    """``state`` as checkpoint bytes (in chunks, to be written as they come); ``meta`` is the
    store's own record of what the checkpoint covers (e.g. the log's byte offset and digest);
    ``event_ids`` the ids of the events folded into it, for a store that refuses a second
    event with one of them (the file store: the fold itself keeps no ids)."""
    fields = [enc(getattr(state, name)) if enc else getattr(state, name) for name, (enc, _) in _STATE_FIELDS]
    ids = _id_block(event_ids)
    lines: list[bytes | memoryview] = []
    counts = []
    for name, (item_encode, _) in _LAZY_LISTS:
        items = getattr(state, name)
        before = len(lines)
        if isinstance(items, LazyList):
            lines.extend(items.encoded_lines())
        else:
            assert item_encode is not None  # a list of dataclasses
            lines.extend(_dump(item_encode(item)) + b"\n" for item in items)
        counts.append(len(lines) - before)
    offsets = array("Q", [0])
    total = 0
    for line in lines:
        total += len(line)
        offsets.append(total)
    if sys.byteorder != "little":
        offsets.byteswap()
    packed = offsets.tobytes()
    body = [_dump([fields, counts]) + b"\n", ids, packed, *lines]
    crc = 0
    for chunk in body:
        crc = zlib.crc32(chunk, crc)
    header = {
        "format": FORMAT,
        "fingerprint": FINGERPRINT,
        "seq": state.seq,
        "crc32": crc,
        "ids": len(ids),
        "offsets": len(packed),
        "meta": meta or {},
    }
    yield _dump(header) + b"\n"
    yield from body


def read_header(data: bytes) -> dict[str, Any]:
    """The header of checkpoint ``data`` (cheap: the first line only); raises ``BadCheckpoint``."""
    end = data.find(b"\n")
    try:
        header = json.loads(data[:end])
    except ValueError:
        raise BadCheckpoint("unreadable header") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BadCheckpoint("not a warroom checkpoint")
    if header.get("fingerprint") != FINGERPRINT:
        raise BadCheckpoint("made by other warroom code")
    if not all(isinstance(header.get(key), int) for key in ("seq", "crc32", "ids", "offsets")) or not isinstance(header.get("meta"), dict):
        raise BadCheckpoint("damaged header")
    return header


def decode_ids(data: bytes) -> EventIds:
    """Only the ids of the events folded into checkpoint ``data`` (already checked by ``decode``)."""
    header = read_header(data)
    start = data.index(b"\n", data.index(b"\n") + 1) + 1
    return EventIds(data[start : start + header["ids"]])


def decode(data: bytes) -> IncidentState:
    """The state in checkpoint ``data``; raises ``BadCheckpoint`` for anything it cannot trust."""
    header = read_header(data)
    first = data.find(b"\n")
    if zlib.crc32(memoryview(data)[first + 1 :]) != header["crc32"]:
        raise BadCheckpoint("damaged: its checksum does not match")
    try:
        second = data.index(b"\n", first + 1)
        values, counts = json.loads(data[first + 1 : second])
        ids_end = second + 1 + header["ids"]
        ids = data[second + 1 : ids_end]
        offsets = array("Q")
        offsets.frombytes(data[ids_end : ids_end + header["offsets"]])
    except (ValueError, TypeError) as error:
        raise BadCheckpoint(f"damaged: {error}") from None
    if sys.byteorder != "little":
        offsets.byteswap()
    raw = memoryview(data)[ids_end + header["offsets"] :]  # shared by every state decoded from ``data``, never copied
    if (
        not isinstance(values, list)
        or len(values) != len(_STATE_FIELDS)
        or not isinstance(counts, list)
        or len(counts) != len(_LAZY_LISTS)
        or not all(isinstance(count, int) and count >= 0 for count in counts)
        or sum(counts) + 1 != len(offsets)
        or len(ids) % _ID_SIZE
        or not offsets
        or offsets[0] != 0
        or offsets[-1] != len(raw)
    ):
        raise BadCheckpoint("damaged body")
    try:
        fields = {name: dec(value) if dec else value for (name, (_, dec)), value in zip(_STATE_FIELDS, values)}
        first_line = 0
        for (name, codec), count in zip(_LAZY_LISTS, counts):
            fields[name] = LazyList(codec, raw, offsets, first_line, count)
            first_line += count
        state = IncidentState(**fields)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise BadCheckpoint(f"damaged state: {error}") from None
    if state.seq != header["seq"] or len(state.timeline) and state.timeline[-1].seq != state.seq:
        raise BadCheckpoint("its seq does not match its state")
    return state


# --- the parts of a state, for keyframes kept in memory (``keyframes.History``) ---------------


def encode_fields(state: IncidentState) -> list[Any]:
    """The small parts of ``state`` (everything but the growing lists and the ids), encoded:
    a value that shares nothing mutable with ``state``."""
    return [enc(getattr(state, name)) if enc else getattr(state, name) for name, (enc, _) in _STATE_FIELDS]


GROWING_LISTS = tuple(name for name, _ in _LAZY_LISTS)
"""The names of the lists that grow with the log (timeline, broadcasts...), in a fixed order."""


def growing_lists(state: IncidentState) -> list[list[Any]]:
    """``state``'s growing lists, in ``GROWING_LISTS`` order."""
    return [getattr(state, name) for name in GROWING_LISTS]


def decode_fields(fields: list[Any], lists: list[list[Any]]) -> IncidentState:
    """A state from ``encode_fields`` output and the growing lists (in ``growing_lists`` order)."""
    values = {name: dec(value) if dec else value for (name, (_, dec)), value in zip(_STATE_FIELDS, fields)}
    values.update({name: items for (name, _), items in zip(_LAZY_LISTS, lists)})
    return IncidentState(**values)
