"""A page refused its live stream (429: the key's or the server's streams are all taken) comes
back by itself, in real headless Chromium: it asks the server when (``Retry-After``), waits at
least that long, and follows the incident again without a reload.

Before, ``EventSource`` gave up for good after a 429 (it retries network errors, never an
HTTP refusal): the page sat behind its "reconnecting" banner until its reader reloaded it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from tests.server.harness import ServerProcess, cli_env, copy_db
from tests.web.conftest import need_chromium, share
from tests.web.sse_socket import Stream

pytestmark = pytest.mark.usefixtures("chromium_available")

RETRY_AFTER = 5  # what the server's 429 for a status stream says (warroom.web.routes)


@pytest.fixture
def chromium_available() -> None:
    need_chromium()


@pytest.fixture
def web_server(tmp_path: Path, web_template: tuple[Path, dict[str, str]]) -> Iterator[ServerProcess]:
    """The conftest's server, with one live stream per key."""
    db = copy_db(web_template[0], tmp_path / "server" / "warroom.db")
    server = ServerProcess(db, args=["--status-streams-per-key", "1"], env=cli_env(home=tmp_path))
    try:
        yield server.start()
    finally:
        server.stop()


def _stream(response: Response, status: int) -> bool:
    return "/stream?" in response.url and response.status == status


def test_a_refused_page_waits_for_retry_after_then_follows_live(page: Page, web_server, incident, cli, act):
    link = share(cli, "alice", incident)
    held = Stream(web_server.url, incident, link.split("key=")[1])  # the key's one stream
    try:
        refusals: list[float] = []

        def second_refusal(response: Response) -> bool:  # the stream's, then the page asking when to come back
            if _stream(response, 429):
                refusals.append(time.monotonic())
                assert response.headers["retry-after"] == str(RETRY_AFTER)
            return len(refusals) == 2

        with page.expect_response(second_refusal, timeout=10_000):
            page.goto(link)
        expect(page.locator("#connection")).to_be_visible()
        page.evaluate("window.notReloaded = true")
    finally:
        held.close()  # a place for the page, which must not take it before Retry-After has passed
    with page.expect_response(lambda r: _stream(r, 200), timeout=20_000):
        pass
    waited = time.monotonic() - refusals[1]
    assert RETRY_AFTER - 0.2 <= waited <= RETRY_AFTER * 1.5 + 2, waited
    expect(page.locator("#connection")).to_be_hidden()

    act("alice", incident, {"type": "broadcast_sent", "text": "Back on the live stream.", "audience": "stakeholders"})
    expect(page.locator(".updates-list li.entry-update").first).to_contain_text("Back on the live stream.", timeout=3000)
    assert page.evaluate("window.notReloaded") is True
