"""What an operator watches ``warroom serve`` by: ``/metrics`` (Prometheus) and a log line per request.

Every request passes through ``Watch``, a plain ASGI middleware (not Starlette's
``BaseHTTPMiddleware``, which would put each SSE write through an extra task): it counts
the request by its route *template* (``/api/incidents/{incident_id}/events``, never the
raw path, so no incident id, share key or hook secret becomes a label and the label set
stays bounded) and status, and with ``--log-format json`` writes one line about it. The
counters live in a ``CollectorRegistry`` of the app's own, so several apps in one
process (tests) never share or collide. prometheus-client is imported here and only the
server imports this module, so the CLI and the board start no slower.

The fan-out histogram measures from the moment a commit reaches the event loop (the
writer hands it over, ``Metrics.committed``) to the moment a subscriber's stream has
written the commit's last event (``Metrics.delivered``): each subscriber observes once
per commit it delivers live; replays of older events are not observed.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest, disable_created_metrics
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.registry import Collector

from warroom.incident.events import canonical_incident_id, valid_incident_id

from .credentials import metrics_token_matches

requests_log = logging.getLogger("warroom.requests")
disable_created_metrics()  # a `_created` twin of every counter doubles a scrape for nothing Prometheus uses

APPEND_OUTCOMES = ("created", "retried", "refused", "unknown_incident", "unprocessable", "unavailable")
ALERT_OUTCOMES = ("recorded", "already_known", "dropped")
FANOUT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "unmatched"
"""The route label of a request no route matched (a 404 for an unknown path)."""
CLIENT_WENT_AWAY = 499
"""The status label of a request whose client left before any answer (nginx's convention)."""


class FanoutHistogram(Collector):
    """``warroom_fanout_seconds``: a histogram that takes one value for many streams at once.

    The hub writes a commit to a hundred caught-up streams in one pass, so they all wrote it
    after the same delay; ``prometheus_client``'s ``Histogram`` would take a hundred
    ``observe`` calls (a lock each) for that. Only the event loop observes and scrapes it."""

    HELP = "from a commit reaching the server's loop to a subscriber's stream writing it"

    def __init__(self) -> None:
        self._counts = [0] * (len(FANOUT_BUCKETS) + 1)  # the last: above every bound (+Inf)
        self._sum = 0.0

    def observe(self, seconds: float, streams: int = 1) -> None:
        self._counts[bisect_left(FANOUT_BUCKETS, seconds)] += streams
        self._sum += seconds * streams

    def collect(self) -> Iterator[HistogramMetricFamily]:
        cumulative, running = [], 0
        for bound, count in zip([*map(str, FANOUT_BUCKETS), "+Inf"], self._counts):
            running += count
            cumulative.append((bound, running))
        yield HistogramMetricFamily("warroom_fanout_seconds", self.HELP, buckets=cumulative, sum_value=self._sum)


class Metrics:
    """The server's counters, on a registry of its own."""

    def __init__(self, backend: str):
        self.backend = backend
        self.answering = 0
        """Responders' requests (``/api``) in progress whose answer has not started (``Watch``)."""
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "warroom_http_requests", "HTTP requests answered, by method, route template and status", ["method", "route", "status"], registry=r
        )
        self.open_streams = Gauge("warroom_open_streams", "open SSE streams: responder (/api) or status (status page)", ["kind"], registry=r)
        self.appends = Counter("warroom_appends", "events appended, by database backend and outcome", ["backend", "outcome"], registry=r)
        self.fanout = FanoutHistogram()
        r.register(self.fanout)
        self.notify = Counter("warroom_notify_deliveries", "notification deliveries, by outcome (sent or failed)", ["outcome"], registry=r)
        self.hooks = Counter("warroom_hook_notifications", "alert hook notifications, by outcome (accepted or refused)", ["outcome"], registry=r)
        self.alerts = Counter("warroom_alerts", "alerts in accepted hook notifications: recorded, already known, dropped", ["outcome"], registry=r)
        GCCollector(registry=r)  # python_gc_collections_total{generation="2"}: the full collections, which hold the loop
        frozen = Gauge("warroom_gc_frozen_objects", "objects frozen out of the garbage collector's sight (warroom.asgi.heap)", registry=r)
        frozen.set_function(gc.get_freeze_count)
        for outcome in ("sent", "failed"):
            self.notify.labels(outcome)
        for outcome in ("accepted", "refused"):
            self.hooks.labels(outcome)
        for outcome in ALERT_OUTCOMES:
            self.alerts.labels(outcome)
        self._commits: dict[str, tuple[int, float]] = {}  # incident -> (last seq committed, when)
        # each label set's child, found once: ``labels()`` takes a lock and builds its key on every call
        self._answered: dict[tuple[str, str, int], Any] = {}
        self._appended = {outcome: self.appends.labels(backend, outcome) for outcome in APPEND_OUTCOMES}

    def count_streams(self, kind: str, count: Callable[[], int]) -> None:
        self.open_streams.labels(kind).set_function(count)

    def appended(self, outcome: str) -> None:
        child = self._appended.get(outcome)
        if child is None:  # "error": a bug's outcome, not listed up front
            child = self._appended[outcome] = self.appends.labels(self.backend, outcome)
        child.inc()

    def answered(self, method: str, route: str, status: int) -> None:
        """One HTTP request answered (``warroom_http_requests``)."""
        child = self._answered.get((method, route, status))
        if child is None:
            child = self._answered[(method, route, status)] = self.requests.labels(method, route, str(status))
        child.inc()

    def committed(self, batches: list[Any]) -> None:
        """The writer's ``on_commit`` batches (``writer.Committed``), before the hub publishes them."""
        now = time.perf_counter()
        for batch in batches:
            if batch.events:
                self._commits[batch.incident] = (batch.events[-1][0], now)

    def delivered(self, incident_id: str, after: int, upto: int, streams: int = 1) -> None:
        """``streams`` streams have written ``incident_id``'s events ``after < seq <= upto``."""
        commit = self._commits.get(incident_id)
        if commit is not None and after < commit[0] <= upto:
            self.fanout.observe(time.perf_counter() - commit[1], streams)

    def delivery(self, sent: bool) -> None:
        self.notify.labels("sent" if sent else "failed").inc()

    def hook_refused(self) -> None:
        self.hooks.labels("refused").inc()

    def hook_accepted(self, recorded: int, already_known: int, dropped: int) -> None:
        self.hooks.labels("accepted").inc()
        for outcome, n in zip(ALERT_OUTCOMES, (recorded, already_known, dropped)):
            if n:
                self.alerts.labels(outcome).inc(n)


