"""``warroom serve --status-port``: the status page in a process of its own (``warroom.server.statuschild``),
keyed exactly as inside the server, following what the server commits, never outliving the server,
started again when it dies alone."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from tests.server.harness import ServerProcess, warroom


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (a child restarted by the supervising thread is that thread's)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return sorted(found)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait(condition, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _published_with_key(url: str, token: str, incident: str) -> str:
    alice = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{url}/api/incidents", json={"incident_id": incident, "title": "Storage down"}, headers=alice).status_code == 201
    published = httpx.post(f"{url}/api/incidents/{incident}/events", json={"body": {"type": "incident_published"}}, headers=alice)
    assert published.status_code == 201, published.text
    return httpx.post(f"{url}/api/shares", json={"incident": incident}, headers=alice).json()["key"]


def _status_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


async def test_the_status_port_serves_keyed_pages_and_live_updates_from_its_own_process(start_server, tokens):
    port = _free_port()
    server = start_server("--status-port", str(port))
    status = _status_url(port)
    alice = {"Authorization": f"Bearer {tokens['alice']}"}
    key = _published_with_key(server.url, tokens["alice"], "INC-SP")
    assert httpx.post(f"{server.url}/api/incidents", json={"incident_id": "INC-PRIV", "title": "private"}, headers=alice).status_code == 201
    private_key = httpx.post(f"{server.url}/api/shares", json={"incident": "INC-PRIV"}, headers=alice).json()["key"]
    assert httpx.get(f"{server.url}/healthz").json()["status_process"] is True
    children = _children(server.pid)
    assert len(children) == 1

    page = httpx.get(f"{status}/status/INC-SP", params={"key": key})
    assert page.status_code == 200 and "INC-SP" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    unknown = httpx.get(f"{status}/status/INC-SP", params={"key": "wv_" + "0" * 40})
    unpublished = httpx.get(f"{status}/status/INC-PRIV", params={"key": private_key})
    other_incident = httpx.get(f"{status}/status/INC-PRIV", params={"key": key})
    assert unknown.status_code == unpublished.status_code == other_incident.status_code == 404
    assert unknown.text == unpublished.text == other_incident.text  # the same "not found": nothing revealed
    assert httpx.get(f"{status}/api/incidents", headers=alice).status_code == 404  # only the status page here

    views: asyncio.Queue[str] = asyncio.Queue()
    async with httpx.AsyncClient(base_url=status, timeout=30) as client, httpx.AsyncClient(base_url=server.url, headers=alice) as api:

        async def follow() -> None:
            async with aconnect_sse(client, "GET", f"/status/INC-SP/stream?key={key}") as source:
                async for message in source.aiter_sse():
                    if message.event == "view":
                        await views.put(json.loads(message.data)["html"])

        follower = asyncio.create_task(follow())
        await asyncio.wait_for(views.get(), 10)
        sent = time.monotonic()
        broadcast = await api.post("/api/incidents/INC-SP/events", json={"body": {"type": "broadcast_sent", "text": "Failing over to the replica", "audience": "stakeholders"}})
        assert broadcast.status_code == 201
        html = await asyncio.wait_for(views.get(), 10)
        took = time.monotonic() - sent
        assert "Failing over to the replica" in html
        print(f"\nbroadcast reached the page on the status port in {took * 1000:.0f} ms")
        assert took < 0.5  # as inside the server (tests/web: ~0.4 s in Chromium): the follower polls every 50 ms

        share_id = (await api.get("/api/shares")).json()[0]["id"]
        revoked = await api.post("/api/shares/revoke", json={"target": key})
        assert revoked.status_code == 200, share_id
        await asyncio.wait_for(follower, 10)  # the child re-checks open keys and ends the stream
        assert (await client.get(f"/status/INC-SP?key={key}")).text == unknown.text
    assert _children(server.pid) == children


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_the_status_process_restarts_when_it_dies_alone_and_never_outlives_the_server(start_server, tokens):
    port = _free_port()
    server = start_server("--status-port", str(port))
    key = _published_with_key(server.url, tokens["alice"], "INC-LIFE")
    page = f"{_status_url(port)}/status/INC-LIFE"
    assert httpx.get(page, params={"key": key}).status_code == 200  # it serves: it has lowered its priority
    (child,) = _children(server.pid)
    assert _nice(child) == min(19, _nice(server.pid) + 10)  # nice +10 (relative: the tests may run niced)
    usable = sorted(os.sched_getaffinity(0))
    if len(usable) >= 2:  # and on the last core by default: the crowd's kernel work off the responders' cores
        assert f"Cpus_allowed_list:\t{usable[-1]}\n" in Path(f"/proc/{child}/status").read_text()
    os.kill(child, signal.SIGKILL)
    _wait(lambda: _children(server.pid) not in ([], [child]), what="a new status process")
    _wait(lambda: httpx.get(f"{server.url}/healthz").json()["status_process"], what="healthz to say it runs")
    assert httpx.get(page, params={"key": key}).status_code == 200  # the same port, handed down again
    assert f"the status page's process (pid {child}) ended with code -9; starting it again in 0.5 s" in server.log.read_text()

    (second,) = _children(server.pid)
    server.kill()  # SIGKILL: the server cannot stop it; the pipe it held closes
    _wait(lambda: not _alive(second), what="the orphaned status process to end")
    with socket.socket() as sock:  # nobody serves the status port any more
        assert sock.connect_ex(("127.0.0.1", port)) != 0

    server.start()
    (third,) = _children(server.pid)
    server.stop()  # SIGTERM: stopped with the server
    assert not _alive(third)


def test_a_status_port_that_cannot_be_had_is_one_error_line(tmp_path, server):
    result = warroom("serve", "--port", "0", "--status-port", str(server.port), "--db", str(tmp_path / "w.db"), check=False, env=server.env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"warroom serve: cannot listen on 127.0.0.1:{server.port} for the status page (--status-port): Address already in use"]
    taken = _free_port()
    same = warroom("serve", "--port", str(taken), "--status-port", str(taken), "--db", str(tmp_path / "w2.db"), check=False, env=server.env)
    assert same.returncode == 1
    assert same.stderr.strip().splitlines() == [
        f"warroom serve: --status-port {taken} is the server's own --port: give the status page a port of its own"
    ]
    assert "Traceback" not in result.stderr + same.stderr


def test_a_status_port_on_postgresql_is_one_error_line(tmp_path, server):
    result = warroom("serve", "--port", "0", "--status-port", "0", "--db", "postgresql://nobody@127.0.0.1:1/none", check=False, env=server.env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "warroom serve: --status-port needs a SQLite database for now (on PostgreSQL, several servers share the crowd)"
    ]


def test_status_cpus_hold_the_status_process_to_those_cpus_and_a_cpu_the_machine_lacks_is_one_error_line(tmp_path, server):
    cpu = max(os.sched_getaffinity(0))
    config = tmp_path / "warroom.toml"
    config.write_text(f"[server]\nstatus_cpus = [{cpu}]\n")
    env = {**server.env, "WARROOM_CONFIG_PATH": str(config)}
    port = _free_port()
    held = ServerProcess(tmp_path / "held.db", args=["--status-port", str(port)], env=env).start()
    try:
        _wait(lambda: httpx.get(f"{held.url}/healthz").json()["status_process"], what="the status process")
        (child,) = _children(held.pid)
        _wait(lambda: "Cpus_allowed_list:\t" + str(cpu) in Path(f"/proc/{child}/status").read_text(), what="the affinity")
    finally:
        held.stop()
    config.write_text("[server]\nstatus_cpus = [4096]\n")
    result = warroom("serve", "--port", "0", "--status-port", "0", "--db", str(tmp_path / "w.db"), check=False, env=env)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("warroom serve: server.status_cpus names CPUs this machine does not give it (it may use ")


def test_the_servers_connection_limits_reach_the_status_process_as_they_were_made():
    from warroom.server.protocol import ConnectionLimits
    from warroom.server.statusproc import StatusOptions, limits_as_dict

    made = ConnectionLimits(max_headers=40, header_timeout=2.5, body_timeout=3.5, write_timeout=4.5, max_connections=7, unauthenticated_share=0.25, authenticates=lambda url, headers: True)
    made.open["a connection"] = None  # what one process holds never travels
    options = StatusOptions.from_json(StatusOptions(db="w.db", limits=limits_as_dict(made)).to_json())
    child = ConnectionLimits(**options.limits)
    assert (child.max_headers, child.header_timeout, child.body_timeout, child.write_timeout, child.max_connections, child.unauthenticated_share) == (40, 2.5, 3.5, 4.5, 7, 0.25)
    assert child.authenticates is None and not child.open
