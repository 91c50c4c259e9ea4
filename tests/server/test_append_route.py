"""The append route answered before FastAPI's router (``server/append.py``): the same answers, less work.

``AppendRoute`` takes only ``Content-Type: application/json``; the same request sent as
``application/vnd.warroom+json`` (JSON to FastAPI: a ``+json`` subtype) goes to the FastAPI
route, so each case below is asked both ways of one real server and must be answered alike.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from starlette.middleware import Middleware

from tests.server.harness import ServerProcess, copy_db

FAST = "application/json"
ROUTED = "application/vnd.warroom+json"


def _note(text: str, **fields: object) -> dict:
    return {**fields, "body": {"type": "note_added", "text": text}}


@pytest.fixture(scope="module")
def post(shared_server: ServerProcess, tokens: dict[str, str]):
    clients = {
        handle: httpx.Client(base_url=shared_server.url, headers={"Authorization": f"Bearer {tokens[handle]}"}, timeout=10)
        for handle in ("alice", "bob", "zed")
    }
    assert clients["alice"].post("/api/incidents", json={"incident_id": "INC-FAST", "title": "Fast path"}).status_code == 201

    def post(handle: str, path: str, payload: dict, content_type: str) -> httpx.Response:
        return clients[handle].post(path, content=json.dumps(payload), headers={"Content-Type": content_type})

    yield post
    for client in clients.values():
        client.close()
    log = shared_server.log.read_text()
    assert "Traceback" not in log and "unhandled" not in log, log


EVENTS = "/api/incidents/INC-FAST/events"
REFUSALS = {
    "another actor (403)": ("alice", EVENTS, lambda: _note("hi", actor="bob")),
    "unknown incident (404)": ("alice", "/api/incidents/INC-NONE/events", lambda: _note("hi")),
    "a mirror of no link (409)": ("alice", EVENTS, lambda: {"body": {"type": "incident_linked", "incident": "INC-GONE", "kind": "causes", "mirror": True}}),
    "a rule (409)": ("bob", EVENTS, lambda: {"body": {"type": "incident_linked", "incident": "INC-OTHER", "kind": "causes"}}),
    "a revoked token (401)": ("zed", EVENTS, lambda: _note("hi")),
    "an invalid body (422)": ("alice", EVENTS, lambda: _note("   ")),
    "an invalid id (422)": ("alice", "/api/incidents/..x/events", lambda: _note("hi")),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refusal_reads_the_same_from_both_paths(post, case: str) -> None:
    handle, path, payload = REFUSALS[case]
    fast, routed = (post(handle, path, payload(), content_type) for content_type in (FAST, ROUTED))
    assert fast.status_code == routed.status_code == int(case[-4:-1]), (fast.text, routed.text)
    assert fast.json() == routed.json()
    for header in ("content-type", "www-authenticate", "retry-after"):
        assert fast.headers.get(header) == routed.headers.get(header)


@pytest.mark.parametrize("first", [FAST, ROUTED])
def test_an_append_and_its_retry_read_the_same_from_both_paths(post, first: str) -> None:
    then = ROUTED if first == FAST else FAST
    payload = _note("stored once", id=str(uuid4()))
    created = post("alice", EVENTS, payload, first)
    assert created.status_code == 201 and created.headers["content-type"] == "application/json"
    stored = created.json()
    assert stored["actor"] == "alice" and stored["body"]["text"] == "stored once" and stored["id"] == payload["id"]
    for content_type in (then, first):
        retry = post("alice", EVENTS, payload, content_type)
        assert retry.status_code == 200 and retry.json() == stored
    clash = post("alice", EVENTS, {**_note("another action"), "id": payload["id"]}, then)
    assert clash.status_code == 409
    assert post("alice", EVENTS, {**_note("another action"), "id": payload["id"]}, first).json() == clash.json()


class _Reached:
    """Innermost middleware: records what goes on past ``AppendRoute`` to FastAPI's router."""

    def __init__(self, app, reached: list[str]):
        self.app = app
        self.reached = reached

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            self.reached.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


@pytest.fixture
def in_process(tmp_path: Path, server_template, tokens: dict[str, str]):
    """The app itself (no HTTP server: the test client calls it), on a copy of the template, with INC-1 declared,
    and the list of requests that went on past ``AppendRoute`` to FastAPI's router."""
    from warroom.server.app import create_app

    with warnings.catch_warnings():  # "use httpx2": the test client still works with httpx
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    app = create_app(copy_db(server_template[0], tmp_path / "warroom.db"))
    reached: list[str] = []
    app.user_middleware.append(Middleware(_Reached, reached=reached))
    with TestClient(app, headers={"Authorization": f"Bearer {tokens['alice']}"}) as client:
        assert client.post("/api/incidents", json={"incident_id": "INC-1", "title": "In process"}).status_code == 201
        reached.clear()
        yield app, client, reached


def test_a_well_formed_append_never_reaches_fastapis_router(in_process) -> None:
    _, client, reached = in_process
    assert client.post("/api/incidents/inc-1/events", json=_note("fast")).status_code == 201
    assert client.post("/api/incidents/INC-1/events", json=_note("fast", actor="bob")).status_code == 403
    assert client.post("/api/incidents/INC-1/events", json=_note("")).status_code == 422
    assert client.post("/api/incidents/INC-1/events", json=_note("x"), headers={"Authorization": "Bearer wr_nope"}).status_code == 401
    events = client.get("/api/incidents/INC-1/events").json()
    metrics = client.get("/metrics").text
    assert [event["body"].get("text") for event in events[1:]] == ["fast"]
    assert reached == [
        "POST /api/incidents/INC-1/events",  # an invalid body: the route says what is wrong
        "POST /api/incidents/INC-1/events",  # an unknown token
        "GET /api/incidents/INC-1/events",
        "GET /metrics",
    ]
    # counted under the route's template, as every request is
    assert 'route="/api/incidents/{incident_id}/events",status="201"' in metrics
    assert 'route="/api/incidents/{incident_id}/events",status="403"' in metrics


def test_an_unknown_token_costs_one_read_of_the_token_book(in_process, monkeypatch: pytest.MonkeyPatch) -> None:
    """``AppendRoute`` hands what it looked up to the route that answers 401, which does not ask again."""
    app, client, _ = in_process
    book = app.state.parts.tokens
    reads: list[str] = []
    read = book._rows

    def counted(sql: str, params: tuple | list = ()) -> list[tuple]:
        reads.append(sql)
        return read(sql, params)

    monkeypatch.setattr(book, "_rows", counted)
    for _ in range(3):
        refused = client.post("/api/incidents/INC-1/events", json=_note("x"), headers={"Authorization": "Bearer wr_not_a_token"})
        assert refused.status_code == 401 and refused.json()["detail"] == "unknown or revoked token"
    assert len([sql for sql in reads if "WHERE hash" in sql]) == 3
