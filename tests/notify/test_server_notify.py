"""``warroom serve`` sends its own notices: same records, same exactly-once across kill -9."""

from __future__ import annotations

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
            assert client.post("/api/incidents", json={"incident_id": "INC-3", "title": "Low", "severity": 3}).status_code == 201
            assert client.post("/api/incidents", json={"incident_id": "INC-1", "title": "Big", "severity": 1}).status_code == 201
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
