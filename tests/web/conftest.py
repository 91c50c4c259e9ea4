"""Fixtures for the status page: a real ``warroom serve`` with tokens made by the real CLI.

``alice`` declares incidents (so commands them), ``carol`` is made comms, ``bob`` is a
plain member. ``cli`` runs the real ``warroom`` command against the server as someone.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.harness import ServerProcess, build_template, cli_env, copy_db, warroom

HANDLES = ("alice", "bob", "carol")
INTERNAL = (
    "SECRET-NOTE rollback of db-7 failed twice",
    "SECRET-HANDOFF try the replica next",
    "SECRET-STATUS blocked on vendor ticket 4471",
    "SECRET-COMMAND handover: pager is noisy",
    "SECRET-RESPONDER-BROADCAST only for responders",
    "SECRET-ACTION buy more disks",
)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return build_template(tmp_path_factory.mktemp("web-template"), HANDLES)


@pytest.fixture
def server_config() -> str:
    """The ``warroom.toml`` the server and the CLI read (a module overrides it for its own server)."""
    return ""


@pytest.fixture
def web_server(tmp_path: Path, web_template: tuple[Path, dict[str, str]], server_config: str) -> Iterator[ServerProcess]:
    if server_config:
        (tmp_path / "warroom.toml").write_text(server_config)
    db = copy_db(web_template[0], tmp_path / "server" / "warroom.db")
    server = ServerProcess(db, env=cli_env(home=tmp_path))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def tokens(web_template: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return web_template[1]


@pytest.fixture
def cli(web_server: ServerProcess, tokens: dict[str, str], tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """``cli("alice", "broadcast", "INC-1", "text")``: the real command as that responder."""

    def run(who: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = cli_env(home=tmp_path)
        env.update(WARROOM_SERVER=web_server.url, WARROOM_TOKEN=tokens[who])
        return warroom(*args, env=env, check=check)

    return run


def poster(url: str, tokens: dict[str, str]) -> Callable[..., dict]:
    """``post("bob", incident, {"type": "note_added", ...})``: one event through the HTTP API of the server at ``url``."""

    def post(who: str, incident: str, body: dict) -> dict:
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if body["type"] == "incident_declared":
            response = httpx.post(f"{url}/api/incidents", json={**body, "incident_id": incident}, headers=headers)
        else:
            response = httpx.post(f"{url}/api/incidents/{incident}/events", json={"body": body}, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    return post


@pytest.fixture
def act(web_server: ServerProcess, tokens: dict[str, str]) -> Callable[..., dict]:
    """``act("bob", incident, {"type": "note_added", ...})``: one event through the HTTP API (fast setup)."""
    return poster(web_server.url, tokens)


@pytest.fixture
def incident(act: Callable[..., dict]) -> str:
    """INC-7, SEV2, commanded by alice and published by her, carol is comms, bob works on it; a public update
    and every kind of internal text a stakeholder must never see."""
    act("alice", "INC-7", {"type": "incident_declared", "title": "Checkout <em>errors</em> & timeouts", "severity": 2})
    act("alice", "INC-7", {"type": "incident_published", "title": "Checkout <em>errors</em> & timeouts"})
    act("carol", "INC-7", {"type": "responder_joined"})
    act("bob", "INC-7", {"type": "responder_joined"})
    act("alice", "INC-7", {"type": "role_assigned", "role": "comms", "handle": "carol"})
    act("alice", "INC-7", {"type": "broadcast_sent", "text": "Checkout is failing for some customers; we are on it.", "audience": "stakeholders"})
    add_internal_text(act, "INC-7")
    return "INC-7"


def add_internal_text(act: Callable[..., dict], incident: str, ws: str = "WS-1") -> None:
    """Every kind of text only responders may read; ``ws`` is the number the new workstream gets."""
    act("bob", incident, {"type": "workstream_opened", "title": "Database failover"})
    act("bob", incident, {"type": "workstream_claimed", "workstream": ws})
    act("bob", incident, {"type": "workstream_status_set", "workstream": ws, "status": "blocked", "note": INTERNAL[2]})
    act("bob", incident, {"type": "handoff_offered", "workstream": ws, "to": "carol", "note": INTERNAL[1]})
    act("bob", incident, {"type": "note_added", "text": INTERNAL[0]})
    act("alice", incident, {"type": "broadcast_sent", "text": INTERNAL[4]})
    act("alice", incident, {"type": "action_item_added", "text": INTERNAL[5], "owner": "bob"})
    act("alice", incident, {"type": "command_handover_offered", "to": "bob", "note": INTERNAL[3]})


def share(cli: Callable[..., subprocess.CompletedProcess], who: str, *args: str) -> str:
    """The link ``warroom share`` prints (alone on its last line)."""
    out = cli(who, "share", *args).stdout
    return out.strip().splitlines()[-1]


def operator_share(server: ServerProcess, *args: str, check: bool = True) -> subprocess.CompletedProcess | str:
    """``warroom share *args --db`` as the operator (on the server's database, no token);
    for a key, the link it prints (alone on its last line)."""
    env = cli_env(home=server.log.parent)
    env["WARROOM_SERVER"] = server.url
    done = warroom("share", *args, "--db", str(server.db), env=env, check=check)
    if not check or (args and args[0] in ("list", "revoke")):
        return done
    return done.stdout.strip().splitlines()[-1]


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10)


# --- the browser: Debian's Chromium driven by pytest-playwright ------------------------

CHROMIUM = Path(os.environ.get("WARROOM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    *(["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # Chromium refuses root otherwise
]


def need_chromium() -> None:
    """Browser tests run wherever Chromium is; without it they fail in CI and skip, loudly, elsewhere."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but there is no Chromium at {CHROMIUM}: .ci/run installs it with apt-get")
    pytest.skip(
        f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. Install it (`apt-get install chromium`) "
        "or point WARROOM_CHROMIUM at one to run them."
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    need_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


# pytest-playwright keeps one sync Playwright for the whole session, and while it lives its event
# loop stays marked as running in the main thread: every asyncio test collected after the first
# browser test failed ("cannot be called from a running event loop"), so the suite passed only
# because tests/web sorts last. Here Playwright and its browser live for one module and are
# stopped after it, which hands the thread back without a running loop.
@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="module")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name or "chromium")


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **options: browser_type.launch(**{**browser_type_launch_args, **options})


@pytest.fixture(scope="module")
def browser(launch_browser):
    opened = launch_browser()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def browser_context_args(playwright, device, base_url):
    """pytest-playwright's, at the module's scope (it reads ``playwright`` for --device); no video."""
    return {**(playwright.devices[device] if device else {}), **({"base_url": base_url} if base_url else {})}
