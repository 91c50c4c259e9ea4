"""The one interface every place an incident can live in implements.

The board, the CLI and the exports talk only to ``EventStore``; whether the log is a
JSON-lines file on a share or a server across the network is a setting. The store
is the authority: it validates a draft against the rules on fresh state, assigns the
next ``seq`` and its own clock's ``at``, and refuses with a ``Rejected`` carrying the
rule's reason. A draft whose ``id`` is already stored returns the original event, so
a client may always retry -- but only a true retry (same actor, same body): the same
id on a different action is refused (``IdClash``), never answered with someone
else's event while the new action is silently dropped.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from warroom.errors import WarroomError
from warroom.incident import EventDraft, IncidentState, StoredEvent, fold
from warroom.incident.events import IncidentLinked, canonical_incident_id, valid_incident_id
from warroom.incident.lifecycle import INVERSE_KIND


def default_warning(message: str) -> None:
    """Where a store says something is off but carries on (a skipped line, a retry)."""
    logging.getLogger("warroom.store").warning(message)


class StoreError(WarroomError):
    """Anything a store refuses or cannot do; the message is meant for a human."""


class Rejected(StoreError):
    """A rule refused the action; ``reason`` says why, in words a responder can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class IdClash(Rejected):
    """The draft reuses the id of a stored event that is a different action (another actor or body)."""


def retry_of(original: StoredEvent, draft: EventDraft) -> StoredEvent:
    """``original`` if ``draft`` (same id) is a retry of it; else raise ``IdClash``.

    Every store calls this where it finds an id already stored, so they all agree."""
    if original.actor == draft.actor and original.body == draft.body:
        return original
    raise IdClash(
        f"event id {draft.id} is already used by #{original.seq} ({original.actor}, {original.type}); "
        "a retry must repeat the same action -- send a new action with a new id"
    )


class UnknownIncident(StoreError):
    def __init__(self, incident_id: str):
        super().__init__(f"no incident {incident_id} (see `warroom list`)")
        self.incident_id = incident_id


class InvalidIncidentId(StoreError):
    def __init__(self, incident_id: str):
        super().__init__(f"bad incident id {incident_id!r}: use letters, digits, '-' and '_' (e.g. INC-42)")
        self.incident_id = incident_id


class LogReplaced(StoreError):
    """The log under a follower was replaced (``warroom import --replace``): re-read it from the top."""

    def __init__(self, incident_id: str):
        super().__init__(f"the log of {incident_id} was replaced; reloaded")
        self.incident_id = incident_id


class StoreUnavailable(StoreError):
    """The store cannot be reached right now (server down, share unmounted); retry later."""


class Queued(StoreUnavailable):
    """The store is unreachable; the draft is queued and will be delivered on reconnect."""

    def __init__(self, incident_id: str, draft: EventDraft, pending: int):
        waiting = f" ({pending} waiting)" if pending > 1 else ""
        super().__init__(f"the server is unreachable: queued{waiting}, it will be sent when the server is back")
        self.incident_id = incident_id
        self.draft = draft
        self.pending = pending


def checked_incident_id(incident_id: str) -> str:
    """``incident_id`` in its canonical (upper-case) form if it is safe to use as a file name or
    URL segment, else raise. Every store and client calls this first, so any case finds the incident."""
    if not isinstance(incident_id, str) or not valid_incident_id(incident_id):
        raise InvalidIncidentId(str(incident_id))
    return canonical_incident_id(incident_id)


@dataclass(frozen=True, slots=True)
class IncidentLink:
    """Another incident this one is linked to, and how (seen from this one: caused-by, causes ...)."""

    incident: str
    kind: str


@dataclass(frozen=True, slots=True)
class Present:
    """Someone on shift (or on a break) in an incident, and since when: what another
    incident's board needs to say "also on INC-41" and to count fatigue across incidents."""

    handle: str
    shift: str
    since: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"handle": self.handle, "shift": self.shift, "since": _iso(self.since)}


