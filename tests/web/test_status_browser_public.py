"""Issue 26 in real headless Chromium: publishing, components, labelled live updates, local
time, the reconnect banner through a server restart, and the page's shape at phone and
desktop sizes in light and dark.

Every wait is on the DOM (Playwright's ``expect`` polls); nothing sleeps.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.server.harness import ServerProcess
from tests.web.conftest import need_chromium, poster, share

pytestmark = pytest.mark.usefixtures("chromium_available")

COMPONENTS = '[[component]]\nname = "Storage API"\n\n[[component]]\nname = "Login"\n'
SIZES = ((390, 844), (1280, 800))
HEADINGS = ["Key facts", "Affected components", "Updates", "What is being worked on"]


@pytest.fixture
def chromium_available() -> None:
    need_chromium()


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> ServerProcess:
    (tmp_path / "warroom.toml").write_text(COMPONENTS)  # before the server starts: it reads the components too
    return request.getfixturevalue("web_server")


def _declared(cli) -> str:
    cli("alice", "declare", "INC-42", "--title", "Disk /var 97% on auth-db-1", "--sev", "2")
    return "INC-42"


def _published(cli, declare: bool = True) -> str:
    if declare:
        _declared(cli)
    cli("alice", "publish", "INC-42", "--title", "Login failures in the EU", "--summary", "Some customers cannot log in.")
    cli("alice", "affect", "INC-42", "Login", "major")
    cli("alice", "ws", "open", "INC-42", "Roll back the auth deploy")
    cli("alice", "broadcast", "INC-42", "We are investigating failed logins.", "--stakeholders")
    return "INC-42"


def test_publish_then_follow_labelled_updates_in_local_time(browser: Browser, server, cli):
    link = share(cli, "alice", _declared(cli))
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    try:
        page = context.new_page()
        assert page.goto(link).status == 404  # type: ignore[union-attr]
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        _published(cli, declare=False)
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Login failures in the EU")
        assert "auth-db-1" not in page.content()
        expect(page.locator(".affected")).to_contain_text("Login Major outage")
        updated = page.locator(".updated time")
        expect(updated).to_contain_text("EST")  # the reader's zone (New York in December), not UTC
        assert updated.get_attribute("datetime").endswith("Z")  # type: ignore[union-attr]
        expect(page.locator("#zone")).to_have_text("Times in your time zone (America/New_York).")
        page.wait_for_function("document.querySelector('#live').dataset.seq !== undefined")

        cli("alice", "status", "INC-42", "identified")
        cli("alice", "broadcast", "INC-42", "Found it: a bad auth deploy.", "--stakeholders")
        newest = page.locator(".updates-list li.entry-update").first
        expect(newest).to_contain_text("Found it: a bad auth deploy.", timeout=3000)
        expect(newest.locator(".label")).to_have_text("Identified")
        expect(newest.locator("time")).to_contain_text("EST")  # a pushed fragment is localised too
        expect(page.locator(".updates-list li.entry-status").first).to_contain_text("Status: Identified")
        expect(page.locator("#status")).to_have_text("Identified")
        cli("alice", "affect", "INC-42", "Storage API", "degraded")
        expect(page.locator(".affected")).to_contain_text("Storage API Degraded performance", timeout=3000)
        expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).to_have_count(1)
    finally:
        context.close()
    plain = browser.new_context(java_script_enabled=False, timezone_id="America/New_York")
    try:
        page = plain.new_page()
        page.goto(link)
        expect(page.locator(".updated time")).to_contain_text(" UTC")
        expect(page.locator(".updated time")).to_contain_text("2026")
    finally:
        plain.close()


def test_the_banner_stays_in_view_through_a_restart_and_the_page_recovers(page: Page, server, cli, tokens):
    incident = _published(cli)
    post = poster(server.url, tokens)
    for n in range(25):  # a long page: the banner must not be at its far end (over HTTP: 25 CLI runs took 30-60 s)
        text = f"Update {n}: still working on it, with enough words to wrap a line or two."
        post("alice", incident, {"type": "broadcast_sent", "text": text, "audience": "stakeholders"})
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(share(cli, "alice", incident))
    page.wait_for_function("document.querySelector('#live').dataset.seq !== undefined")
    banner = page.locator("#connection")
    expect(banner).to_be_hidden()
    server.stop()
    expect(banner).to_be_visible(timeout=10_000)
    box = banner.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844, box
    server.start()
    expect(banner).to_be_hidden(timeout=15_000)
    cli("alice", "broadcast", incident, "Back after the restart.", "--stakeholders")
    expect(page.locator(".updates-list li.entry-update").first).to_contain_text("Back after the restart.", timeout=5000)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_at_phone_and_desktop_sizes(browser: Browser, server, cli, tmp_path: Path, scheme: str):
    incident = _published(cli)
    cli("alice", "status", incident, "mitigated")
    link = share(cli, "alice", incident)
    context = browser.new_context(color_scheme=scheme, timezone_id="Europe/Berlin")  # type: ignore[arg-type]
    try:
        page = context.new_page()
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(link)
            expect(page.locator("#status")).to_have_text("Monitoring")
            assert page.locator("main h2").all_inner_texts() == HEADINGS
            assert page.locator(".updates-list li .label").all_inner_texts()[:2] == ["Monitoring", "Investigating"]
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
            path = tmp_path / f"status-{scheme}-{width}x{height}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
            page.goto(link.replace(f"/{incident}?", "?"))  # the index, as this key sees it
            assert page.locator("main h2").all_inner_texts() == ["Components", "Open incidents"]
            expect(page.locator(".component-list")).to_contain_text("Login Major outage")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.screenshot(path=str(tmp_path / f"index-{scheme}-{width}x{height}.png"), full_page=True)
    finally:
        context.close()
    print(f"screenshots in {tmp_path}")
