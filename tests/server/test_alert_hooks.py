"""Alert webhooks on a real ``warroom serve``: real-shaped Alertmanager, Grafana and generic payloads
replayed, deduplicated, resolved -- and hostile ones refused or bounded, never a 500."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from tests.server.harness import ServerProcess, cli_env, warroom
from warroom.incident import fold
from warroom.incident.events import StoredEvent

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def hook_url(server: ServerProcess, name: str = "alertmanager", kind: str = "alertmanager") -> str:
    """``warroom hook add`` as an operator runs it; the URL is alone on the last line."""
    out = warroom("hook", "add", name, "--kind", kind, "--db", str(server.db), "--url", server.url, env=cli_env(home=server.log.parent)).stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"{server.url}/hooks/whk_") and " " not in last
    return last


def events(server: ServerProcess, token: str, incident: str) -> list[StoredEvent]:
    reply = httpx.get(f"{server.url}/api/incidents/{incident}/events", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    return [StoredEvent.model_validate(e) for e in reply.json()]


def strings(value) -> list[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def post(url: str, body: bytes, **kwargs) -> httpx.Response:
    reply = httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=30, **kwargs)
    assert reply.status_code < 500, reply.text
    return reply


def test_alertmanager_notifications_open_one_incident_append_dedupe_and_resolve(any_server) -> None:
    server, tokens = any_server
    url = hook_url(server)
    first = post(url, payload("alertmanager-firing.json"))
    assert first.status_code == 200, first.text
    assert first.json() | {"detail": ""} == {
        "incident": "INC-1", "declared": True, "recorded": 2, "repeated": 0, "dropped": 0, "detail": "", "notes": [],
    }
    log = events(server, tokens["alice"], "INC-1")
    declared, fired = log[0], log[1:]
    assert declared.actor == "alertmanager" and declared.body.title == "EU checkout p99 latency above 2s"
    assert declared.body.severity == 1  # the critical alert decides
    assert [e.type for e in fired] == ["alert_fired", "alert_fired"] and {e.actor for e in fired} == {"alertmanager"}
    assert fired[0].body.labels["instance"] == "checkout-api-7f9c:8080"
    assert [link.title for link in fired[0].body.links] == ["source", "runbook"]
    assert fired[0].body.links[0].url.endswith("&g0.tab=1")
    state = fold(log)
    assert state.commander is None and state.responders == {}
    assert state.key_times["detected"] == datetime(2026, 11, 25, 9, 14, 3, 157076, tzinfo=timezone.utc)

    again = post(url, payload("alertmanager-firing.json"))
    assert (again.json()["incident"], again.json()["recorded"], again.json()["repeated"]) == ("INC-1", 0, 2)
    assert len(events(server, tokens["alice"], "INC-1")) == 3  # a repeated notification adds nothing

    one = post(url, payload("alertmanager-one-resolved.json")).json()
    assert (one["recorded"], one["repeated"]) == (1, 1)
    done = post(url, payload("alertmanager-resolved.json")).json()
    assert (done["recorded"], done["repeated"]) == (1, 1)
    state = fold(events(server, tokens["alice"], "INC-1"))
    assert state.all_alerts_resolved and not state.closed and state.status == "investigating"
    assert state.timeline[-1].text == "alert resolved: CheckoutLatencyHigh on checkout-api-7f9c:8080 (every alert of this incident has resolved)"
    assert post(url, payload("alertmanager-resolved.json")).json()["recorded"] == 0


def test_a_closed_incident_is_not_reopened_a_new_firing_declares_the_next(server: ServerProcess, tokens: dict) -> None:
    url = hook_url(server)
    assert post(url, payload("alertmanager-firing.json")).json()["incident"] == "INC-1"
    auth = {"Authorization": f"Bearer {tokens['alice']}"}
    for body in ({"type": "command_assumed"}, {"type": "incident_closed", "summary": "rolled back"}):
        reply = httpx.post(f"{server.url}/api/incidents/INC-1/events", json={"body": body}, headers=auth)
        assert reply.status_code == 201, reply.text
    assert post(url, payload("alertmanager-resolved.json")).json()["incident"] is None  # nothing open: nothing recorded
    second = post(url, payload("alertmanager-firing.json")).json()
    assert (second["incident"], second["declared"]) == ("INC-2", True)


def test_grafana_and_generic_hooks(server: ServerProcess, tokens: dict) -> None:
    grafana = post(hook_url(server, "grafana", "grafana"), payload("grafana-firing.json")).json()
    generic = post(hook_url(server, "ci-monitor", "generic"), payload("generic-firing.json")).json()
    g = fold(events(server, tokens["alice"], grafana["incident"]))
    assert (g.title, g.severity, g.declared_by) == ("EU card payment errors above 5%", 2, "grafana")
    assert [t for t, _ in next(iter(g.alerts.values())).links] == ["source", "runbook", "dashboard", "panel", "silence"]
    assert g.key_times["detected"] == datetime(2026, 11, 25, 9, 2, 10, tzinfo=timezone.utc)
    c = fold(events(server, tokens["alice"], generic["incident"]))
    assert (c.title, c.severity, c.declared_by) == ("Search index 40 minutes behind in EU", 3, "ci-monitor")
    assert c.alerts["search-lag-eu"].labels == {"service": "search", "region": "eu", "severity": "warning"}
    # a generic alert is named by its title: it said "alert firing: Search index ... in EU: Search index ... in EU [..."
    assert c.timeline[1].text.startswith("alert firing: Search index 40 minutes behind in EU [region=eu")


def test_secrets_are_not_tokens_and_revoked_hooks_stop(any_server) -> None:
    server, tokens = any_server
    url = hook_url(server)
    secret = url.rsplit("/", 1)[1]
    assert post(f"{server.url}/hooks/{tokens['alice']}", payload("alertmanager-firing.json")).status_code == 401
    assert post(f"{server.url}/hooks/whk_nope", payload("alertmanager-firing.json")).status_code == 401
    assert httpx.get(f"{server.url}/api/incidents", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    listed = json.loads(warroom("hook", "list", "--json", "--db", str(server.db)).stdout)
    assert [(h["name"], h["kind"], h["revoked_at"]) for h in listed] == [("alertmanager", "alertmanager", None)]
    assert secret not in json.dumps(listed)
    assert "revoked" in warroom("hook", "revoke", "alertmanager", "--db", str(server.db)).stdout
    refused = post(url, payload("alertmanager-firing.json"))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


@pytest.fixture(scope="module")
def shared_hook(shared_server: ServerProcess) -> str:
    return hook_url(shared_server)


MALFORMED = [
        (b"{not json", 422, "malformed JSON"),
        (b"[]", 422, "expected a JSON object"),
        (b'{"version": "4", "status": "firing"}', 422, "alerts is missing"),
        (b'{"version": "4", "alerts": "x"}', 422, "alerts must be a list"),
        (b'{"version": "4", "alerts": []}', 422, "nothing to record"),
        (b'{"version": "3", "alerts": [{"labels": {}}]}', 422, "version '3' is not supported"),
        (b'{"version": "4", "alerts": [{"labels": {"a": 1}}]}', 422, "labels.a must be a string"),
        (b'{"version": "4", "alerts": [{"status": "exploded"}]}', 422, 'must be "firing" or "resolved"'),
        (b'{"version": "4", "alerts": [{"startsAt": "yesterday"}]}', 422, "not an RFC 3339 time"),
        (b"\xff\xfe\x00", 422, "not UTF-8 JSON"),
        (b"[" * 100_000 + b"]" * 100_000, 422, "JSON"),
]


@pytest.mark.parametrize(("body", "status", "words"), MALFORMED, ids=[f"case{i}" for i in range(len(MALFORMED))])
def test_malformed_payloads_are_refused_in_one_line(shared_hook: str, body: bytes, status: int, words: str) -> None:
    reply = post(shared_hook, body)
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert words in detail and "\n" not in detail and len(detail) < 300


def test_ten_megabytes_are_refused_before_parsing(server: ServerProcess) -> None:
    url = hook_url(server)
    big = b'{"alerts": [' + b'{"labels": {"a": "' + b"x" * (10 * 1024 * 1024) + b'"}}]}'
    reply = post(url, big)
    assert reply.status_code == 413 and "max_alerts" in reply.json()["detail"]
    chunked = post(url, iter([big[i : i + 65536] for i in range(0, len(big), 65536)]))  # no Content-Length
    assert chunked.status_code == 413
    assert post(url, payload("alertmanager-firing.json")).status_code == 200  # the server is fine


def test_ten_thousand_alerts_in_one_group_are_bounded(server: ServerProcess, tokens: dict) -> None:
    alerts = [{"labels": {"alertname": "NodeDown", "n": str(i)}} for i in range(10_000)]  # ~0.5 MB
    body = json.dumps({"version": "4", "groupKey": "{}:{alertname=\"NodeDown\"}", "status": "firing", "alerts": alerts}).encode()
    reply = post(hook_url(server), body)
    assert reply.status_code == 200, reply.text
    out = reply.json()
    assert (out["recorded"], out["dropped"]) == (100, 9_900) and "at most 100 per notification" in out["notes"][0]
    assert len(events(server, tokens["alice"], out["incident"])) == 101


def test_control_characters_in_labels_are_made_visible_not_stored(server: ServerProcess, tokens: dict) -> None:
    doc = json.loads(payload("alertmanager-firing.json"))
    doc["alerts"][0]["labels"]["instance"] = "evil\x1b]0;pwned\x07\x1b[2J\u202eoh"
    doc["alerts"][0]["annotations"]["summary"] = "Checkout\x1b[31m down\r\nreally"
    doc["groupKey"] = "{}:{alertname=\"x\x1b\"}"
    reply = post(hook_url(server), json.dumps(doc).encode())
    assert reply.status_code == 200, reply.text
    log = events(server, tokens["alice"], reply.json()["incident"])
    assert not [text for text in strings([e.model_dump(mode="json") for e in log]) if re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)]
    fired = log[1].body
    assert fired.labels["instance"] == "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eoh"
    assert log[0].body.title == "Checkout\\x1b[31m down really"


def test_the_access_log_never_shows_a_hook_secret() -> None:
    import logging

    from warroom.server.receiver import _access_filter

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "POST", "/hooks/whk_s3cret", "1.1", 200), None)
    _access_filter.filter(record)
    assert "s3cret" not in record.getMessage() and "/hooks/whk_…" in record.getMessage()
