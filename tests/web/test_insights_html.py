"""``warroom insights --html`` in real headless Chromium: the page draws its charts as inline
SVG, runs nothing and fetches nothing; and ``warroom insights`` reads a real server too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Cli
from tests.insights.test_cli_insights import write_scenario
from tests.web.conftest import need_chromium


@pytest.fixture
def insights_page(tmp_path: Path, store_dir: Path, isolated_environment: Path) -> Path:
    need_chromium()
    write_scenario(store_dir)
    (isolated_environment / "warroom.toml").write_text("[insights]\nout_of_hours_flag_hours = 5\n", encoding="utf-8")
    page = tmp_path / "insights.html"
    Cli(store_dir)("insights", "--since", "30d", "--html", str(page))
    return page


def test_the_insights_page_opens_complete_in_chromium_with_nothing_to_run_or_fetch(page: Page, insights_page: Path, tmp_path: Path) -> None:
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(insights_page.as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights across incidents")
    for name in ("Flags", "Incidents per week", "Time to detect, acknowledge, mitigate and resolve", "Responder load", "Action items"):
        expect(page.get_by_role("heading", level=2, name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("carol: 6 h out of hours (more than 5 h)")).to_be_visible()
    expect(page.locator("h2:text-is('Responder load') ~ table").first).to_contain_text("America/New_York")
    charts = page.locator("svg")
    expect(charts).to_have_count(2)
    for index in range(2):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 500 and box["height"] > 60
    # A bar is drawn for each responder, longest (carol, 7 h) first, and says its number on hover.
    bars = page.locator("h2:text-is('Responder load') + svg rect[height='16']")
    assert bars.count() >= 5
    assert "carol: out of hours 6 h" in page.locator("h2:text-is('Responder load') + svg").inner_html()
    assert page.evaluate("document.scripts.length") == 0
    assert requests == [insights_page.as_uri()] and problems == []
    shot = tmp_path / "insights.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_insights_read_every_incident_on_a_server(cli) -> None:  # noqa: ANN001 (the web conftest's fixture)
    cli("alice", "declare", "--title", "Checkout down", "--sev", "1")
    cli("bob", "shift", "INC-1", "on", "--tz", "Asia/Tokyo")
    cli("alice", "action", "INC-1", "Add a canary", "--owner", "bob")
    doc = json.loads(cli("bob", "insights", "--json").stdout)
    assert doc["incidents"] == 1 and doc["by_severity"][0]["incidents"] == 1
    assert {r["handle"]: (r["tz"], r["incidents"]) for r in doc["responders"]} == {"alice": ("UTC", 1), "bob": ("Asia/Tokyo", 1)}
    assert doc["action_items"]["opened"] == 1
