"""The PostgreSQL log's listener thread: what other servers on the database commit.

Every server ``LISTEN``s on a dedicated connection (``db.pgchannel`` says what the
notifications hold). Events carried in a notification that follow on from what this
server has published go to its hub as they are; after any other notification for a seq
past that, the rows after the last published seq are read. When the connection is lost
it reconnects and, before anything else, compares every incident's head with what it has
published and reads the difference: no gap, no duplicate (streams read by seq anyway;
the hub only decides *when* they look).

Hand-overs to the event loop are joined: what the listener -- or the writer, whose own
commits take the same way (``pg``) -- hands over while the loop has not yet published
the last hand-over goes out with it, as one commit per incident, so a busy loop writes
each subscriber once for several commits. Each hand-over is made under ``_heads_lock``,
with the move of the published head it stands for, so the hub gets them in seq order.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

import psycopg

from warroom.db.pgchannel import CARRIED, read
from warroom.db.pgschema import CHANNEL, connect
from warroom.store.base import StoreUnavailable

from .writer import Committed, joined

log = logging.getLogger("warroom.server")

READ_PAGE = 1000
LISTEN_POLL = 0.5  # how often the listener looks up from its socket (stop flag, liveness)
LISTEN_PING = 5.0
RECONNECT_MAX = 2.0
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}


class Listening:
    """The listener's half of ``pg.PgEventLog`` (which supplies the attributes below and ``read_json``)."""

    url: str
    on_commit: Callable[[list[Committed]], None] | None
    _loop: asyncio.AbstractEventLoop | None
    _stopping: threading.Event
    _heads: dict[str, int]  # the last seq handed to on_commit, per incident
    _heads_lock: threading.Lock
    _heads_noted: bool  # the first connection has noted every incident's head in ``_heads``
    listening: threading.Event
    reconnects: int
    reads_after_notice: int  # queries for rows a notification did not carry (tests count them)
    _handed: list[Committed]  # handed over by the listener or the writer, not yet published (``_hand_over``)
    _handed_lock: threading.Lock

    def read_json(self, incident_id: str, after: int, limit: int, max_bytes: int | None = None) -> list[tuple[int, str]]:
        raise NotImplementedError

    def _listen(self) -> None:
        delay = 0.05
        first = True
        while not self._stopping.is_set():
            try:
                conn = connect(self.url, application_name="warroom-listen", **KEEPALIVES)
            except StoreUnavailable as error:
                log.warning("LISTEN connection: %s; retrying", error)
                self._stopping.wait(delay)
                delay = min(RECONNECT_MAX, delay * 2)
                continue
            try:
                conn.execute(f"LISTEN {CHANNEL}")
                conn.execute(f"LISTEN {CARRIED}")
                heads = conn.execute("SELECT id, head FROM incidents WHERE head > 0").fetchall()
                if first:  # nothing published yet, nobody behind: just note where each incident stands
                    with self._heads_lock:
                        for incident, head in heads:
                            self._heads.setdefault(incident, head)
                        self._heads_noted = True
                    first = False
                else:
                    self.reconnects += 1
                    for incident, head in heads:
                        self._published_up_to(incident, head)
                self.listening.set()
                delay = 0.05
                quiet_since = time.monotonic()
                while not self._stopping.is_set():
                    for notify in conn.notifies(timeout=LISTEN_POLL):
                        self._noticed(notify.channel, notify.payload)
                        quiet_since = time.monotonic()
                    if time.monotonic() - quiet_since > LISTEN_PING:
                        conn.execute("SELECT 1")  # a dead connection raises here, not in silence
                        quiet_since = time.monotonic()
            except (psycopg.Error, StoreUnavailable, ValueError) as error:
                if not self._stopping.is_set():
                    log.warning("LISTEN connection lost (%s); reconnecting and re-reading", str(error).strip().splitlines()[:1])
                self.listening.clear()
                self._stopping.wait(delay)
                delay = min(RECONNECT_MAX, delay * 2)
            finally:
                conn.close()

    def _noticed(self, channel: str, payload: str) -> None:
        """Publish what a notification says was committed: the events it carries when they
        follow on from what the hub has (no query), else whatever a read finds."""
        try:
            notice = read(channel, payload)
        except ValueError:
            log.warning("unreadable notification on %s skipped: %r", channel, payload[:80])
            return
        news: list[tuple[int, str]] = []
        with self._heads_lock:
            after = self._heads.get(notice.incident, 0)
            if notice.events and notice.events[0][0] <= after + 1 and notice.head > after:
                news = [event for event in notice.events if event[0] > after]
                self._heads[notice.incident] = notice.head
                self._hand_over(Committed(notice.incident, news))
        if not news:  # a plain notice, or carried events after a gap (a notice lost while reconnecting)
            self._published_up_to(notice.incident, notice.head)

    def _published_up_to(self, incident: str, seq: int) -> None:
        """Hand the hub every row of ``incident`` up to ``seq`` it has not had yet."""
        with self._heads_lock:
            after = self._heads.get(incident, 0)
        while after < seq and not self._stopping.is_set():
            self.reads_after_notice += 1
            rows = self.read_json(incident, after, READ_PAGE)
            if not rows:
                return
            self._hand_over_news(incident, rows)  # the writer may have handed some over meanwhile
            after = rows[-1][0]

    def _hand_over_news(self, incident: str, events: list[tuple[int, str]]) -> None:
        """Hand the hub those of ``events`` past what it has had of ``incident``, moving that mark
        under the same lock: the listener's reads and the writer's commits both go this way, so
        the hub gets each event once, in seq order."""
        with self._heads_lock:
            published = self._heads.get(incident, 0)
            news = [event for event in events if event[0] > published]
            if news:
                self._heads[incident] = news[-1][0]
                self._hand_over(Committed(incident, news))

    def _hand_over(self, batch: Committed) -> None:
        """From the listener or the writer, holding ``_heads_lock``: have the loop publish
        ``batch``, together with whatever else is handed over before the loop gets to it (a busy
        loop then writes each subscriber once for several commits, not once each)."""
        with self._handed_lock:
            self._handed.append(batch)
            if len(self._handed) > 1:
                return  # the publish already asked for takes this one too
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._publish_noticed)
        except RuntimeError:  # pragma: no cover - the loop closed under us at shutdown
            pass

    def _publish_noticed(self) -> None:
        with self._handed_lock:
            taken, self._handed = self._handed, []
        if self.on_commit is not None:
            try:
                self.on_commit(joined(taken))
            except Exception:  # pragma: no cover - a fan-out bug must not stop the listener's hand-overs
                log.exception("fan-out failed")
