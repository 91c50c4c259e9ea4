"""``warroom serve`` sends its own notices: same records, same exactly-once across kill -9."""

from __future__ import annotations

import asyncio

import httpx

from tests.notify.conftest import write_config
from tests.server.harness import ServerProcess, cli_env, make_tokens


def test_the_server_notifies_and_survives_kill_9(tmp_path, http_sink):
    home = tmp_path / "home"
    write_config(home, [f'url = "json://127.0.0.1:{http_sink.port}/hook"\nmin_severity = 2'])
    db = tmp_path / "server" / "warroom.db"
    env = cli_env(home=home)
    token = make_tokens(db, ["alice"], env=env)["alice"]
    server = ServerProcess(db, env=env).start()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            assert client.post("/api/incidents", json={"incident_id": "INC-3", "title": "Low", "severity": 3, "published": True}).status_code == 201
            assert client.post("/api/incidents", json={"incident_id": "INC-1", "title": "Big", "severity": 1, "published": True}).status_code == 201
            for n in range(30):
                body = {"body": {"type": "broadcast_sent", "text": f"update {n}", "audience": "stakeholders"}}
                assert client.post("/api/incidents/INC-1/events", json=body).status_code == 201
        assert http_sink.wait_for(lambda s: len(s.messages) >= 10, 30)
        server.kill()
        server.start()
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            body = {"body": {"type": "broadcast_sent", "text": "after the crash", "audience": "stakeholders"}}
            assert client.post("/api/incidents/INC-1/events", json=body).status_code == 201
        assert http_sink.wait_for(lambda s: "INC-1/32" in s.refs(), 30)
    finally:
        server.stop()
    refs = http_sink.refs()
    assert set(refs) == {f"INC-1/{seq}" for seq in range(1, 33)}  # SEV3's INC-3 is below min_severity
    assert sum(count - 1 for count in refs.values()) <= 1, refs.most_common(3)
    assert "Traceback" not in server.log.read_text()


async def test_a_failing_target_reaches_the_commanders_board_through_the_server(tmp_path):
    from tests.notify.sinks import free_port
    from warroom.store.http import HttpStore
    from warroom.tui.widgets.deliveries import failing_on_server

    home = tmp_path / "home"
    write_config(home, [f'url = "json://127.0.0.1:{free_port()}/nobody-listens"'])
    db = tmp_path / "server" / "warroom.db"
    env = cli_env(home=home)
    token = make_tokens(db, ["alice"], env=env)["alice"]
    server = ServerProcess(db, env=env).start()
    store = HttpStore(server.url, token=token)
    try:
        await store.append("INC-1", ev_declare())
        lines: list[str] = []
        for _ in range(300):  # the first attempt fails within moments; poll its record
            lines = await failing_on_server(store)
            if lines:
                break
            await asyncio.sleep(0.05)
        assert len(lines) == 1 and lines[0].startswith("json://127.0.0.1:") and "failed deliveries, last error" in lines[0]
        async with httpx.AsyncClient(base_url=server.url) as anonymous:
            assert (await anonymous.get("/api/notify/failing")).status_code == 401
    finally:
        await store.aclose()
        server.stop()


def ev_declare():
    from warroom.incident import events as ev

    return ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="x", severity=1, published=True))