def mount_metrics(app: FastAPI, metrics: Metrics, token: str | None) -> None:
    """``GET /metrics``: open, or with ``token`` only to ``Authorization: Bearer <token>`` (else 401)."""

    @app.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        if token and not metrics_token_matches(request.headers.get("authorization"), token):
            raise HTTPException(401, "send `Authorization: Bearer <[server] metrics_token>`", headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def note_actor(request: Request, handle: str) -> None:
    """Say who a request acts as, for its log line (``responder`` calls this)."""
    request.scope["warroom.actor"] = handle


API = "/api/"
"""The responders' routes (the status page's are ``/status``)."""


class Watch:
    """ASGI middleware: count every HTTP request by route template and status; log it when ``log_requests``."""

    def __init__(self, app: Any, metrics: Metrics, log_requests: bool):
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = CLIENT_WENT_AWAY
        metrics = self.metrics
        answering = scope["path"].startswith(API)  # a responder waits for it: Metrics.answering until its answer starts
        if answering:
            metrics.answering += 1

        async def sending(message: dict) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                status = message["status"]
                if answering:
                    answering = False
                    metrics.answering -= 1
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except BaseException:
            if status == CLIENT_WENT_AWAY:
                status = 500
            raise
        finally:
            if answering:
                metrics.answering -= 1
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            self.metrics.answered(scope["method"], route, status)
            if self.log_requests:
                self._log(scope, route, status, time.perf_counter() - started)

    @staticmethod
    def _log(scope: dict, route: str, status: int, seconds: float) -> None:
        fields: dict[str, Any] = {"request_id": uuid4().hex[:16], "method": scope["method"], "route": route}
        incident = (scope.get("path_params") or {}).get("incident_id")
        if isinstance(incident, str) and valid_incident_id(incident):
            fields["incident"] = canonical_incident_id(incident)
        if (actor := scope.get("warroom.actor")) is not None:
            fields["actor"] = actor
        fields["status"] = status
        fields["duration_ms"] = round(seconds * 1000, 2)
        requests_log.info("request", extra={"fields": fields})


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, event, and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=True)


def log_as_json() -> None:
    """Send every log record to stderr as a JSON line: warnings and worse, and each request."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in ("warroom.requests", "warroom.events"):
        logging.getLogger(name).setLevel(logging.INFO)
