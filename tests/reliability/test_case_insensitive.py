"""Incident ids and handles differ only by case: the same incident, the same person.

The canonical form (ids upper case, handles lower case) is what the log holds; any case
is accepted on input: the CLI, the board, file names and the HTTP API. An existing log
that mixed cases still folds, into one responder. (The stores' contract suite checks the
same through both stores' own interface.)
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from uuid import uuid4

import httpx

from tests.server.harness import ServerProcess, cli_env, warroom
from warroom.config import Config
from warroom.incident import fold
from warroom.incident.events import parse_stored
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import board_app


def _line(seq: int, actor: str, body: dict) -> str:
    at = f"2026-11-25T09:{seq:02d}:00Z"
    return json.dumps({"seq": seq, "id": str(uuid4()), "at": at, "actor": actor, "body": body})


def test_a_log_that_mixed_cases_folds_into_one_incident_and_one_responder() -> None:
    lines = [
        _line(1, "Alice", {"type": "incident_declared", "incident_id": "inc-7", "title": "t"}),
        _line(2, "bob", {"type": "responder_joined"}),
        _line(3, "BOB", {"type": "note_added", "text": "still bob"}),
        _line(4, "alice", {"type": "role_assigned", "role": "scribe", "handle": "Bob"}),
    ]
    state = fold(parse_stored(line) for line in lines)
    assert state.id == "INC-7"
    assert list(state.responders) == ["alice", "bob"]
    assert state.commander == "alice" and state.roles == {"scribe": "bob"}
    assert [e.rejected for e in state.timeline] == [None] * 4


def test_the_cli_takes_any_case_and_the_file_is_named_canonically(cli) -> None:
    assert cli("declare", "inc-7", "--title", "Payments failing", actor="Alice").stdout.strip() == "INC-7"
    assert [p.name for p in cli.store_dir.iterdir()] == ["INC-7.jsonl"]
    assert cli("note", "Inc-7", "same incident", actor="ALICE").stdout.strip() == "INC-7 #2 alice same incident"
    again = cli("declare", "INC-7", "--title", "a second one", actor="bob", check=False)
    assert again.returncode == 1 and "INC-7 is already declared" in again.stderr
    shown = json.loads(cli("show", "inc-7", "--json").stdout)
    assert shown["id"] == "INC-7" and [r["handle"] for r in shown["responders"]] == ["alice"]


async def test_join_inc_7_opens_INC_7_as_the_same_responder(store_dir) -> None:
    store = FileStore(store_dir)
    from warroom.incident import events as ev

    store.append_sync("INC-7", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-7", title="t")))
    app = board_app(
        room=Room(FileStore(store_dir), "inc-7", "Alice"),
        config=Config(),
        clock=lambda: datetime.now(timezone.utc),
        themes_dir=store_dir.parent / "themes",
        export_folder=store_dir.parent / "exports",
    )
    async with app.run_test(size=(140, 45)) as pilot:
        for _ in range(400):
            if app.board.ready:
                break
            await pilot.pause(0.01)
        assert app.board.ready and app.board.state.declared and app.board.state.id == "INC-7"
        assert list(app.board.state.responders) == ["alice"]  # no second "Alice" joined
    assert sorted(p.name for p in store_dir.iterdir()) == ["INC-7.jsonl"]


def test_the_server_takes_any_case_in_paths_bodies_and_token_handles(start_server, tokens: dict[str, str]) -> None:
    server: ServerProcess = start_server()
    env = cli_env(home=server.db.parent)
    made = warroom("token", "add", "Frank", "--db", str(server.db), env=env)
    assert "for frank" in made.stdout
    frank = made.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        declared = http.post("/api/incidents", json={"incident_id": "inc-7", "title": "t"}, headers=headers)
        assert declared.status_code in (200, 201), declared.text
        noted = http.post(
            "/api/incidents/Inc-7/events",
            json={"actor": "ALICE", "body": {"type": "note_added", "text": "any case"}},
            headers=headers,
        )
        assert noted.status_code in (200, 201), noted.text
        joined = http.post(
            "/api/incidents/INC-7/events",
            json={"body": {"type": "responder_joined"}},
            headers={"Authorization": f"Bearer {frank}"},
        )
        assert joined.status_code in (200, 201), joined.text
        events = http.get("/api/incidents/inc-7/events", headers=headers)
        assert events.status_code == 200, events.text
    listed = events.json()
    rows = listed["events"] if isinstance(listed, dict) else listed
    assert [(e["seq"], e["actor"]) for e in rows] == [(1, "alice"), (2, "alice"), (3, "frank")]
    assert rows[0]["body"]["incident_id"] == "INC-7"
