"""Index share keys (issue 21, item 4), on a real ``warroom serve`` over SQLite and PostgreSQL.

The ``/status`` index shows every open incident, so its key is made only by the operator
(``warroom share --all --db``) or a token the operator marked admin (``warroom token
add --admin``); the operator lists and revokes every key; and a key made with a token
stops working when that token is revoked -- a leaked token leaves no keys behind.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import DB_KINDS, server_starter, template_tokens
from tests.server.harness import ServerProcess, cli_env, make_tokens, warroom
from tests.web.conftest import get, operator_share


@pytest.fixture(params=DB_KINDS)
def running(request: pytest.FixtureRequest, tmp_path: Path):
    """A server with alice commanding INC-1 and INC-2 (bob is a plain member), and its tokens."""
    started: list[ServerProcess] = []
    try:
        server = server_starter(request.param, request, tmp_path, started)()
        tokens = dict(template_tokens(request.param, request))
        for incident in ("INC-1", "INC-2"):
            made = httpx.post(
                f"{server.url}/api/incidents", json={"incident_id": incident, "title": f"Checkout {incident}", "published": True},
                headers={"Authorization": f"Bearer {tokens['alice']}"},
            )
            assert made.status_code == 201, made.text
        yield server, tokens
    finally:
        for server in started:
            server.stop()


def as_token(server: ServerProcess, token: str, *args: str, check: bool = True):
    env = cli_env(home=server.log.parent)
    env.update(WARROOM_SERVER=server.url, WARROOM_TOKEN=token)
    return warroom(*args, env=env, check=check)


def api_share(server: ServerProcess, token: str, body: dict) -> httpx.Response:
    return httpx.post(f"{server.url}/api/shares", json=body, headers={"Authorization": f"Bearer {token}"})


def opens(server: ServerProcess, link_or_key: str) -> dict[str, bool]:
    """Which of /status, /status/INC-1 and /status/INC-2 the key opens."""
    key = link_or_key.split("key=")[-1]
    return {page: get(f"{server.url}{page}?key={key}").status_code == 200 for page in ("/status", "/status/INC-1", "/status/INC-2")}


EVERYTHING = {"/status": True, "/status/INC-1": True, "/status/INC-2": True}
NOTHING = {"/status": False, "/status/INC-1": False, "/status/INC-2": False}


def admin_token(server: ServerProcess, handle: str) -> tuple[str, str]:
    """``warroom token add HANDLE --admin`` as the operator runs it: (token, its id)."""
    out = warroom("token", "add", handle, "--admin", "--db", str(server.db), env=cli_env(home=server.log.parent)).stdout
    assert "(admin: it may make /status index share keys)" in out
    return out.strip().splitlines()[-1], out.split()[1]


def test_only_the_operator_or_an_admin_token_makes_an_index_key(running) -> None:
    server, tokens = running
    refused = api_share(server, tokens["bob"], {})
    assert refused.status_code == 403 and refused.json()["detail"].startswith("only an admin token or the operator may make an index key")
    assert api_share(server, tokens["alice"], {}).status_code == 403  # commanding incidents is not enough
    cli = as_token(server, tokens["alice"], "share", "--all", check=False)
    assert cli.returncode == 1 and "only an admin token or the operator" in cli.stderr and "Traceback" not in cli.stderr

    root, _ = admin_token(server, "root")
    listed = warroom("token", "list", "--db", str(server.db), env=cli_env(home=server.log.parent)).stdout
    assert [line.split()[2] for line in listed.splitlines() if line.split()[1] == "root"] == ["admin"]
    assert {t["handle"]: t["admin"] for t in json.loads(warroom("token", "list", "--json", "--db", str(server.db)).stdout)} == {
        "alice": False, "bob": False, "carol": False, "dave": False, "erin": False, "zed": False, "root": True,
    }
    made = as_token(server, root, "share", "--all").stdout.strip().splitlines()[-1]
    assert made.startswith(f"{server.url}/status?key=wv_") and opens(server, made) == EVERYTHING

    by_operator = operator_share(server, "--all")
    assert by_operator.startswith(f"{server.url}/status?key=wv_") and opens(server, by_operator) == EVERYTHING


def test_revoking_a_token_ends_the_keys_it_made(running) -> None:
    server, tokens = running
    root, _ = admin_token(server, "root")
    index = api_share(server, root, {}).json()
    incident_key = api_share(server, tokens["alice"], {"incident": "INC-1"}).json()
    operators = operator_share(server, "--all")
    assert opens(server, index["key"]) == EVERYTHING and opens(server, incident_key["key"])["/status/INC-1"]

    with httpx.stream("GET", f"{server.url}/status/INC-1/stream", params={"key": index["key"], "after": 0}, timeout=30) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": connected"
        warroom("token", "revoke", "root", "--db", str(server.db), env=cli_env(home=server.log.parent))
        assert opens(server, index["key"]) == NOTHING  # at once for a page load
        deadline = time.monotonic() + 10
        for n in range(30):  # an open stream: ended on its next push once the re-check sees it
            if time.monotonic() > deadline:
                break
            httpx.post(f"{server.url}/api/incidents/INC-1/events", json={"body": {"type": "note_added", "text": f"n{n}"}},
                       headers={"Authorization": f"Bearer {tokens['alice']}"})
            time.sleep(0.3)
            if stream.is_closed:
                break
        rest = "\n".join(lines)
    assert "event: gone" in rest

    warroom("token", "revoke", "alice", "--db", str(server.db), env=cli_env(home=server.log.parent))
    assert opens(server, incident_key["key"]) == NOTHING
    assert opens(server, operators) == EVERYTHING  # the operator's own key belongs to no token
    listed = operator_share(server, "list").stdout
    assert f"{index['id']}" in listed and "stopped: root's token was revoked" in listed
    assert "stopped: alice's token was revoked" in listed


def test_the_operator_lists_and_revokes_every_key_and_a_commander_may_not_revoke_the_index(running) -> None:
    server, tokens = running
    root, _ = admin_token(server, "root")
    index = api_share(server, root, {}).json()
    incident_key = api_share(server, tokens["alice"], {"incident": "INC-2"}).json()
    operators = operator_share(server, "--all")
    operators_id = next(s["id"] for s in json.loads(operator_share(server, "list", "--json").stdout) if s["created_by"] == "operator")
    listed = json.loads(operator_share(server, "list", "--json").stdout)
    # keys made in the same second list in id order: which comes first is not the point here
    assert {(s["id"], s["created_by"]) for s in listed} == {(index["id"], "root"), (incident_key["id"], "alice"), (operators_id, "operator")}
    assert index["key"] not in json.dumps(listed)

    denied = as_token(server, tokens["alice"], "share", "revoke", operators_id, check=False)  # alice commands both incidents
    assert denied.returncode == 1 and "only an admin token or the operator may revoke an index key" in denied.stderr
    assert "revoked" in as_token(server, root, "share", "revoke", operators_id).stdout  # an admin may
    assert opens(server, operators) == NOTHING

    for share in (index, incident_key):
        assert "revoked " + share["id"] in operator_share(server, "revoke", share["id"]).stdout
        assert opens(server, share["key"]) == NOTHING
    missing = operator_share(server, "revoke", "shr_nope", check=False)
    assert missing.returncode == 1 and "no share key 'shr_nope'" in missing.stderr and "Traceback" not in missing.stderr


def test_an_older_sqlite_database_gains_the_columns_and_its_keys_follow_their_makers(tmp_path: Path) -> None:
    """A database from before admin tokens: its tokens are not admin, its keys are tied to their makers' tokens."""
    db = tmp_path / "warroom.db"
    conn = sqlite3.connect(db)
    conn.executescript(
        """
        CREATE TABLE tokens (id TEXT PRIMARY KEY, handle TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE share_keys (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, incident TEXT NOT NULL, created_by TEXT NOT NULL,
                                 created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT);
        INSERT INTO tokens VALUES ('tok_bob00001', 'bob', 'h1', '2026-12-01T00:00:00Z', NULL);
        INSERT INTO tokens VALUES ('tok_gone0001', 'gone', 'h2', '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z');
        INSERT INTO share_keys VALUES ('shr_bob', 'k1', '*', 'bob', '2026-12-05T00:00:00Z', '2099-01-01T00:00:00Z', NULL);
        INSERT INTO share_keys VALUES ('shr_gone', 'k2', 'INC-1', 'gone', '2026-12-05T00:00:00Z', '2099-01-01T00:00:00Z', NULL);
        """
    )
    conn.close()
    env = cli_env(home=tmp_path)
    tokens = json.loads(warroom("token", "list", "--json", "--db", str(db), env=env).stdout)
    assert [(t["handle"], t["admin"]) for t in tokens] == [("bob", False), ("gone", False)]
    keys = {s["id"]: s for s in json.loads(warroom("share", "list", "--json", "--db", str(db), env=env).stdout)}
    assert (keys["shr_bob"]["created_by_token"], keys["shr_bob"]["maker_revoked"]) == ("tok_bob00001", False)
    assert keys["shr_gone"]["maker_revoked"] is True
    warroom("token", "revoke", "bob", "--db", str(db), env=env)
    assert json.loads(warroom("share", "list", "--json", "--db", str(db), env=env).stdout)[0]["maker_revoked"] is True
    make_tokens(db, ["carol"], env=env)  # and the upgraded file keeps working for new tokens


