"""The PostgreSQL log's listener: what other servers on the database commit, read on the event loop.

Every server ``LISTEN``s on a dedicated connection (``db.pgchannel`` says what the
notifications hold). Its socket is watched by the event loop itself (``loop.add_reader``):
when it is readable, libpq takes in what arrived and the notifications are handled right
there, no thread in between. Events carried in a notification that follow on from what this
server has published go to its hub as they are, all that one wake-up brought as one commit
per incident. After any other notification for a seq past that, the rows after the last
published seq are read on a thread of the listener's own (``_reads``: one, so reads happen
one at a time), and the notifications behind it wait for that read, so they are handled in
the order they came. A quiet connection is pinged every ``LISTEN_PING`` seconds; a ping
unanswered for as long counts as a lost connection (a backend that hangs gives no error).
When the connection is lost it reconnects and, before anything else, compares every
incident's head with what it has published and reads the difference: no gap, no duplicate
(streams read by seq anyway; the hub only decides *when* they look).

One order for the hub: the writer thread hands over its own commits (``pg``) and the read
thread the rows it read, each under ``_heads_lock`` with the move of the published head it
stands for, into ``_handed`` (a ``writer.HandOff``); the loop publishes it in that order.
The listener, on the loop, puts its carried events into ``_handed`` the same way and
publishes the lot before it returns, so nothing it hands over can overtake what the writer handed over before it.
What the writer hands over while the loop has not yet published goes out together, as one
commit per incident, so a busy loop writes each subscriber once for several commits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
import queue
from concurrent.futures import Executor, Future
from typing import Any

import psycopg
from psycopg import pq

from warroom.db.pgchannel import CARRIED, reach, read
from warroom.db.pgschema import CHANNEL, connect
from warroom.store.base import StoreUnavailable

from .writer import Committed, HandOff, joined

log = logging.getLogger("warroom.server")

READ_PAGE = 1000
LISTEN_PING = 5.0  # a connection quiet this long is pinged; a ping unanswered this long means it is lost
RECONNECT_MAX = 2.0
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}
STOP_WAIT = 10.0  # how long a stop waits for a read in flight (a hung database may hold it for ever)


class ReadThread(Executor):
    """One daemon thread that runs the listener's jobs in order.

    Not a ``ThreadPoolExecutor``: its threads are joined at the interpreter's exit without a
    time limit, so a read stuck on a database that stopped answering would hold the server's
    stop, and its exit, for ever. Here a stop waits ``STOP_WAIT`` at most, and a stuck thread
    dies with the process."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((future, lambda: fn(*args, **kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._jobs.put(None)
        if wait:
            self._thread.join(STOP_WAIT)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = call()
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)


