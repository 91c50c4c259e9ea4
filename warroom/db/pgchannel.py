"""What one server's commit tells the other servers on the database: its NOTIFY payloads.

Every append transaction ends with ``NOTIFY warroom_events, 'INCIDENT HEAD'`` for each
incident it moved: the other servers then read the rows they lack before their hubs
can publish them. That read is one query per commit on every other server, so the
commit's events also travel in the notification itself, when they fit, on a second
channel (``CARRIED``): ``'INCIDENT FIRST'``, a newline, and the events' JSON one per line
(``seq`` FIRST, FIRST+1, ...; a stored event's JSON never holds a raw newline). A
listener publishes those without a query.

Why a second channel and not a richer payload on the first: servers of an older
version, on the same database during a rolling upgrade, parse every ``warroom_events``
payload as ``'INCIDENT SEQ'`` (``payload.rpartition(" ")``) and would take anything else
for a broken connection. So the plain notice is still sent on ``warroom_events``, last
(PostgreSQL delivers one transaction's notifications in the order sent, and
transactions' in commit order): it is what older servers act on, and what a newer one
falls back to (a read) for whatever the carried notices did not cover -- events too
large for a payload, or a notice lost while its LISTEN connection was down.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pgschema import CHANNEL

CARRIED = "warroom_events_carried"
PAYLOAD_LIMIT = 8000
"""PostgreSQL refuses a NOTIFY payload of this many bytes or more (its default build)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification as a listener reads it: the incident, and its events up to ``head``
    (``events``: those carried, ``(seq, json)`` in seq order; empty for a plain notice)."""

    incident: str
    head: int
    events: tuple[tuple[int, str], ...] = ()


def notices(incident: str, rows: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """The ``(channel, payload)`` pairs for a commit of ``rows`` (``(seq, json)``, in seq
    order, consecutive) to ``incident``: as many carried notices as the events fill, in
    order, until one event alone is too large for a payload; then the plain notice."""
    sent: list[tuple[str, str]] = []
    at = 0
    while at < len(rows):
        header = f"{incident} {rows[at][0]}"
        size = len(header.encode())
        texts: list[str] = []
        for _seq, text in rows[at:]:
            grown = size + 1 + len(text.encode())
            if grown >= PAYLOAD_LIMIT:
                break
            texts.append(text)
            size = grown
        if not texts:
            break  # this event does not fit on its own: the plain notice sends readers to the table
        sent.append((CARRIED, "\n".join([header, *texts])))
        at += len(texts)
    sent.append((CHANNEL, f"{incident} {rows[-1][0]}"))
    return sent


def read(channel: str, payload: str) -> Notice:
    """A notification's meaning; ``ValueError`` if it is not one we send."""
    if channel == CARRIED:
        header, _, body = payload.partition("\n")
        incident, _, first = header.rpartition(" ")
        texts = body.split("\n")  # only "\n": a stored event's JSON may hold U+2028 and the like, unescaped
        start = int(first)
        return Notice(incident, start + len(texts) - 1, tuple(zip(range(start, start + len(texts)), texts, strict=True)))
    incident, _, seq = payload.rpartition(" ")
    return Notice(incident, int(seq))


_CARRIED_BYTES = CARRIED.encode()


def reach(channel: bytes, payload: bytes, encoding: str) -> tuple[str, int]:
    """A notification's incident and the seq it reaches (``read``'s ``incident`` and ``head``),
    from its raw bytes without decoding or splitting the events: enough to drop one a listener
    has had (each server is sent its own commits' notices too). ``ValueError`` as ``read``."""
    if channel == _CARRIED_BYTES:
        header, _, _ = payload.partition(b"\n")
        incident, _, first = header.rpartition(b" ")
        return incident.decode(encoding), int(first) + payload.count(b"\n") - 1
    incident, _, seq = payload.rpartition(b" ")
    return incident.decode(encoding), int(seq)
