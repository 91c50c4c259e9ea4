"""Watching a real ``warroom serve``: ``/metrics`` counts what happened, by route template and
never by raw path; the metrics token guards it; ``--log-format json`` writes one JSON object per
request and event and none of the secrets the requests carried."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.notify.conftest import write_config
from tests.notify.sinks import HttpSink, free_port
from tests.server.conftest import DB_KINDS, server_starter, template_tokens
from tests.server.harness import ServerProcess, warroom

PAYLOADS = Path(__file__).parent / "payloads"
METRICS_TOKEN = "metrics-" + uuid.uuid4().hex
NOTE_TEXT = "the db password is hunter2-" + uuid.uuid4().hex[:8]

Samples = dict[tuple[str, frozenset], float]


def scrape(url: str, token: str | None = METRICS_TOKEN) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = httpx.get(f"{url}/metrics", headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def eventually(url: str, holds: Callable[[Samples], bool], timeout: float = 20.0) -> Samples:
    """Scrape until ``holds`` (the server reaches it on its own: a stream closing, a delivery failing)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(url)
        if holds(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.05)


def read_until(lines, predicate: Callable[[str], bool]) -> None:
    for line in lines:
        if predicate(line):
            return
    raise AssertionError("the stream ended first")


@pytest.mark.parametrize("kind", DB_KINDS)
def test_metrics_count_requests_streams_appends_fanout_hooks_and_notifications_and_the_json_log_keeps_secrets(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    started: list[ServerProcess] = []
    with HttpSink() as sink:
        write_config(  # the servers read their config from tmp_path
            tmp_path,
            [f'url = "json://127.0.0.1:{sink.port}/hook"', f'url = "json://127.0.0.1:{free_port()}/nobody-listens"'],
            extra=f'[server]\nmetrics_token = "{METRICS_TOKEN}"\n',
        )
        try:
            server = server_starter(kind, request, tmp_path, started)("--log-format", "json")
            token = template_tokens(kind, request)["alice"]
            hook = warroom("hook", "add", "am", "--kind", "alertmanager", "--db", str(server.db), env=server.env).stdout
            secret = hook.strip().splitlines()[-1].rsplit("/hooks/", 1)[1]
            key = _exercise(server, token, secret, sink, "sqlite" if kind == "sqlite" else "postgresql")
        finally:
            for one in started:
                one.stop()
    log = server.log.read_text()
    for secret_text in (token, METRICS_TOKEN, key, secret, NOTE_TEXT, "key="):
        assert secret_text not in log
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is one JSON object
    requests = [line for line in lines if line["event"] == "request"]
    note = next(r for r in requests if r["method"] == "POST" and r["route"] == "/api/incidents/{incident_id}/events")
    assert note["incident"] == "INC-1" and note["actor"] == "alice" and note["status"] == 201
    assert isinstance(note["duration_ms"], float) and len(note["request_id"]) == 16
    assert any(r["route"] == "/hooks/{secret}" and r["status"] == 200 and "actor" not in r for r in requests)
    assert len({r["request_id"] for r in requests}) == len(requests)
    assert any(line["logger"] == "warroom.notify" and line["level"] == "warning" for line in lines)


def _exercise(server: ServerProcess, token: str, secret: str, sink: HttpSink, backend: str) -> str:
    url = server.url
    assert httpx.get(f"{url}/metrics").status_code == 401
    assert httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer not-it"}).status_code == 401
    before = scrape(url)
    alice = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=alice, timeout=10) as client:
        assert client.post("/api/incidents", json={"incident_id": "INC-1", "title": "Checkout down", "severity": 1, "published": True}).status_code == 201
        note = {"id": str(uuid.uuid4()), "body": {"type": "note_added", "text": NOTE_TEXT}}
        assert client.post("/api/incidents/INC-1/events", json=note).status_code == 201
        assert client.post("/api/incidents/INC-1/events", json=note).status_code == 200  # a retry
        assert client.get("/api/incidents/INC-9/events").status_code == 404
        assert client.get("/no/such/page").status_code == 404
        key = client.post("/api/shares", json={"incident": "INC-1"}).json()["key"]
        with client.stream("GET", "/api/incidents/INC-1/stream") as live, httpx.stream("GET", f"{url}/status/INC-1/stream?key={key}") as status:
            assert live.status_code == 200 and status.status_code == 200
            lines = live.iter_lines()
            read_until(lines, lambda line: line == "id: 2")
            open_now = scrape(url)
            assert value(open_now, "warroom_open_streams", kind="responder") == 1
            assert value(open_now, "warroom_open_streams", kind="status") == 1
            assert client.post("/api/incidents/INC-1/events", json={"body": {"type": "note_added", "text": "live"}}).status_code == 201
            read_until(lines, lambda line: line == "id: 3")
    assert httpx.post(f"{url}/hooks/{secret}", content=(PAYLOADS / "alertmanager-firing.json").read_bytes()).status_code == 200
    assert httpx.post(f"{url}/hooks/whk_not-a-hook", content=b"{}").status_code == 401
    assert sink.wait_for(lambda s: len(s.messages) >= 1, 30)
    after = eventually(
        url,
        lambda s: value(s, "warroom_open_streams", kind="responder") == 0
        and value(s, "warroom_open_streams", kind="status") == 0
        and value(s, "warroom_notify_deliveries_total", outcome="failed") >= 1
        and value(s, "warroom_notify_deliveries_total", outcome="sent") >= 1
        and value(s, "warroom_fanout_seconds_count") >= 1,
    )

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "warroom_http_requests_total"
    assert moved(requests, method="POST", route="/api/incidents", status="201") == 1
    assert moved(requests, method="POST", route="/api/incidents/{incident_id}/events", status="201") == 2
    assert moved(requests, method="POST", route="/api/incidents/{incident_id}/events", status="200") == 1
    assert moved(requests, method="GET", route="/api/incidents/{incident_id}/events", status="404") == 1
    assert moved(requests, method="GET", route="unmatched", status="404") == 1
    assert moved(requests, method="GET", route="/api/incidents/{incident_id}/stream", status="200") == 1
    assert moved(requests, method="POST", route="/hooks/{secret}", status="200") == 1
    assert moved(requests, method="POST", route="/hooks/{secret}", status="401") == 1
    assert value(before, requests, method="GET", route="/metrics", status="401") == 2
    # the hook declared INC-2 and recorded its two alerts: three more appends
    assert moved("warroom_appends_total", backend=backend, outcome="created") == 3 + 3
    assert moved("warroom_appends_total", backend=backend, outcome="retried") == 1
    assert moved("warroom_hook_notifications_total", outcome="accepted") == 1
    assert moved("warroom_hook_notifications_total", outcome="refused") == 1
    assert moved("warroom_alerts_total", outcome="recorded") == 2
    assert moved("warroom_alerts_total", outcome="already_known") == 0
    assert value(after, "warroom_fanout_seconds_count") >= 1  # the live note, written to the responder's stream
    labels = " ".join(v for _, pairs in after for _, v in pairs)
    assert "INC-" not in labels and secret not in labels and key not in labels and "whk_" not in labels
    return key


