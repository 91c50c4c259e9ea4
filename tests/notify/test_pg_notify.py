"""Several ``warroom serve`` processes on one PostgreSQL send each notice once between them.

Every server sees every event (NOTIFY/LISTEN) and runs a notifier; the delivery records
are in the shared database, and a row is claimed before it is sent. A real HTTP sink
counts what arrives; "exactly once" is checked when every record says *sent* (nothing
can be sent after that), not after a pause.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.notify.conftest import write_config
from tests.server.harness import ServerProcess, booted_together, cli_env, make_tokens, warroom


@pytest.fixture
def two_servers(postgres, tmp_path: Path, http_sink) -> Iterator[tuple[list[ServerProcess], dict[str, str], str]]:
    home = tmp_path / "home"
    write_config(home, [f'url = "json://127.0.0.1:{http_sink.port}/hook"'])
    name = postgres.create_database(prefix="notify")
    url = postgres.url(name)
    env = cli_env(home=home)
    tokens = make_tokens(url, ["alice"], env=env)
    servers = [ServerProcess(url, log=tmp_path / f"server{n}.log", env=env) for n in range(2)]
    with booted_together(servers, lambda: postgres.drop_database(name)):
        yield servers, tokens, url


def _post(server: ServerProcess, token: str, path: str, body: dict) -> None:
    reply = httpx.post(f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert reply.status_code == 201, reply.text


def _broadcast(server: ServerProcess, token: str, text: str) -> None:
    _post(server, token, "/api/incidents/INC-1/events", {"body": {"type": "broadcast_sent", "text": text, "audience": "stakeholders"}})


def _settled(url: str, rows: int, timeout: float = 60) -> list[tuple]:
    """Wait until the records hold ``rows`` rows, all sent; returns (key, state, uncertain) per row."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            found = conn.execute("SELECT key, state, uncertain FROM notify_deliveries ORDER BY key::bigint").fetchall()
            if len(found) == rows and all(state == "sent" for _, state, _ in found):
                return found
            assert time.monotonic() < deadline, f"not settled: {found}"
            time.sleep(0.05)


def test_two_servers_on_one_database_send_every_notice_exactly_once(two_servers, http_sink):
    servers, tokens, url = two_servers
    _post(servers[0], tokens["alice"], "/api/incidents", {"incident_id": "INC-1", "title": "Checkout down", "severity": 1, "published": True})
    for n in range(30):  # through both servers in turn: each sees every event and runs a notifier
        _broadcast(servers[n % 2], tokens["alice"], f"update {n}")
    assert http_sink.wait_for(lambda s: len(s.refs()) == 31, 60), http_sink.refs()
    assert [key for key, _, _ in _settled(url, 31)] == [str(seq) for seq in range(1, 32)]
    refs = http_sink.refs()
    assert refs == {f"INC-1/{seq}": 1 for seq in range(1, 32)}, refs.most_common(3)
    status = warroom("notify", "status", "--db", url, env=servers[0].env).stdout
    assert status.strip() == f"json://127.0.0.1:{http_sink.port}: 31 sent, 0 waiting", status


def test_a_server_killed_mid_way_leaves_nothing_unsent(two_servers, http_sink):
    servers, tokens, url = two_servers
    a, b = servers
    _post(a, tokens["alice"], "/api/incidents", {"incident_id": "INC-1", "title": "Checkout down", "severity": 1, "published": True})
    for n in range(40):
        _broadcast(servers[n % 2], tokens["alice"], f"update {n}")
    assert http_sink.wait_for(lambda s: len(s.refs()) >= 5, 60)
    a.kill()  # whatever it had claimed is now claimed by a session that is gone
    for n in range(40, 60):
        _broadcast(b, tokens["alice"], f"update {n}")
    assert http_sink.wait_for(lambda s: len(s.refs()) == 61, 60), sorted(http_sink.refs())
    rows = _settled(url, 61)
    refs = http_sink.refs()
    assert set(refs) == {f"INC-1/{seq}" for seq in range(1, 62)}
    repeats = sum(count - 1 for count in refs.values())
    assert repeats <= 1 and repeats <= sum(uncertain for _, _, uncertain in rows), (refs.most_common(3), rows)