def test_an_older_postgresql_database_is_migrated_and_its_keys_follow_their_makers(postgres, tmp_path: Path, monkeypatch) -> None:
    """Migration 5 on a database at version 4, with a token and keys made before it."""
    import psycopg

    from warroom.db import pgschema

    url = postgres.url(postgres.create_database(prefix="mig"))
    monkeypatch.setattr(pgschema, "MIGRATIONS", [m for m in pgschema.MIGRATIONS if m[0] <= 4])
    pgschema.upgrade(url)  # versions 1 to 4 only
    monkeypatch.undo()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO tokens VALUES ('tok_bob00001', 'bob', 'h1', '2026-12-01T00:00:00Z', NULL)")
        conn.execute("INSERT INTO share_keys VALUES ('shr_bob', 'k1', '*', 'bob', '2026-12-05T00:00:00Z', '2099-01-01T00:00:00Z', NULL)")
        conn.execute("INSERT INTO share_keys VALUES ('shr_nobody', 'k2', 'INC-1', 'nobody', '2026-12-05T00:00:00Z', '2099-01-01T00:00:00Z', NULL)")
    env = cli_env(home=tmp_path)
    assert f"upgraded from version 4 to {pgschema.SCHEMA_VERSION}" in warroom("db", "upgrade", "--db", url, env=env).stdout
    assert [(t["handle"], t["admin"]) for t in json.loads(warroom("token", "list", "--json", "--db", url, env=env).stdout)] == [("bob", False)]
    keys = {s["id"]: s for s in json.loads(warroom("share", "list", "--json", "--db", url, env=env).stdout)}
    assert (keys["shr_bob"]["created_by_token"], keys["shr_bob"]["maker_revoked"], keys["shr_nobody"]["maker_revoked"]) == ("tok_bob00001", False, True)
    warroom("token", "revoke", "bob", "--db", url, env=env)
    assert json.loads(warroom("share", "list", "--json", "--db", url, env=env).stdout)[0]["maker_revoked"] is True
