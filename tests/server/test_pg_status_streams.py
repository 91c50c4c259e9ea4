"""On PostgreSQL a share key revoked through one server ends its open status-page streams
on another within a second: that server hears of it by no event, only by re-checking."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import pg_server
from tests.server.harness import ServerProcess, booted_together
from tests.web.sse_socket import Stream


@pytest.fixture
def two_servers(postgres, pg_server_template, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    db = postgres.create_database(template=pg_server_template[0])
    servers = [pg_server(postgres, db, tmp_path, n, "--keepalive", "60") for n in range(2)]
    with booted_together(servers, lambda: postgres.drop_database(db)) as (a, b):
        yield a, b


def test_a_key_revoked_through_another_server_ends_its_streams_within_a_second(two_servers, pg_server_template):
    a, b = two_servers
    alice = {"Authorization": f"Bearer {pg_server_template[1]['alice']}"}
    assert httpx.post(f"{a.url}/api/incidents", json={"incident_id": "INC-PGS", "title": "shared", "published": True}, headers=alice).status_code == 201
    made = httpx.post(f"{a.url}/api/shares", json={"incident": "INC-PGS"}, headers=alice).json()
    streams = [Stream(a.url, "INC-PGS", made["key"]) for _ in range(2)]
    try:
        assert [s.status for s in streams] == [b"HTTP/1.1 200 OK"] * 2
        started = time.monotonic()
        assert httpx.post(f"{b.url}/api/shares/revoke", json={"target": made["id"]}, headers=alice).status_code == 200
        assert all(stream.ended(within=5) for stream in streams)
        took = time.monotonic() - started
        print(f"\nrevoked through the other server: streams ended {took * 1000:.0f} ms after the revoke was sent")
        assert took < 1.0
    finally:
        for stream in streams:
            stream.close()
