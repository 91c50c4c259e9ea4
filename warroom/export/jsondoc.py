"""The lossless export: every stored event with its envelope, in a versioned document.

An incident *is* its event log, so the JSON export carries the log itself
(``events``: each ``StoredEvent`` exactly as stored, ``seq``/``id``/``at``/``actor``
included) plus, for readers who do not want to fold, the state it folds to
(``state``: the shape of ``warroom show --json``) and a short ``incident`` summary.
``warroom import`` restores the log from ``events`` alone; folding it again gives
the same state, which is how a restored incident shows exactly what the original did.

    {"format": "warroom-incident", "version": 1,
     "incident": {...}, "events": [...], "state": {...}}

``version`` changes only when a reader of version 1 could no longer read the
document correctly; new optional keys do not change it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from warroom.incident import IncidentState, StoredEvent, fold
from warroom.incident.events import IncidentDeclared
from warroom.safetext import json_safe
from warroom.words import validation_problem

from .errors import DocumentError, ImportNotSupported

if TYPE_CHECKING:
    from warroom.store import EventStore
from .text import iso

FORMAT = "warroom-incident"
VERSION = 1


def incident_summary(state: IncidentState, events: Sequence[StoredEvent]) -> dict[str, Any]:
    """The few facts a person (or an index of exports) wants without reading the log."""
    return {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "status": state.status,
        "drill": state.drill,
        "closed": state.closed,
        "commander": state.commander,
        "declared_at": iso(state.declared_at) or None,
        "closed_at": iso(state.closed_at) or None,
        "key_times": {k: iso(v) for k, v in sorted(state.key_times.items())},
        "events": len(events),
        "last_seq": state.seq,
    }


def document(state: IncidentState, events: Sequence[StoredEvent]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "incident": incident_summary(state, events),
        "events": [event.model_dump(mode="json") for event in events],
        "state": state.summary_dict(),
    }


def render_json(state: IncidentState, events: Sequence[StoredEvent]) -> str:
    """The JSON document for ``state``, the fold of ``events`` (UTF-8 text, not ASCII-escaped, except
    the characters a terminal would act on: bidi overrides and C1 controls as ``\\u202e``, so
    ``cat`` on the file is safe and the data is unchanged)."""
    return json_safe(json.dumps(document(state, events), indent=2, ensure_ascii=False)) + "\n"


# --- reading it back -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentDocument:
    """A validated export: the incident's id and its log, ready to import."""

    incident_id: str
    events: list[StoredEvent]
    state: dict[str, Any] | None = None
    version: int = VERSION


def parse_document(data: str | bytes, source: str = "the document") -> IncidentDocument:
    """Parse and validate an export; raises ``DocumentError`` with a one-line reason."""
    try:
        raw = json.loads(data)
    except UnicodeDecodeError:
        raise DocumentError(f"{source} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"{source} is not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"
        ) from None
    return document_from_dict(raw, source)


def document_from_dict(raw: Any, source: str = "the document") -> IncidentDocument:
    """Validate an already-parsed export (see ``parse_document``)."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise DocumentError(f'{source} is not a warroom incident export (no "format": "{FORMAT}")')
    version = raw.get("version")
    if type(version) is not int:
        raise DocumentError(f'{source} has no valid "version" (expected {VERSION})')
    if version != VERSION:
        newer = " (made by a newer warroom: upgrade to import it)" if version > VERSION else ""
        raise DocumentError(f"{source} is export version {version}; this warroom reads version {VERSION}{newer}")
    items = raw.get("events")
    if not isinstance(items, list) or not items:
        raise DocumentError(f'{source} has no "events" to import')
    events: list[StoredEvent] = []
    for number, item in enumerate(items, start=1):
        try:
            events.append(StoredEvent.model_validate(item))
        except ValidationError as error:
            problem = validation_problem(error, default="event", drop_indexes=False)
            raise DocumentError(f"{source}: event {number} is not valid ({problem})") from None
    first_body = events[0].body
    if not isinstance(first_body, IncidentDeclared):
        raise DocumentError(f"{source}: the first event must declare the incident, not {first_body.type}")
    incident_id = first_body.incident_id
    last_seq = 0
    seen = set()
    for event in events:
        if event.seq <= last_seq:
            raise DocumentError(f"{source}: event seq {event.seq} comes after seq {last_seq} (events out of order)")
        if event.seq != last_seq + 1:  # a log numbers its events 1, 2, 3 ... with no gaps
            missing = f"seq {last_seq + 1}" if event.seq == last_seq + 2 else f"seqs {last_seq + 1}-{event.seq - 1}"
            where = "starts at seq {event.seq}, not 1" if not last_seq else f"jumps from seq {last_seq} to {event.seq}"
            raise DocumentError(f"{source} {where.format(event=event)} ({missing} missing): a log has no gaps")
        if event.id in seen:
            raise DocumentError(f"{source}: event id {event.id} appears twice")
        last_seq = event.seq
        seen.add(event.id)
    incident = raw.get("incident")
    if isinstance(incident, dict) and incident.get("id") not in (None, incident_id):
        raise DocumentError(f"{source} says it is {incident.get('id')!r} but its events declare {incident_id}")
    state = raw.get("state")
    return IncidentDocument(incident_id=incident_id, events=events, state=state if isinstance(state, dict) else None)


def consistency_warnings(doc: IncidentDocument) -> list[str]:
    """Notes for the importer when the document's ``state`` is not what its events fold to.

    Not an error: the events are the incident, and a document written by another
    warroom version may describe the same log with a slightly different summary.
    """
    if doc.state is None:
        return []
    folded = json.loads(json.dumps(fold(doc.events).summary_dict()))
    if folded == doc.state:
        return []
    differing = sorted(key for key in set(folded) | set(doc.state) if folded.get(key) != doc.state.get(key))
    return [
        f"the document's state differs from what its events fold to ({', '.join(differing)}); "
        "the events are imported and the state is rebuilt from them"
    ]


@dataclass(frozen=True, slots=True)
class ImportResult:
    incident_id: str
    events: int
    location: str
    warnings: tuple[str, ...] = ()


async def import_document(store: EventStore, doc: IncidentDocument | dict, replace: bool = False) -> ImportResult:
    """Restore an exported incident into ``store``, keeping every event's envelope.

    The store must be able to take a whole log with its original ``seq``, ``id`` and
    ``at`` (``EventStore.import_events``): appending events one by one would re-stamp them
    with the store's clock and the restored incident would no longer be the exported one.
    A store that cannot raises ``ImportNotSupported``.
    """
    if not isinstance(doc, IncidentDocument):
        doc = document_from_dict(doc)
    warnings = tuple(consistency_warnings(doc))
    try:
        done = await asyncio.to_thread(store.import_events, doc.incident_id, doc.events, replace=replace)
        if inspect.isawaitable(done):  # a store whose import is itself asynchronous
            await done
    except NotImplementedError:
        raise ImportNotSupported(
            f"importing into {store.location} is not supported yet: import into a shared folder with --store DIR"
        ) from None
    return ImportResult(
        incident_id=doc.incident_id,
        events=len(doc.events),
        location=str(store.location),
        warnings=warnings,
    )
