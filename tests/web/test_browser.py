"""The status page in real headless Chromium: what a stakeholder with only a link sees.

Every wait is on the DOM (Playwright's ``expect`` polls until the condition holds or
the timeout passes); nothing sleeps.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import need_chromium, share

pytestmark = pytest.mark.usefixtures("chromium_available")


@pytest.fixture
def chromium_available() -> None:
    need_chromium()


def _declare(cli) -> str:
    """A responder declares and publishes with the CLI and posts a stakeholder update."""
    cli("alice", "declare", "INC-42", "--title", "Login failures <b>EU</b>", "--sev", "2")
    cli("alice", "publish", "INC-42", "--title", "Login failures <b>EU</b>")
    cli("alice", "ws", "open", "INC-42", "Roll back the auth deploy")
    cli("alice", "broadcast", "INC-42", "Some EU customers cannot log in. Next update in 30 minutes.", "--stakeholders")
    return "INC-42"


def test_a_stakeholder_watches_the_incident_change_live(page: Page, web_server, cli, tmp_path):
    incident = _declare(cli)
    link = share(cli, "alice", incident)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Login failures <b>EU</b>")
    expect(page.locator("#severity")).to_have_text("SEV2")
    expect(page.locator(".updates-list li.entry-update")).to_have_count(1)
    expect(page.get_by_text("Roll back the auth deploy")).to_be_visible()
    page.wait_for_function("document.querySelector('#live').dataset.seq !== undefined")

    cli("alice", "broadcast", incident, "Rollback started; logins recovering.", "--stakeholders")
    sent = time.monotonic()
    first = page.locator(".updates-list li.entry-update").first
    expect(first).to_contain_text("Rollback started; logins recovering.", timeout=2000)  # no reload
    assert time.monotonic() - sent < 2.0
    expect(page.locator(".updates-list li.entry-update")).to_have_count(2)

    cli("alice", "sev", incident, "1")
    expect(page.locator("#severity")).to_have_text("SEV1", timeout=2000)
    expect(page.locator("#severity")).to_have_class("badge sev-1")
    expect(page.locator("#announce")).to_contain_text("Severity is now SEV1")

    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        path = tmp_path / f"status-{width}x{height}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    print(f"screenshots in {tmp_path}")


def test_expired_revoked_and_wrong_keys_get_the_same_not_found_page(page: Page, web_server, cli, tmp_path):
    from datetime import timedelta

    from warroom.db.shares import ShareBook

    incident = _declare(cli)
    revoked = share(cli, "alice", incident)
    cli("alice", "share", "revoke", revoked.split("key=")[1])
    book = ShareBook(web_server.db)
    try:
        _, expired_key = book.add(incident, "alice", timedelta(seconds=-1), token=None)
    finally:
        book.close()
    base = f"{web_server.url}/status/{incident}"
    seen = {}
    for name, url in {"revoked": revoked, "expired": f"{base}?key={expired_key}", "wrong": f"{base}?key=wv_nope"}.items():
        response = page.goto(url)
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        seen[name] = page.content()
    assert seen["revoked"] == seen["expired"] == seen["wrong"]
    assert "Login failures" not in seen["wrong"]


def test_without_javascript_the_page_is_complete_and_refreshes(browser, web_server, cli):
    incident = _declare(cli)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(share(cli, "alice", incident))
        expect(page.locator("#severity")).to_have_text("SEV2")
        expect(page.locator(".updates-list li.entry-update")).to_have_count(1)
        assert page.locator('noscript meta[http-equiv="refresh"]').count() == 1 or 'http-equiv="refresh"' in page.content()
    finally:
        context.close()


def test_dark_mode_follows_the_system(browser, web_server, cli):
    incident = _declare(cli)
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(share(cli, "alice", incident))
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(18, 20, 23)"
    finally:
        context.close()
