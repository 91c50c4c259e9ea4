"""``warroom serve``: bind, take the database's lock, run uvicorn, stop cleanly.

The socket is bound here (port 0 picks a free one) so the real address can be
printed as soon as the server accepts connections: the line
``warroom serve: listening on http://HOST:PORT`` on stdout is what scripts and
tests wait for. One server per database: a lock file beside it refuses a second
``warroom serve`` on the same file (the kernel drops the lock if the server dies,
even by kill -9). On SIGTERM/SIGINT open streams are ended first, then uvicorn
drains in-flight requests; every acknowledged event is already on disk.

uvicorn runs with our ``protocol`` (its httptools protocol plus header, timeout and
connection limits, told by ``app.state.head_credentials`` which requests carry a known
credential), and the open-files limit is raised to fit the connection limit. Status-page
streams may hold at most half the connections, so stakeholders never crowd out responders,
and a crowd of open streams is frozen out of the garbage collector's full collections
(``warroom.asgi.heap``), which would otherwise hold the server still ~1 s at 10,000 pages.
With ``status_port`` the status page is served on that port too, by a process of its own
(``statuschild``), which the server starts once it listens and stops when it stops.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import resource
import socket
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

from warroom.asgi.heap import FrozenCrowd, collect_young_less_often
from warroom.asgi.listener import bind_listener
from warroom.asgi.streams import STATUS_STREAMS, STATUS_STREAMS_PER_KEY, STREAMS_PER_TOKEN
from warroom.db.backend import describe_db, is_postgres, open_tokens
from warroom.store.opening import make_folder, open_regular

from .app import KEEPALIVE_SECONDS, create_app
from .statuschild import StatusProcess
from .statusproc import StatusOptions, limits_as_dict, settings_as_dict
from .limits import DEFAULT_BURST, DEFAULT_RATE
from .protocol import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    MAX_CONNECTIONS,
    UNAUTHENTICATED_SHARE,
    WRITE_TIMEOUT,
    ConnectionLimits,
    guarded_protocol,
)
from .watch import log_as_json

if TYPE_CHECKING:
    from warroom.web.pages import StatusSettings

STATUS_NICE = 10
"""How much lower the status page's own process runs than the server (``os.nice``)."""
FDS_KEPT_BACK = 64  # descriptors the database, logs and threads need beside the connections
KEEP_ALIVE_SECONDS = 30
events_log = logging.getLogger("warroom.events")


class ServerBusy(Exception):
    """Another server holds this database."""


def _lock(db: Path) -> int:
    make_folder(db.parent)
    lock = db.with_name(db.name + ".lock")
    fd = open_regular(lock, os.O_RDWR | os.O_CREAT, mode=0o600, what="lock files")  # beside a shared database: never through a link
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ServerBusy(f"another warroom server is already using {db}") from None
    return fd


