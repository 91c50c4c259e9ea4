"""Who may call what: every endpoint x {no token, unknown token, revoked token, member, commander, viewer}.

The viewer holds a status-page share key for INC-AUTH: it opens ``/status`` pages and
nothing else (every ``/api`` route answers 401, exactly as for an unknown token).

Every test runs on both databases a server can use: SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.server.conftest import server_starter
from tests.server import kinds
from tests.server.kinds import server_of_kind
from tests.server.harness import ServerProcess, warroom

db_kind, tokens = kinds.db_kind, kinds.tokens  # module-scoped fixtures: one server per kind for the module

IDENTITIES = ("none", "unknown", "revoked", "member", "commander", "viewer")
SHARE_KEY: dict[str, str] = {}
_fresh = itertools.count(1)


def headers_for(identity: str, tokens: dict[str, str]) -> dict[str, str]:
    token = {
        "none": None,
        "unknown": "wr_" + "x" * 43,
        "revoked": tokens["zed"],
        "member": tokens["bob"],
        "commander": tokens["alice"],
        "viewer": SHARE_KEY.get("INC-AUTH"),
    }[identity]
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture(scope="module")
def shared_server(db_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with server_of_kind(db_kind, request, tmp_path_factory.mktemp(f"auth-{db_kind}")) as server:
        yield server


@pytest.fixture
def start_server(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:
    started: list[ServerProcess] = []
    try:
        yield server_starter(db_kind, request, tmp_path, started)
    finally:
        for one in started:
            one.stop()


@pytest.fixture
def server(start_server) -> ServerProcess:
    return start_server()


@pytest.fixture(scope="module")
def incident(shared_server: ServerProcess, tokens: dict[str, str]) -> str:
    """INC-AUTH, declared by alice (so alice commands it); bob has joined."""
    with httpx.Client(base_url=shared_server.url) as client:
        declared = client.post(
            "/api/incidents",
            json={"incident_id": "INC-AUTH", "title": "Auth matrix", "published": True},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
        )
        assert declared.status_code == 201, declared.text
        joined = client.post(
            "/api/incidents/INC-AUTH/events",
            json={"body": {"type": "responder_joined"}},
            headers={"Authorization": f"Bearer {tokens['bob']}"},
        )
        assert joined.status_code == 201, joined.text
        shared = client.post("/api/shares", json={"incident": "INC-AUTH"}, headers={"Authorization": f"Bearer {tokens['alice']}"})
        assert shared.status_code == 201, shared.text
        SHARE_KEY["INC-AUTH"] = shared.json()["key"]
    return "INC-AUTH"


def _request(client: httpx.Client, endpoint: str, identity: str, tokens: dict[str, str]) -> httpx.Response:
    headers = headers_for(identity, tokens)
    other = "bob" if identity == "commander" else "alice"
    match endpoint:
        case "healthz":
            return client.get("/healthz", headers=headers)
        case "me":
            return client.get("/api/me", headers=headers)
        case "list":
            return client.get("/api/incidents", headers=headers)
        case "declare":
            return client.post("/api/incidents", json={"incident_id": f"INC-A{next(_fresh)}", "title": "t"}, headers=headers)
        case "declare-existing":
            return client.post("/api/incidents", json={"incident_id": "INC-AUTH", "title": "again"}, headers=headers)
        case "read":
            return client.get("/api/incidents/INC-AUTH/events", params={"after": 0}, headers=headers)
        case "read-unknown":
            return client.get("/api/incidents/INC-NOPE/events", headers=headers)
        case "state":
            return client.get("/api/incidents/INC-AUTH/state", headers=headers)
        case "state-unknown":
            return client.get("/api/incidents/INC-NOPE/state", headers=headers)
        case "note":
            return client.post("/api/incidents/INC-AUTH/events", json={"body": {"type": "note_added", "text": "hi"}}, headers=headers)
        case "note-as-other":
            body = {"actor": other, "body": {"type": "note_added", "text": "it was them"}}
            return client.post("/api/incidents/INC-AUTH/events", json=body, headers=headers)
        case "broadcast":
            body = {"body": {"type": "broadcast_sent", "text": "status: investigating"}}
            return client.post("/api/incidents/INC-AUTH/events", json=body, headers=headers)
        case "stream" | "stream-unknown":
            incident = "INC-AUTH" if endpoint == "stream" else "INC-NOPE"
            with client.stream("GET", f"/api/incidents/{incident}/stream", headers=headers) as response:
                if response.status_code == 200:
                    assert response.headers["content-type"].startswith("text/event-stream")
                    assert next(response.iter_lines()) == ": connected"
                else:
                    response.read()
                return response
        case "share":
            return client.post("/api/shares", json={"incident": "INC-AUTH"}, headers=headers)
        case "share-list":
            return client.get("/api/shares", headers=headers)
        case "status-page" | "status-index" | "status-stream":
            key = headers.get("Authorization", " ").split(" ", 1)[1] or None
            path = {"status-page": "/status/INC-AUTH", "status-index": "/status", "status-stream": "/status/INC-AUTH/stream"}[endpoint]
            with client.stream("GET", path, params={"key": key} if key else {}) as response:
                if response.headers["content-type"].startswith("text/event-stream"):
                    assert next(response.iter_lines()) == ": connected"
                else:
                    response.read()
                return response
    raise AssertionError(endpoint)


UNAUTHORISED = {"none": 401, "unknown": 401, "revoked": 401}
MATRIX = {
    # endpoint:            member, commander (the three bad tokens are always 401)
    "healthz": (200, 200),
    "me": (200, 200),
    "list": (200, 200),
    "declare": (201, 201),
    "declare-existing": (409, 409),
    "read": (200, 200),
    "read-unknown": (404, 404),
    "state": (200, 200),
    "state-unknown": (404, 404),
    "note": (201, 201),
    "note-as-other": (403, 403),
    "broadcast": (409, 201),  # commander-only: the rule refuses the member
    "stream": (200, 200),
    "stream-unknown": (404, 404),
    "share": (403, 201),  # commander or comms only
    "share-list": (200, 200),
}
# The status pages take the key in the query string; without a good one they are "not found".
STATUS = {"none": 404, "unknown": 404, "revoked": 404, "member": 200, "commander": 200, "viewer": 200}
STATUS_ENDPOINTS = ("status-page", "status-index", "status-stream")


@pytest.mark.parametrize("endpoint", STATUS_ENDPOINTS)
def test_the_status_page_column(shared_server: ServerProcess, tokens: dict[str, str], incident: str, endpoint: str):
    with httpx.Client(base_url=shared_server.url, timeout=10) as client:
        got = {identity: _request(client, endpoint, identity, tokens).status_code for identity in IDENTITIES}
    assert got == STATUS


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_the_auth_matrix(shared_server: ServerProcess, tokens: dict[str, str], incident: str, endpoint: str):
    member, commander = MATRIX[endpoint]
    expected = {**UNAUTHORISED, "member": member, "commander": commander, "viewer": 401}  # a share key never opens /api
    if endpoint == "healthz":
        expected.update(none=200, unknown=200, revoked=200, viewer=200)
    got = {}
    with httpx.Client(base_url=shared_server.url, timeout=10) as client:
        for identity in IDENTITIES:
            response = _request(client, endpoint, identity, tokens)
            got[identity] = response.status_code
            assert response.headers["content-type"].startswith(("application/json", "text/event-stream", "application/vnd.warroom.checkpoint"))
            if response.status_code >= 400:
                assert isinstance(response.json()["detail"], str) and response.json()["detail"]
            if response.status_code == 401:
                assert response.headers.get("www-authenticate") == "Bearer"
    assert got == expected


def test_the_actor_is_always_the_tokens_owner(shared_server: ServerProcess, tokens: dict[str, str], incident: str):
    with httpx.Client(base_url=shared_server.url, headers={"Authorization": f"Bearer {tokens['bob']}"}) as client:
        same = client.post("/api/incidents/INC-AUTH/events", json={"actor": "bob", "body": {"type": "note_added", "text": "mine"}})
        assert same.status_code == 201 and same.json()["actor"] == "bob"
        silent = client.post("/api/incidents/INC-AUTH/events", json={"body": {"type": "note_added", "text": "no actor"}})
        assert silent.status_code == 201 and silent.json()["actor"] == "bob"
        forged = client.post("/api/incidents/INC-AUTH/events", json={"actor": "alice", "body": {"type": "broadcast_sent", "text": "x"}})
        assert forged.status_code == 403 and "cannot act as alice" in forged.json()["detail"]
        sneaky = client.post("/api/incidents/INC-AUTH/events", json={"body": {"type": "note_added", "text": "x", "actor": "alice"}})
        assert sneaky.status_code == 422  # no actor inside a body either
        events = client.get("/api/incidents/INC-AUTH/events").json()
    assert all(e["actor"] in ("alice", "bob") for e in events)
    assert not any(e["body"].get("text") == "x" for e in events)


def test_revoking_takes_effect_within_a_second(server: ServerProcess, tokens: dict[str, str]):
    made = warroom("token", "add", "frank", "--db", str(server.db))
    token = made.stdout.strip().splitlines()[-1]
    if isinstance(server.db, Path):
        assert token.startswith("wr_") and token not in server.db.read_bytes().decode("latin-1")
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/me").json()["handle"] == "frank"  # looked up, and kept for a moment
        warroom("token", "revoke", "frank", "--db", str(server.db))
        revoked_at = time.monotonic()
        while (status := client.get("/api/me").status_code) == 200:  # every server keeps a lookup for 0.5 s at most
            assert time.monotonic() - revoked_at < 1.0, "a revoked token still worked a second later"
            time.sleep(0.02)
        assert status == 401
        assert client.get("/api/incidents").status_code == 401


def test_a_declare_retry_returns_the_original(server: ServerProcess, tokens: dict[str, str]):
    event_id = str(uuid4())
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['alice']}"}) as client:
        first = client.post("/api/incidents", json={"id": event_id, "incident_id": "INC-R", "title": "retry me"})
        again = client.post("/api/incidents", json={"id": event_id, "incident_id": "INC-R", "title": "retry me"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
