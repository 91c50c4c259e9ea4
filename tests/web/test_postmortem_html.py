"""The HTML post-mortem in real headless Chromium (issue 25): one self-contained page that draws
every section, runs nothing and fetches nothing.

The logs are written straight into a store folder (as the file store keeps them), then the real
``warroom export --format html`` reads them -- the linked incident included -- and writes the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Cli
from tests.export.export_scenario import build_review_scenario
from tests.web.conftest import need_chromium
from warroom.incident.events import dump_stored


@pytest.fixture
def exported_page(tmp_path, store_dir):
    need_chromium()
    log, other = build_review_scenario()
    for incident_id, events in (("INC-7", log.events), ("INC-8", other.events)):
        (store_dir / f"{incident_id}.jsonl").write_text("".join(dump_stored(e) + "\n" for e in events), encoding="utf-8")
    out = tmp_path / "exports"
    result = Cli(store_dir)("export", "INC-7", "--format", "html", "--dir", str(out))
    assert result.stdout.splitlines() == [str(out / "INC-7-postmortem.html")]
    return out / "INC-7-postmortem.html"


def test_the_html_post_mortem_opens_complete_in_chromium_with_nothing_to_run_or_fetch(page: Page, exported_page, tmp_path):
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(exported_page.as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("INC-7: Customer objects expiring")
    for name in ("Summary", "Linked incidents", "Impact", "Decisions", "Timeline", "Alerts", "Who held what, when",
                 "Roles over time", "Responders", "Looking back", "Action items", "Appendix: bookkeeping"):
        expect(page.get_by_role("heading", level=2, name=name, exact=True)).to_be_visible()
    decisions = page.locator("h2:text-is('Decisions') + table")
    expect(decisions).to_contain_text("Turn the lifecycle rule off in the console")
    expect(decisions).to_contain_text("revert in Terraform (20 min); wait for the fix")
    expect(page.get_by_role("heading", level=3, name="INC-8: Terraform drift on the lifecycle rule")).to_be_visible()
    expect(page.get_by_text("lenna owns A-1 but never joined this incident")).to_be_visible()
    expect(page.locator(".bar").first).to_be_visible()  # the chart, drawn with CSS alone
    assert page.evaluate("document.scripts.length") == 0
    assert requests == [exported_page.as_uri()] and problems == []
    page.set_viewport_size({"width": 1280, "height": 900})
    shot = tmp_path / "postmortem.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_a_long_unbroken_line_wraps_inside_the_page(page: Page, tmp_path, store_dir):
    """A note holding a long URL or stack-trace token stretched the timeline table, and the page,
    to 8,000 pixels: the reader scrolled sideways past every other column. It wraps now."""
    need_chromium()
    from tests.builder import LogBuilder
    from warroom.incident import events as ev

    token = "https://logs.example.com/trace?" + "span-7f3a9c" * 80
    log = LogBuilder("INC-3")
    log.declare("alice", title="Checkout " + "x" * 150)
    log.add("alice", ev.NoteAdded(text=f"see {token}"))
    log.add("alice", ev.DecisionMade(text="Roll back", why=token, alternatives=token))
    (store_dir / "INC-3.jsonl").write_text("".join(dump_stored(e) + "\n" for e in log.events), encoding="utf-8")
    out = tmp_path / "exports"
    Cli(store_dir)("export", "INC-3", "--format", "html", "--dir", str(out))
    for width in (1280, 420):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto((out / "INC-3-postmortem.html").as_uri())
        expect(page.get_by_text(f"see {token}")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
