"""Bad input gets a clear 4xx with a JSON reason -- never a 500, never a stored event."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.server.harness import ServerProcess
from warroom.incident.events import MAX_TEXT

EVENTS = "/api/incidents/INC-BAD/events"


@pytest.fixture(scope="module")
def client(shared_server: ServerProcess, tokens: dict[str, str]):
    with httpx.Client(base_url=shared_server.url, headers={"Authorization": f"Bearer {tokens['alice']}"}, timeout=10) as client:
        declared = client.post("/api/incidents", json={"incident_id": "INC-BAD", "title": "Bad input"})
        assert declared.status_code == 201
        yield client
    log = shared_server.log.read_text()
    assert "Traceback" not in log and "unhandled" not in log, log


def _raw(client: httpx.Client, content: bytes | str, path: str = EVENTS, content_type: str = "application/json") -> httpx.Response:
    return client.post(path, content=content, headers={"Content-Type": content_type})


def _note(text: str) -> dict:
    return {"body": {"type": "note_added", "text": text}}


BAD_BODIES = {
    "not json": b"{not json",
    "truncated": b'{"body": {"type": "note_added", "text": "hi"',
    "empty": b"",
    "null": b"null",
    "a list": b"[1, 2, 3]",
    "a string": b'"note_added"',
    "no body": b'{"id": null}',
    "unknown field": json.dumps({"body": {"type": "note_added", "text": "hi"}, "sudo": True}).encode(),
    "unknown event type": json.dumps({"body": {"type": "incident_deleted"}}).encode(),
    "no type": json.dumps({"body": {"text": "hi"}}).encode(),
    "wrong type of text": json.dumps({"body": {"type": "note_added", "text": 42}}).encode(),
    "blank text": json.dumps(_note("   ")).encode(),
    "text too long": json.dumps(_note("x" * (MAX_TEXT + 1))).encode(),
    "bad uuid": json.dumps({"id": "not-a-uuid", **_note("hi")}).encode(),
    "bad actor": json.dumps({"actor": "../root", **_note("hi")}).encode(),
    "bad workstream": json.dumps({"body": {"type": "workstream_claimed", "workstream": "../WS-1"}}).encode(),
    "severity out of range": json.dumps({"body": {"type": "severity_changed", "severity": 9}}).encode(),
    "bool for int": json.dumps({"body": {"type": "entry_starred", "target": [1]}}).encode(),
    "lone surrogate": b'{"body": {"type": "note_added", "text": "a\\ud800b"}}',
    "NaN": b'{"body": {"type": "severity_changed", "severity": NaN}}',
    "int past the parser's digit limit": b'{"body": {"type": "entry_starred", "target": ' + b"9" * 5000 + b"}}",
    "deep nesting": b'{"body": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_malformed_bodies_are_422(client: httpx.Client, name: str):
    response = _raw(client, BAD_BODIES[name])
    assert response.status_code in (400, 422), (name, response.status_code, response.text)
    assert isinstance(response.json()["detail"], str)


def test_a_declare_with_bad_fields_is_422(client: httpx.Client):
    for payload in (
        {"incident_id": "../x", "title": "t"},
        {"incident_id": "INC-1", "title": ""},
        {"incident_id": "INC-1", "title": "t", "severity": "high"},
        {"incident_id": "INC-1", "title": "t", "commander": "mallory"},
    ):
        response = client.post("/api/incidents", json=payload)
        assert response.status_code == 422, (payload, response.text)


def test_a_huge_but_valid_number_is_just_refused_by_the_rules(client: httpx.Client):
    response = _raw(client, json.dumps({"body": {"type": "entry_starred", "target": 10**400}}).encode())
    assert response.status_code == 409 and "no timeline entry" in response.json()["detail"]


@pytest.mark.parametrize(
    ("when", "status"),
    [("0001-01-01T00:00:00+05:00", 422), ("9999-12-31T23:59:00-05:00", 422), ("1900-01-01T00:00:00Z", 409)],
)
def test_implausible_key_times_are_refused(client: httpx.Client, when: str, status: int):
    """Times UTC cannot hold are malformed (422); a time UTC can hold but no incident has is refused (409)."""
    response = _raw(client, json.dumps({"body": {"type": "key_time_set", "which": "started", "time": when}}).encode())
    assert response.status_code == status
    assert ("not plausible" if status == 409 else "out of range") in str(response.json()["detail"])


def test_the_wrong_content_type_is_refused(client: httpx.Client):
    response = _raw(client, json.dumps(_note("hi")), content_type="text/plain")
    assert response.status_code == 422


def test_huge_bodies_are_413(client: httpx.Client):
    huge = json.dumps(_note("x" * 100_000)).encode()
    assert _raw(client, huge).status_code == 413
    assert client.post("/api/incidents", content=huge, headers={"Content-Type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: the limit still holds while streaming
        yield b'{"body": {"type": "note_added", "text": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}}'

    streamed = client.post(EVENTS, content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert streamed.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/incidents/..%2Fx/events",
        "/api/incidents/%2e%2e%2fx/events",
        "/api/incidents/%2e%2e/events",
        "/api/incidents/..%5cx/events",
        "/api/incidents/INC%201/events",
        "/api/incidents/" + "x" * 100 + "/events",
        "/api/incidents/%00/events",
        "/api/incidents/%2e%2e%2f%2e%2e%2fetc%2fpasswd/stream",
    ],
)
def test_unsafe_incident_ids_never_reach_the_store(client: httpx.Client, path: str):
    url = httpx.URL(client.base_url.join("/")).copy_with(raw_path=path.encode())
    for method in ("GET", "POST"):
        response = client.request(method, url, json=_note("hi"))
        assert response.status_code in (404, 405, 422), (method, path, response.status_code, response.text)
        assert response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"after": -1}, {}),
        ({"after": "one"}, {}),
        ({"after": 10**30}, {}),
        ({"limit": 0}, {}),
        ({"limit": 10**6}, {}),
        ({}, {"Last-Event-ID": "seven"}),
        ({}, {"Last-Event-ID": "-3"}),
        ({}, {"Last-Event-ID": str(10**30)}),
    ],
)
def test_bad_cursors_are_422(client: httpx.Client, params: dict, headers: dict):
    path = EVENTS if "limit" in params else "/api/incidents/INC-BAD/stream"
    with client.stream("GET", path, params=params, headers=headers) as response:
        response.read()
    assert response.status_code == 422, response.text


def test_refused_and_malformed_appends_store_nothing(client: httpx.Client):
    before = client.get(EVENTS).json()
    for name in ("unknown event type", "text too long", "severity out of range"):
        _raw(client, BAD_BODIES[name])
    assert client.get(EVENTS).json() == before


def test_unknown_routes_and_methods_are_json(client: httpx.Client):
    assert client.get("/api/nothing").status_code == 404
    response = client.delete("/api/incidents/INC-BAD/events")
    assert response.status_code == 405 and response.json()["detail"]