def _resolved_folder(db: Path) -> Path:
    return db.parent.resolve() / db.name


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, announce: str, heap: FrozenCrowd, status: StatusProcess | None = None):
        super().__init__(config)
        self.announce = announce
        self.heap = heap
        self.status = status

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self.heap.start()
            if self.status is not None:  # once the database is made: the child only reads it
                self.status.start()
            print(self.announce, flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        assert isinstance(app, FastAPI)  # run() hands it create_app's app
        app.state.parts.hub.close()  # end the SSE streams so connections can drain
        self.heap.stop()
        if self.status is not None:
            await asyncio.to_thread(self.status.stop)
        await super().shutdown(sockets)


def _descriptors_for_connections(wanted: int) -> int:
    """Raise the soft open-files limit as far as the hard limit allows (the usual soft limit,
    1024, is less than a busy server needs and costs nothing to raise), and return how many
    connections fit in it with room to spare -- so ``accept`` never fails for want of one."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = wanted + FDS_KEPT_BACK
        if soft != resource.RLIM_INFINITY and soft < target:
            raised = target if hard == resource.RLIM_INFINITY else min(hard, target)
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    except (ValueError, OSError):  # pragma: no cover - a platform without it, or a refusal
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    fit = max(soft - FDS_KEPT_BACK, 16)
    if fit < wanted:
        print(
            f"warroom serve: the open-files limit ({soft}) allows only {fit} connections, not {wanted} "
            "(raise `ulimit -n` to allow more)",
            file=sys.stderr,
        )
    return min(wanted, fit)


def _as_line(text: str) -> None:
    print(f"warroom serve: {text}", file=sys.stderr)


def _as_event(text: str) -> None:
    events_log.warning(text)


def _advise(db: Path | str, host: str, say: Callable[[str], None]) -> None:
    """Say what an operator would want to know before anyone connects."""
    book = open_tokens(db)
    try:
        if not any(token.active for token in book.list()):
            say(f"no tokens yet: make one per responder with `warroom token add HANDLE --db {describe_db(db)}`")
    finally:
        book.close()
    mode = db.stat().st_mode & 0o777 if isinstance(db, Path) else 0  # PostgreSQL: its own access rules
    if mode & 0o077:
        say(f"warning: {db} is mode {mode:03o}: others can read its token hashes and every incident (chmod 600 {db})")
    if host not in ("127.0.0.1", "::1", "localhost"):
        say(
            "this is plain HTTP and tokens travel in it: on a shared network put it behind "
            "a TLS-terminating proxy (SSE needs response buffering off there)"
        )


def default_status_cpus() -> list[int]:
    """The status page's process on the last of the server's CPUs when it has two or more (none: any).
    Its priority alone is not enough: the kernel's work for the crowd (a write per page, the loopback)
    runs on whichever core the process is on, at no priority of ours; on two cores, 10,000 pages so
    held left the responders' append p99 at 1.0-1.2x its idle one, against 2.4-2.5x unheld
    (``bench/README.md``). One core writes ~45,000 page-updates a second."""
    usable = sorted(os.sched_getaffinity(0))
    return usable[-1:] if len(usable) >= 2 else []


def _cannot_listen(lock: int | None, where: str, error: OSError) -> int:
    if lock is not None:
        os.close(lock)
    print(f"warroom serve: cannot listen on {where}: {error.strerror}", file=sys.stderr)
    return 1


def serve(
    db: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    rate: float = DEFAULT_RATE,
    burst: float | None = DEFAULT_BURST,
    keepalive: float = KEEPALIVE_SECONDS,
    access_log: bool = False,
    streams_per_token: int = STREAMS_PER_TOKEN,
    status_streams_per_key: int = STATUS_STREAMS_PER_KEY,
    status_streams: int = STATUS_STREAMS,
    max_connections: int = MAX_CONNECTIONS,
    unauthenticated_share: float = UNAUTHENTICATED_SHARE,
    header_timeout: float = HEADER_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    write_timeout: float = WRITE_TIMEOUT,
    alerts=None,
    metrics_token: str | None = None,
    log_format: str = "text",
    extensions: Sequence[Callable[..., Callable[[], None] | None]] = (),
    status: StatusSettings | None = None,
    status_port: int | None = None,
    status_nice: int = STATUS_NICE,
    status_cpus: Sequence[int] | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM. ``log_format="json"``: every log line, one per request among them,
    is a JSON object on stderr (``watch``); ``"text"`` logs only warnings, as plain lines.
    ``status_port``: the status page also on that port, in a process of its own (``statuschild``)
    at ``status_nice``, on ``status_cpus`` if given."""
    as_json = log_format == "json"
    if as_json:
        log_as_json()
    if status_port is not None and status_port == port != 0:
        print(f"warroom serve: --status-port {port} is the server's own --port: give the status page a port of its own", file=sys.stderr)
        return 1
    # PostgreSQL serialises appends itself, so any number of servers may share it.
    # Only the folder is resolved: a link at the database's own name is refused (check_database), not followed.
    db = db if is_postgres(db) else _resolved_folder(Path(db).expanduser())
    lock = None if is_postgres(db) else _lock(Path(db))
    if status_port is not None and is_postgres(db):
        print("warroom serve: --status-port needs a SQLite database for now (on PostgreSQL, several servers share the crowd)", file=sys.stderr)
        return 1
    if status_cpus is None:
        status_cpus = default_status_cpus()
    if status_cpus and not set(status_cpus) <= os.sched_getaffinity(0):
        if lock is not None:
            os.close(lock)
        usable = ",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(0)))
        print(f"warroom serve: server.status_cpus names CPUs this machine does not give it (it may use {usable})", file=sys.stderr)
        return 1
    try:
        sock = bind_listener(host, port)
    except OSError as error:
        return _cannot_listen(lock, f"{host}:{port}", error)
    status_sock = None
    if status_port is not None:
        try:
            status_sock = bind_listener(host, status_port)
        except OSError as error:
            sock.close()
            return _cannot_listen(lock, f"{host}:{status_port} for the status page (--status-port)", error)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    _advise(db, host, _as_event if as_json else _as_line)
    collect_young_less_often()
    connections = _descriptors_for_connections(max_connections)
    status_streams = max(1, min(status_streams, connections // 2))  # a page's stream is a connection: half of them at most
    app = create_app(
        db,
        rate=rate,
        burst=burst,
        keepalive=keepalive,
        streams_per_token=streams_per_token,
        status_streams_per_key=status_streams_per_key,
        status_streams=status_streams,
        alerts=alerts,
        metrics_token=metrics_token,
        log_requests=as_json,
        extensions=extensions,
        status=status,
    )
    limits = ConnectionLimits(
        max_connections=connections,
        unauthenticated_share=unauthenticated_share,
        authenticates=app.state.head_credentials,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        write_timeout=write_timeout,
    )
    config = uvicorn.Config(
        app,
        http=guarded_protocol(limits),
        lifespan="on",
        access_log=access_log and not as_json,  # JSON: our own line per request, without the query string
        log_level="info" if access_log and not as_json else "warning",
        log_config=None if as_json else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        server_header=False,
    )
    announce = f"warroom serve: listening on http://{shown}:{bound_port} (db {describe_db(db)})"
    status_process = None
    if status_sock is not None:
        status_process = app.state.status_process = StatusProcess(
            status_sock,
            StatusOptions(
                db=str(db),
                keepalive=keepalive,
                nice=status_nice,
                streams_per_key=status_streams_per_key,
                streams=status_streams,
                limits=limits_as_dict(limits),
                log_format=log_format,
                cpus=sorted(status_cpus) if status_cpus else None,
                settings=settings_as_dict(status),
            ),
            say=_as_event if as_json else _as_line,
        )
        announce += f"; status page on http://{shown}:{status_sock.getsockname()[1]} (its own process, nice +{status_nice})"
    open_streams = (app.state.parts.streams, app.state.status_streams)  # what a crowd holds open: a connection alone holds little
    server = _Server(config, announce, FrozenCrowd(lambda: sum(streams.count() for streams in open_streams)), status_process)
    try:
        server.run(sockets=[sock])
    finally:
        if status_process is not None:
            status_process.stop()  # however uvicorn ended: never leave the child behind
        sock.close()
        if status_sock is not None:
            status_sock.close()
        if lock is not None:
            os.close(lock)
    return 0