@dataclass(frozen=True, slots=True)
class PublicSummary:
    """What the status page's index shows of a published incident: its public title and
    summary, the components it affects, when it went public and when it closed."""

    title: str
    summary: str
    published_at: datetime
    closed_at: datetime | None
    components: tuple[tuple[str, str], ...] = ()
    updated_at: datetime | None = None
    """The last change the public saw (an update, a status, a component ...)."""

    @classmethod
    def of(cls, state: IncidentState) -> PublicSummary | None:
        if state.published_at is None:
            return None
        from warroom.incident.public import public_view  # not at import: only the status page's index reads it

        view = public_view(state)
        return cls(
            view.title, view.summary, state.published_at, state.closed_at, view.components, view.last_updated
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "summary": self.summary,
            "published_at": _iso(self.published_at),
            "closed_at": _iso(self.closed_at),
            "components": [[name, impact] for name, impact in self.components],
            "updated_at": _iso(self.updated_at),
        }

    @classmethod
    def from_dict(cls, item: dict[str, Any] | None) -> PublicSummary | None:
        if not item or not (published_at := _time(item.get("published_at"))):
            return None
        components = tuple((str(name), str(impact)) for name, impact in item.get("components", ()))
        return cls(
            item["title"], item.get("summary", ""), published_at, _time(item.get("closed_at")), components, _time(item.get("updated_at"))
        )


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    id: str
    title: str
    severity: int
    status: str
    closed: bool
    commander: str | None
    seq: int
    declared_at: datetime | None
    drill: bool = False
    links: tuple[IncidentLink, ...] = ()
    """So a list of incidents (the lobby) can group linked ones without reading every log."""
    # What the lobby shows of an incident without folding it (all fixed by the log, so a
    # summary changes only when its seq does): who is present, work nobody has or that is
    # stuck, when stakeholders are owed an update, and the incident's fatigue thresholds.
    started_at: datetime | None = None
    present: tuple[Present, ...] = ()
    unowned: int = 0
    blocked: int = 0
    update_due: datetime | None = None
    fatigue_warn_hours: float = 4.0
    fatigue_limit_hours: float = 8.0
    action_due: tuple[date, ...] = ()
    """Due dates of the open action items that have one (the lobby counts those past today)."""
    public: PublicSummary | None = None
    """``None`` until the incident is published: the status page does not list it."""

    @classmethod
    def of(cls, state: IncidentState) -> IncidentSummary:
        working = [ws for ws in state.workstreams.values() if ws.status != "done"]
        return cls(
            id=state.id,
            title=state.title,
            severity=state.severity,
            status=state.status,
            closed=state.closed,
            commander=state.commander,
            seq=state.seq,
            declared_at=state.declared_at,
            drill=state.drill,
            links=tuple(IncidentLink(link.incident, link.kind) for link in state.links),
            started_at=state.key_times.get("started") or state.declared_at,
            present=tuple(
                Present(r.handle, r.shift, r.shift_started_at) for r in state.responders.values() if r.shift != "off"
            ),
            unowned=sum(1 for ws in working if ws.owner is None),
            blocked=sum(1 for ws in working if ws.status == "blocked"),
            update_due=state.next_update_due(),
            fatigue_warn_hours=state.policy.fatigue_warn_hours,
            fatigue_limit_hours=state.policy.fatigue_limit_hours,
            action_due=tuple(sorted(item.due for item in state.action_items if item.is_open and item.due is not None)),
            public=PublicSummary.of(state),
        )

    def overdue_actions(self, today: date) -> int:
        return sum(1 for due in self.action_due if due < today)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "closed": self.closed,
            "commander": self.commander,
            "seq": self.seq,
            "declared_at": _iso(self.declared_at),
            "drill": self.drill,
            "links": [{"incident": link.incident, "kind": link.kind} for link in self.links],
            "started_at": _iso(self.started_at),
            "present": [p.as_dict() for p in self.present],
            "unowned": self.unowned,
            "blocked": self.blocked,
            "update_due": _iso(self.update_due),
            "fatigue_warn_hours": self.fatigue_warn_hours,
            "fatigue_limit_hours": self.fatigue_limit_hours,
            "action_due": [due.isoformat() for due in self.action_due],
            "public": self.public.as_dict() if self.public else None,
        }

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> IncidentSummary:
        """The inverse of ``as_dict`` (what a server sends); fields it lacks keep their defaults."""
        return cls(
            id=item["id"],
            title=item["title"],
            severity=item["severity"],
            status=item["status"],
            closed=item["closed"],
            commander=item.get("commander"),
            seq=item["seq"],
            declared_at=_time(item.get("declared_at")),
            drill=item.get("drill", False),
            links=tuple(IncidentLink(link["incident"], link["kind"]) for link in item.get("links", ())),
            started_at=_time(item.get("started_at")),
            present=tuple(Present(p["handle"], p["shift"], _time(p.get("since"))) for p in item.get("present", ())),
            unowned=item.get("unowned", 0),
            blocked=item.get("blocked", 0),
            update_due=_time(item.get("update_due")),
            fatigue_warn_hours=item.get("fatigue_warn_hours", 4.0),
            fatigue_limit_hours=item.get("fatigue_limit_hours", 8.0),
            action_due=tuple(date.fromisoformat(due) for due in item.get("action_due", ())),
            public=PublicSummary.from_dict(item.get("public")),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


@dataclass(frozen=True, slots=True)
class IncidentChanges:
    """What ``watch_incidents`` yields: summaries that are new or changed, and incidents gone."""

    summaries: list[IncidentSummary]
    gone: list[str] = field(default_factory=list)
    complete: bool = False
    """``summaries`` is every incident there is: a fresh start (forget what you had)."""


class EventStore(ABC):
    """Append-only, per-incident event logs with live following."""

    @abstractmethod
    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        """Validate and store ``draft``; return it with its ``seq`` and ``at``.

        Raises ``Rejected`` (a rule said no), ``UnknownIncident`` (nothing declared under
        that id; declaring is the one append that creates an incident), ``InvalidIncidentId``.
        """

    @abstractmethod
    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        """The stored events with ``seq > after``, in order."""

    @abstractmethod
    def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """Every event with ``seq > after``, then each new one as it is stored, forever."""

    @abstractmethod
    async def incidents(self) -> list[IncidentSummary]:
        """Every incident in this store, newest first."""

    async def watch_incidents(self, every: float = 2.0) -> AsyncIterator[IncidentChanges]:
        """Every incident's summary (``complete``), then the ones that change, as they change, forever.

        This default asks ``incidents()`` every ``every`` seconds; the file store watches its
        folder with one watcher and the HTTP store holds one stream for the whole list."""
        known: dict[str, int] = {}
        first = True
        while True:
            found = await self.incidents()
            fresh = found if first else [s for s in found if known.get(s.id) != s.seq]
            gone = [incident_id for incident_id in known if incident_id not in {s.id for s in found}]
            if first or fresh or gone:
                yield IncidentChanges(fresh, gone, complete=first)
            known = {s.id: s.seq for s in found}
            first = False
            await asyncio.sleep(every)

    def log_epoch(self, incident_id: str) -> int:
        """How many times this store has seen the incident's log replaced under it.

        A reader that sees the number change re-reads from the top instead of mixing
        two logs. Stores whose logs are never replaced keep the default, 0.
        """
        return 0

    async def load_state(self, incident_id: str) -> IncidentState:
        """The incident's state now, for a reader that is about to follow it.

        Stores that keep a checkpoint (file) or serve the state (HTTP) override this so a
        reader folds only the events after it; the answer is the same as folding them all.
        """
        return fold(await self.read(incident_id))

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""

    # --- abilities only some stores have, declared here so nobody probes for them ------

    queue_offline: bool = False
    """Queue appends while the store is unreachable and deliver them when it is back
    (``Queued`` is raised meanwhile). Only a store that can be unreachable (a server) does."""

    async def whoami(self) -> str | None:
        """Who this store lets act, when the store decides (a server: the token's owner);
        ``None`` when the caller says who acts (a folder)."""
        return None

    def on_status(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        """Call ``callback(online)`` whenever the store goes away or comes back; returns an
        unsubscribe. A store that is never away (a folder) never calls it."""
        return _nothing

    def on_refused(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call ``callback(late_refusal)`` when a queued append is refused on delivery."""
        return _nothing

    def import_events(self, incident_id: str, events: Sequence[StoredEvent], *, replace: bool = False) -> Any:
        """Write a whole log at once, keeping every event's ``seq``, ``id`` and ``at`` (``warroom
        import``); refuses to overwrite an incident unless ``replace``. Blocking: callers run it
        off the event loop. Raises ``NotImplementedError`` where the store cannot (yet)."""
        raise NotImplementedError(f"{type(self).__name__} cannot import a log")

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the logs live, for humans (a folder or a URL)."""

    async def __aenter__(self) -> EventStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def mirror_refusal(
    load_state: Callable[[str], Awaitable[IncidentState]], incident_id: str, draft: EventDraft
) -> str | None:
    """The authority's check of a link's second half, which no rule over one log can make:
    a ``mirror`` link is stored only when the other incident's log already holds the first half.
    Links are never removed, so checking outside the append's lock cannot go stale."""
    body = draft.body
    if not isinstance(body, IncidentLinked) or not body.mirror:
        return None
    try:
        other = await load_state(body.incident)
    except UnknownIncident:
        return f"there is no incident {body.incident} to link to"
    link = other.link_to(checked_incident_id(incident_id))
    if link is None or link.kind != INVERSE_KIND[body.kind]:
        return f"{body.incident} holds no link to {incident_id} to mirror: link them from the incident you command"
    return None


def _nothing() -> None:
    return None


class ListsIncidents(Protocol):
    """Anything that lists incidents: every store, and the alert intake's view of the server's log."""

    async def incidents(self) -> list[IncidentSummary]: ...


class Declares(ListsIncidents, Protocol):
    """What declaring under the next free id needs of a store (any ``EventStore``, or the
    server's own log as its chat commands see it)."""

    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent: ...


async def next_free_id(store: ListsIncidents, bump: int = 0) -> str:
    """``INC-n`` one past the highest ``INC-`` number in the store (``bump`` skips ahead after a race)."""
    numbers = [int(s.id[4:]) for s in await store.incidents() if s.id.startswith("INC-") and s.id[4:].isdigit()]
    return f"INC-{max(numbers, default=0) + 1 + bump}"


async def declare_next(store: Declares, actor: str, body_for: Callable[[str], Any], explicit: str | None = None) -> str:
    """Declare under ``explicit``, or the next free ``INC-n`` (taking the one after if someone
    declared it a moment ago); ``body_for(incident_id)`` makes the ``IncidentDeclared``. Returns the id."""
    for attempt in range(20):
        incident_id = explicit or await next_free_id(store, bump=attempt)
        try:
            await store.append(incident_id, EventDraft(actor=actor, body=body_for(incident_id)))
        except Rejected:
            if explicit:
                raise
            continue  # someone declared that id a moment ago: take the next
        return incident_id
    raise StoreError("could not find a free incident id; pass one explicitly")