class Listening:
    """The listener's half of ``pg.PgEventLog`` (which supplies ``url``, ``on_commit``, ``_loop`` and ``read_json``)."""

    url: str
    on_commit: Callable[[list[Committed]], None] | None
    _loop: asyncio.AbstractEventLoop | None

    def _init_listening(self) -> None:
        self._stopping = threading.Event()
        self._heads: dict[str, int] = {}  # the last seq handed to on_commit, per incident
        self._heads_lock = threading.Lock()
        self._heads_noted = False  # the first connection has noted every incident's head in ``_heads``
        self._handed: HandOff[Committed] = HandOff(self._publish)  # handed over, in the order the heads moved, not yet published
        self.listening = threading.Event()
        self.reconnects = 0
        self.reads_after_notice = 0  # queries for rows a notification did not carry (tests count them)
        self._reads: ReadThread | None = None  # connecting and reading rows, one job at a time
        self._conn: psycopg.Connection | None = None  # the LISTEN connection, once open
        self._conn_lock = threading.Lock()  # between ``_open`` (the read thread) and the stop
        self._watched: int | None = None  # the socket the loop watches
        self._encoding = "utf-8"
        self._first = True
        self._delay = 0.05
        self._pending: deque[tuple[bytes, bytes]] = deque()  # notifications (channel, payload) not yet handled, in order
        self._reading: asyncio.Future | None = None  # the read the pending notifications wait for
        self._quiet_since = 0.0
        self._ping_sent: float | None = None
        self._timer: asyncio.TimerHandle | None = None  # the keep-alive check, or the next reconnect
        self._loop_thread: int | None = None

    def read_json(self, incident_id: str, after: int, limit: int, max_bytes: int | None = None) -> list[tuple[int, str]]:
        raise NotImplementedError

    # --- life: started and stopped with the log ----------------------------------------------

    def _start_listening(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop's thread: open the LISTEN connection (``listening`` is set once it is watched)."""
        self._loop_thread = threading.get_ident()
        self._reads = ReadThread("warroom-pg-listen")
        self._connect()

    def _stop_listening(self) -> None:
        """From any thread, ``_stopping`` set: the connection closed and the read thread ended."""
        loop = self._loop
        if loop is None or loop.is_closed() or threading.get_ident() == self._loop_thread or not loop.is_running():
            self._unwatch()
        else:
            done = threading.Event()

            def on_the_loop() -> None:
                self._unwatch()
                done.set()

            try:
                loop.call_soon_threadsafe(on_the_loop)
                done.wait(10)
            except RuntimeError:  # pragma: no cover - the loop closed under us
                self._unwatch()
        if self._reads is not None:
            self._reads.shutdown()  # a read in flight stops at its next page (or is left, after STOP_WAIT); a connection opened meanwhile is closed by ``_open``
            self._reads = None

    def _connect(self) -> None:
        self._timer = None
        if self._stopping.is_set() or self._reads is None:
            return
        assert self._loop is not None
        self._loop.run_in_executor(self._reads, self._open).add_done_callback(self._opened)

    def _open(self) -> tuple[psycopg.Connection, list[tuple[bytes, bytes]]]:
        """On the read thread: connect, ``LISTEN``, and note every incident's head -- or, after a
        reconnect, hand the hub what it missed meanwhile. The notifications that came during these
        statements, to be handled first."""
        conn = connect(self.url, application_name="warroom-listen", **KEEPALIVES)
        early: list[tuple[bytes, bytes]] = []
        try:
            encoding = conn.info.encoding
            conn.add_notify_handler(lambda notify: early.append((notify.channel.encode(encoding), notify.payload.encode(encoding))))
            conn.execute(f"LISTEN {CHANNEL}")
            conn.execute(f"LISTEN {CARRIED}")
            heads = conn.execute("SELECT id, head FROM incidents WHERE head > 0").fetchall()
            if self._first:  # nothing published yet, nobody behind: just note where each incident stands
                with self._heads_lock:
                    for incident, head in heads:
                        self._heads.setdefault(incident, head)
                    self._heads_noted = True
                self._first = False
            else:
                self.reconnects += 1
                for incident, head in heads:
                    self._published_up_to(incident, head)
            with self._conn_lock:
                if self._stopping.is_set():
                    raise StoreUnavailable("the server is shutting down")
                self._conn = conn
        except BaseException:
            conn.close()
            raise
        return conn, early

    def _opened(self, opening: asyncio.Future) -> None:
        """On the loop: watch the new connection's socket, or try again after a while."""
        if opening.cancelled():
            return
        error = opening.exception()
        if self._stopping.is_set():
            return
        if error is not None:
            log.warning("LISTEN connection: %s; retrying", str(error).strip().splitlines()[:1])
            self._retry()
            return
        conn, early = opening.result()
        assert self._loop is not None
        self._delay = 0.05
        self._encoding = conn.info.encoding
        self._watched = conn.fileno()
        self._pending.extend(early)
        self._quiet_since, self._ping_sent = time.monotonic(), None
        self._loop.add_reader(self._watched, self._readable)
        self._timer = self._loop.call_later(LISTEN_PING / 2, self._keep_alive)
        self.listening.set()
        self._readable()  # libpq may hold what came with the last statement's answer

    def _lost(self, error: object) -> None:
        """On the loop: drop the connection and reconnect (which re-reads what it missed)."""
        if not self._stopping.is_set():
            log.warning("LISTEN connection lost (%s); reconnecting and re-reading", str(error).strip().splitlines()[:1])
        self._unwatch()
        self._retry()

    def _retry(self) -> None:
        if self._stopping.is_set() or self._loop is None:
            return
        self._timer = self._loop.call_later(self._delay, self._connect)
        self._delay = min(RECONNECT_MAX, self._delay * 2)

    def _unwatch(self) -> None:
        """On the loop (or with the loop gone): stop watching and close the connection."""
        self.listening.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        with self._conn_lock:
            conn, self._conn = self._conn, None
        if self._watched is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._watched)
        self._watched = None
        self._pending.clear()  # the reconnect reads every incident past what the hub has
        if conn is not None:
            conn.close()

    # --- on the loop: the socket, the keep-alive, the notifications ----------------------------

    def _readable(self) -> None:
        conn = self._conn
        if conn is None:
            return
        pgconn = conn.pgconn
        try:
            pgconn.consume_input()
            while self._ping_sent is not None and not pgconn.is_busy():
                answer = pgconn.get_result()
                if answer is None:
                    self._ping_sent = None
                elif answer.status != pq.ExecStatus.TUPLES_OK:
                    raise psycopg.OperationalError(answer.error_message.decode(self._encoding, "replace") or "keep-alive refused")
            if pgconn.status != pq.ConnStatus.OK:
                raise psycopg.OperationalError("the connection was closed")
        except psycopg.Error as error:
            self._lost(error)
            return
        while (notify := pgconn.notifies()) is not None:
            self._pending.append((notify.relname, notify.extra))
        self._quiet_since = time.monotonic()
        self._work_through()

    def _keep_alive(self) -> None:
        """Ping a connection quiet for ``LISTEN_PING``; a ping unanswered for as long loses it."""
        self._timer = None
        conn = self._conn
        if conn is None or self._stopping.is_set():
            return
        now = time.monotonic()
        if self._ping_sent is not None:
            if now - self._ping_sent >= LISTEN_PING:
                self._lost(f"no answer to a keep-alive in {LISTEN_PING:g} s")
                return
        elif now - self._quiet_since >= LISTEN_PING:
            try:
                conn.pgconn.send_query(b"SELECT 1")
            except psycopg.Error as error:
                self._lost(error)
                return
            self._ping_sent = now
        assert self._loop is not None
        self._timer = self._loop.call_later(LISTEN_PING / 2, self._keep_alive)

    def _work_through(self) -> None:
        """Handle the pending notifications in order until one waits for a read, then publish."""
        try:
            while self._pending and self._reading is None:
                self._noticed(*self._pending.popleft())
        finally:
            self._handed.deliver()

    def _noticed(self, channel: bytes, payload: bytes) -> None:
        """Publish what a notification says was committed: the events it carries when they
        follow on from what the hub has (no query), else whatever a read finds."""
        try:
            incident, head = reach(channel, payload, self._encoding)
            with self._heads_lock:
                if head <= self._heads.get(incident, 0):
                    return  # had already (this server's own commits among them): not decoded, not split
            notice = read(channel.decode(self._encoding), payload.decode(self._encoding))
        except ValueError:  # UnicodeDecodeError included
            log.warning("unreadable notification on %r skipped: %r", channel, payload[:80])
            return
        with self._heads_lock:
            after = self._heads.get(notice.incident, 0)
            if notice.head <= after:
                return
            if notice.events and notice.events[0][0] <= after + 1:
                self._heads[notice.incident] = notice.head
                self._handed.add(Committed(notice.incident, [event for event in notice.events if event[0] > after]))  # published as ``_work_through`` ends
                return
        # a plain notice, or carried events after a gap (a notice lost while reconnecting)
        if self._stopping.is_set() or self._reads is None or self._loop is None:
            return
        reading = self._loop.run_in_executor(self._reads, self._published_up_to, notice.incident, notice.head)
        self._reading = reading
        reading.add_done_callback(self._read_done)

    def _read_done(self, reading: asyncio.Future) -> None:
        if self._reading is reading:
            self._reading = None
        if reading.cancelled():
            return
        error = reading.exception()
        if self._stopping.is_set():
            return
        if error is not None:
            if self._conn is not None:  # not already reconnecting
                self._lost(error)
            return
        self._work_through()

    # --- from any thread: rows read, commits handed over ---------------------------------------

    def _published_up_to(self, incident: str, seq: int) -> None:
        """On the read thread: hand the hub every row of ``incident`` up to ``seq`` it has not had yet."""
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
        """From the writer or the read thread: hand the hub those of ``events`` past what it has
        had of ``incident``, moving that mark under the same lock, so the hub gets each event
        once, in seq order."""
        with self._heads_lock:
            published = self._heads.get(incident, 0)
            news = [event for event in events if event[0] > published]
            if news:
                self._heads[incident] = news[-1][0]
                self._hand_over(Committed(incident, news))

    def _hand_over(self, batch: Committed) -> None:
        """From a thread, holding ``_heads_lock``: have the loop publish ``batch``, together with
        whatever else is handed over before the loop gets to it."""
        self._handed.hand(self._loop, batch)

    def _publish(self, taken: list[Committed]) -> None:
        """On the loop: publish everything handed over, in the order it was (``HandOff.deliver``)."""
        if self.on_commit is not None:
            try:
                self.on_commit(joined(taken))
            except Exception:  # pragma: no cover - a fan-out bug must not stop the hand-overs
                log.exception("fan-out failed")
