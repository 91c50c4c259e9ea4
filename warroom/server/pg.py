"""The server's log on PostgreSQL: several ``warroom serve`` processes, one database.

The shape is the SQLite log's (one writer thread per server batching appends into one
transaction, a cached ``IncidentState`` per incident, acks only after the commit) with
two differences, because other servers write the same incidents:

Serialised in the database
    Each append transaction locks the ``incidents`` rows it touches (``SELECT ... FOR
    UPDATE``, in id order so two servers' batches never deadlock). Holding that lock
    it catches its cached state up from the rows other servers committed since its
    last seq, checks the rules on that state, inserts, and moves ``incidents.head``:
    two statements, the database's part of each in a function (``db.pgappend``).
    ``PRIMARY KEY (incident, seq)`` and ``UNIQUE (id)`` are the last guard: if they
    ever fire, the batch rolls back and the clients retry with the same event ids.
    So two servers racing for one workstream give exactly one winner, as one does.
    Appends queued while a batch waited for the lock (the other server's batch held
    it) join that batch once it holds the lock, if they append to an incident it
    locked and declare nothing (``_joins_late``): one commit, one fan-out and two round
    trips for them all, as many appends per commit as SQLite's writer gets. Their ids
    were not read under the lock, so a joined retry of a stored event trips
    ``UNIQUE (id)``; the batch is then tried once more with every id read first.

Fan-out between servers
    The transaction ends with ``NOTIFY warroom_events, 'INCIDENT SEQ'``, which
    PostgreSQL delivers only if and when it commits, preceded by the committed events
    themselves when they fit in a payload (``db.pgchannel``). Every server ``LISTEN``s on
    a dedicated connection whose socket its event loop watches (``pglisten``): it hands
    carried events that follow on from what it has published straight to its hub, and on
    any other notification for a seq past that it reads the rows after its last published
    seq (on a thread), so a board on server B sees what was appended through server A.
    Its own commits (with the rows it caught up on first) take the same way to the hub
    as the listener's, handed over in the order the published heads moved
    (``_hand_over``, under ``_heads_lock``), before their acks: the hub never gets a
    commit ahead of one it follows (which would restart its tail and send every
    subscriber to the database), and what is handed over before the loop gets to it
    goes out as one commit. When the LISTEN connection is lost (or a keep-alive goes
    unanswered) it reconnects and, before anything else, compares every incident's head
    with what it has published and reads the difference: no gap, no duplicate (streams
    read by seq anyway; the hub only decides *when* they look).

Durability is PostgreSQL's: the commit returns after the WAL is flushed
(``synchronous_commit`` on, the default); with a synchronous standby configured it
also waits for the standby. Nothing here acknowledges earlier than that.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from warroom.incident import IncidentState
from warroom.store.base import IncidentSummary, Rejected, UnknownIncident

from warroom.db.pgappend import commit, lock_and_read, store
from warroom.db.pgchannel import notices
from warroom.db.pgschema import describe, unavailable, upgrade
from warroom.asgi.streams import within_bytes
from .pglisten import KEEPALIVES, Listening
from .summaries import newest_first
from .writer import MAX_BATCH, Cached, Committed, Job, Unprocessable, WriterLog, admit, retry_or_refuse

log = logging.getLogger("warroom.server")

POOL_MAX = 8
_CATCH_UP = "SELECT seq, event FROM events WHERE incident = %s AND seq > %s ORDER BY seq"


class PgEventLog(Listening, WriterLog):
    """The authority on PostgreSQL: appends through the writer thread, reads from the pool."""

    shared = True  # other processes write the same log: plain reads must ask the database

    def __init__(self, url: str, *, on_commit: Callable[[list[Committed]], None] | None = None):
        super().__init__(on_commit)
        self.url = url
        self.path = describe(url)
        self.pool: ConnectionPool | None = None
        self._init_listening()

    # --- life ------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        upgrade(self.url)
        self.pool = ConnectionPool(
            self.url, min_size=2, max_size=POOL_MAX, kwargs={"autocommit": True, **KEEPALIVES}, open=False, name="warroom"
        )
        try:
            self.pool.open(wait=True, timeout=15)
        except Exception as error:
            self.pool.close()
            raise unavailable(self.url, error) from None
        self._stopping.clear()
        self._start_writer(loop, "warroom-pg-writer")
        self._start_listening(loop)

    def close(self) -> None:
        self._stopping.set()
        self._stop_writer()
        self._stop_listening()
        if self.pool is not None:
            self.pool.close()

    # --- the async face (append and run, ``call(None)``: ``WriterLog``) -------------------

    async def summaries(self) -> list[IncidentSummary]:
        return await self.run(self._summaries)

    async def checkpoint(self, incident_id: str) -> bytes | None:
        """The incident's state as checkpoint bytes, caught up with every server's commits first;
        re-encoded only once ``CHECKPOINT_EVERY`` events old, as on SQLite; ``None`` if unknown."""
        return await self.run(lambda _conn: self._checkpoint(incident_id))

    async def summaries_json(self) -> bytes:
        found = await self.summaries()
        return json.dumps([summary.as_dict() for summary in found], ensure_ascii=False).encode()

    # --- reads from any thread -----------------------------------------------------

    def _query(self, sql: str, params: tuple) -> list[tuple]:
        assert self.pool is not None
        for attempt in (1, 2):  # a pooled connection may have died with a PostgreSQL restart
            try:
                with self.pool.connection(timeout=10) as conn:
                    return conn.execute(sql, params).fetchall()
            except psycopg.OperationalError as error:
                if attempt == 2:
                    raise unavailable(self.url, error) from None
                self._drop_dead_connections()
            except Exception as error:  # the pool timed out, or it is closing
                raise unavailable(self.url, error) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop_dead_connections(self) -> None:
        """After one pooled connection broke, the idle ones are most likely dead too (PostgreSQL
        restarted): test them all now (``ConnectionPool.check``), so the retry gets a live one."""
        assert self.pool is not None
        try:
            self.pool.check()
        except Exception as error:  # PostgreSQL still away: the retry will say so
            log.warning("PostgreSQL connections: %s", str(error).strip().splitlines()[:1])

    def read_json(self, incident_id: str, after: int, limit: int, max_bytes: int | None = None) -> list[tuple[int, str]]:
        sql = "SELECT seq, event FROM events WHERE incident = %s AND seq > %s ORDER BY seq LIMIT %s"
        rows = self._query(sql, (incident_id, after, limit))
        return rows if max_bytes is None else within_bytes(rows, max_bytes)

    def exists(self, incident_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM incidents WHERE id = %s AND head > 0", (incident_id,)))

    # --- the writer thread ----------------------------------------------------------

    def _process(self, batch: list[Job]) -> None:
        outcomes: list[tuple[asyncio.Future, Any]] = []
        appends = [job for job in batch if job.call is None]
        if appends:
            outcomes.extend(self._transaction(appends))
        for job in batch:
            if job.call is not None:
                try:
                    outcomes.append((job.future, job.call(None)))
                except Exception as error:
                    outcomes.append((job.future, error))
        self._settle(outcomes, [])  # the commits went to the hub already (``_hand_over``): settled after them

    def _transaction(self, jobs: list[Job]) -> list[tuple[asyncio.Future, Any]]:
        """One attempt more when the connection broke (PostgreSQL restarted, a standby was
        promoted): the drafts keep their ids, so an attempt that did commit is found again."""
        outcome = self._attempt(jobs)
        if outcome is None:
            outcome = self._attempt(jobs, last=True)
        assert outcome is not None
        return outcome

    def _attempt(self, jobs: list[Job], last: bool = False) -> list[tuple[asyncio.Future, Any]] | None:
        assert self.pool is not None
        touched = sorted({job.incident for job in jobs})
        results: list[tuple[asyncio.Future, Any]] = []
        fresh: dict[str, Committed] = {}
        late: list[Job] = []
        try:
            # Two round trips per batch, the lock held for one (``db.pgappend``): BEGIN with
            # the lock and every read that needs it; then, once the rules ran here, the
            # inserts, heads and notifications with COMMIT.
            with self.pool.connection(timeout=10) as conn:
                try:
                    declaring = sorted({j.incident for j in jobs if j.draft is not None and j.draft.body.type == "incident_declared"})
                    since = {incident: self._cached_seq(incident) for incident in touched}
                    ids = [str(job.draft.id) for job in jobs if job.draft is not None]
                    heads: dict[str, int] = {}
                    news: dict[str, list[tuple[int, str]]] = {incident: [] for incident in touched}
                    known: dict[str, tuple[str, int, str]] = {}
                    for kind, incident, seq, event_id, text in lock_and_read(conn, declaring, touched, [since[incident] for incident in touched], ids):
                        if kind == "h":
                            heads[incident] = seq
                        elif kind == "c":
                            assert text is not None
                            news[incident].append((seq, text))
                        else:
                            assert event_id is not None and text is not None
                            known[event_id] = (incident, seq, text)
                    for incident in touched:
                        self._caught_up(incident, heads.get(incident, 0), since[incident], news[incident])
                        if news[incident] and self._news_to_the_hub(incident, since[incident]):
                            fresh[incident] = Committed(incident, news[incident])
                    if not last:  # what queued while the lock was awaited joins (a retry attempt reads every id instead)
                        late = self._take_waiting(lambda job: _joins_late(job, since), MAX_BATCH - len(jobs))
                        jobs.extend(late)
                    rows: list[tuple[str, int, str]] = []
                    for job in jobs:
                        results.append((job.future, self._append_one(job, known, rows, fresh)))
                    if rows:
                        rows.sort(key=lambda row: row[0])  # one run per incident: its head moves once (stable: seqs stay in order)
                        moved: dict[str, list[tuple[int, str]]] = {}
                        for incident, seq, text in rows:
                            moved.setdefault(incident, []).append((seq, text))
                        sent = [notice for incident, events in sorted(moved.items()) for notice in notices(incident, events)]
                        store(conn, [row[0] for row in rows], "\n".join(row[2] for row in rows), json.dumps(sent))
                    else:
                        commit(conn)
                except BaseException:
                    with suppress(psycopg.Error):
                        conn.rollback()  # the transaction may be open, or aborted: the pooled connection goes back idle
                    raise
        except Exception as error:
            for incident in touched:
                self._cache.pop(incident, None)  # the cached states may have run ahead of the database
            if late and isinstance(error, psycopg.errors.UniqueViolation) and not last:
                return None  # a late job retried an event already stored: once more, every id read first
            if isinstance(error, psycopg.OperationalError) and not last:
                log.warning("append transaction broke (%s); trying once more", str(error).strip().splitlines()[:1])
                self._drop_dead_connections()
                return None
            if isinstance(error, psycopg.Error):
                log.error("append transaction failed, nothing in this batch was stored: %s", error)
            else:
                log.exception("append transaction failed, nothing in this batch was stored")
            failure = unavailable(self.url, error)
            done = [(future, outcome if isinstance(outcome, (Rejected, UnknownIncident, Unprocessable)) else failure) for future, outcome in results]
            return done + [(job.future, failure) for job in jobs[len(results) :]]
        for batch in fresh.values():
            self._hand_over_news(batch.incident, batch.events)  # the listener may have had some, even our own notice, first
        return results

    def _cached_seq(self, incident: str) -> int:
        cached = self._cache.get(incident)
        return cached.state.seq if cached is not None else 0

    def _catch_up(self, conn: psycopg.Connection, incident: str, head: int) -> None:
        """Bring the cached state to ``head``, reading what it lacks (see ``_caught_up``)."""
        since = self._cached_seq(incident)
        rows = conn.execute(_CATCH_UP, (incident, since)).fetchall() if 0 < head != since else []
        self._caught_up(incident, head, since, rows)

    def _caught_up(self, incident: str, head: int, since: int, rows: list[tuple[int, str]]) -> None:
        """Apply ``rows`` (every row after ``since``, read under the lock) to the cached state, which stood at ``since``."""
        cached = self._cache.get(incident)
        if head == 0:
            self._cache.pop(incident, None)
            return
        if cached is not None and cached.state.seq != since:  # pragma: no cover - only the writer moves it
            raise AssertionError(f"{incident}: the cached state moved from {since} to {cached.state.seq} during a read")
        if not rows:
            return
        if cached is None:
            cached = Cached(IncidentState())
        cached.fold((text for _seq, text in rows), incident)
        self._cache[incident] = cached

    def _news_to_the_hub(self, incident: str, since: int) -> bool:
        """Whether the rows caught up under the lock go to the hub with this batch's commit (what it
        had already is left out at the hand-over, ``_hand_over_news``). The listener skips their
        notices once the commit is handed over past them, so even a cold cache's rows are news;
        only before the listener has noted where every incident stood (the server starting) are a
        cold cache's rows old news: nobody can be waiting for them."""
        with self._heads_lock:
            return bool(since) or self._heads_noted or incident in self._heads

    def _append_one(self, job: Job, known: dict, rows: list[tuple[str, int, str]], fresh: dict[str, Committed]) -> Any:
        """Check and stage one draft; the outcome for its client (an exception is a refusal)."""
        draft, incident_id = job.draft, job.incident
        assert draft is not None
        try:
            retry = retry_or_refuse(incident_id, draft, known.get(str(draft.id)))
            if retry is not None:
                return retry[:2]
            stored, text = admit(self._cache, self._cache.get(incident_id), incident_id, draft, job.writer)
        except (Rejected, UnknownIncident, Unprocessable) as refusal:
            return refusal
        rows.append((incident_id, stored.seq, text))
        known[str(draft.id)] = (incident_id, stored.seq, text)
        fresh.setdefault(incident_id, Committed(incident_id)).events.append((stored.seq, text))
        return text, True

    def _summaries(self, _conn: object) -> list[IncidentSummary]:
        assert self.pool is not None
        found = []
        with self.pool.connection(timeout=10) as conn:
            for incident, head in conn.execute("SELECT id, head FROM incidents WHERE head > 0").fetchall():
                self._catch_up(conn, incident, head)
                cached = self._cache.get(incident)
                if cached is not None and cached.state.declared:
                    found.append(IncidentSummary.of(cached.state))
        found.sort(key=newest_first, reverse=True)
        return found

    def _checkpoint(self, incident_id: str) -> bytes | None:
        assert self.pool is not None
        try:
            with self.pool.connection(timeout=10) as conn:
                row = conn.execute("SELECT head FROM incidents WHERE id = %s", (incident_id,)).fetchone()
                if row is None or row[0] == 0:
                    return None
                self._catch_up(conn, incident_id, row[0])
        except psycopg.Error as error:
            raise unavailable(self.url, error) from None
        cached = self._cache.get(incident_id)
        return None if cached is None else cached.checkpoint()


def _joins_late(job: Job, locked: dict[str, int]) -> bool:
    """Whether ``job``, queued while its batch waited for the lock, can join it: an append to an
    incident the batch holds locked, and no declaration (which would need its row created first)."""
    return job.call is None and job.incident in locked and job.draft is not None and job.draft.body.type != "incident_declared"
