"""The status page on its own port (``[server] status_port``), in real headless Chromium: the link
``warroom share`` prints (``[server] public_url`` pointing at that port) opens there, and a broadcast
reaches the open page live, as fast as inside the server."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.server.harness import ServerProcess
from tests.web.conftest import need_chromium, share

pytestmark = pytest.mark.usefixtures("chromium_available")


@pytest.fixture
def chromium_available() -> None:
    need_chromium()


@pytest.fixture
def status_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_config(status_port: int) -> str:
    """This module's server: the status page on ``status_port``, set in the config the CLI reads too."""
    return f'[server]\nstatus_port = {status_port}\npublic_url = "http://127.0.0.1:{status_port}"\n'


def test_a_page_on_the_status_port_changes_live_in_chromium(page: Page, web_server: ServerProcess, cli, status_port: int):
    cli("alice", "declare", "INC-7", "--title", "Checkout errors", "--sev", "2")
    cli("alice", "publish", "INC-7", "--title", "Checkout errors")
    link = share(cli, "alice", "INC-7")
    assert link.startswith(f"http://127.0.0.1:{status_port}/status/INC-7?key=")
    assert httpx.get(f"{web_server.url}/healthz").json()["status_process"] is True
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout errors")
    page.wait_for_function("document.querySelector('#live').dataset.seq !== undefined")

    cli("alice", "broadcast", "INC-7", "Payments are being retried.", "--stakeholders")
    sent = time.monotonic()
    expect(page.locator(".updates-list li.entry-update").first).to_contain_text("Payments are being retried.", timeout=2000)
    took = time.monotonic() - sent
    print(f"\nbroadcast on the page (status port, Chromium) {took * 1000:.0f} ms after the command returned")
    assert took < 0.5