def test_metrics_are_open_without_a_token_and_the_text_log_stays_quiet(start_server) -> None:
    server = start_server()
    samples = scrape(server.url, token=None)
    assert value(samples, "warroom_open_streams", kind="responder") == 0
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    server.stop()
    assert '"event"' not in server.log.read_text()


def test_a_scraper_with_the_metrics_token_counts_as_authenticated(tmp_path: Path) -> None:
    """The connection budget asks ``head_credentials``: the metrics token opens /metrics, nothing else."""
    from warroom.server.app import create_app

    heads = create_app(tmp_path / "warroom.db", metrics_token=METRICS_TOKEN).state.head_credentials
    bearer = [(b"authorization", f"Bearer {METRICS_TOKEN}".encode())]
    assert heads(b"/metrics", bearer)
    assert not heads(b"/metrics", [(b"authorization", b"Bearer not-it")])
    assert not heads(b"/api/incidents", bearer)
    assert not create_app(tmp_path / "open.db").state.head_credentials(b"/metrics", bearer)


def test_the_fanout_histogram_takes_many_streams_at_once_and_reads_as_prometheus_own():
    from prometheus_client import CollectorRegistry, Histogram, generate_latest

    from warroom.server.watch import FANOUT_BUCKETS, Metrics

    ours = Metrics("sqlite")
    registry = CollectorRegistry()
    theirs = Histogram("warroom_fanout_seconds", ours.fanout.HELP, buckets=FANOUT_BUCKETS, registry=registry)
    for seconds, streams in ((0.003, 100), (0.0005, 1), (0.05, 2), (7.0, 1)):  # on a bound, past the last one
        ours.fanout.observe(seconds, streams)
        for _ in range(streams):
            theirs.observe(seconds)

    def fanout_lines(text: bytes) -> list[str]:
        return [line for line in text.decode().splitlines() if "warroom_fanout_seconds" in line and "_created" not in line]

    assert fanout_lines(generate_latest(ours.registry)) == fanout_lines(generate_latest(registry))
