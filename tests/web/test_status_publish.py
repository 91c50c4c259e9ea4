"""Issue 26 on a real ``warroom serve``: publish, components, past incidents, feeds, caching.

Until its commander or comms publishes it, an incident's page, stream and feed answer
exactly like an unknown incident's, and the index does not list it; once published, the
public title and summary (never the internal title) are what every page and feed says.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import httpx
import pytest

from tests.server.harness import ServerProcess
from tests.web.conftest import get, operator_share, share

INTERNAL_TITLE = "Disk /var 97% on db-1"
COMPONENTS = '[[component]]\nname = "Storage API"\ngroup = "Storage"\n\n[[component]]\nname = "Login"\n'


@pytest.fixture
def with_components(tmp_path: Path) -> Path:
    """The team's config (read by the CLI and by the server, which starts after this fixture)."""
    path = tmp_path / "warroom.toml"
    path.write_text(COMPONENTS)
    return path


@pytest.fixture
def server(with_components: Path, web_server: ServerProcess) -> ServerProcess:
    return web_server


def test_a_private_incident_is_not_found_until_published_then_shows_only_its_public_text(server, cli):
    cli("alice", "declare", "INC-5", "--title", INTERNAL_TITLE, "--sev", "2")
    cli("alice", "broadcast", "INC-5", "Uploads fail for some users.", "--stakeholders")
    link = share(cli, "alice", "INC-5")
    everything = operator_share(server, "--all")
    key = link.split("key=")[1]
    unknown = get(f"{server.url}/status/INC-404?key={key}")
    private = {path: get(f"{server.url}/status/INC-5{path}?key={key}") for path in ("", "/stream", "/feed.atom")}
    assert {path: r.status_code for path, r in private.items()} == dict.fromkeys(private, 404)
    assert private[""].text == unknown.text
    assert "INC-5" not in get(everything).text and "INC-5" not in get(f"{server.url}/status/feed.atom?key={everything.split('key=')[1]}").text

    bob = cli("bob", "publish", "INC-5", "--title", "Uploads failing", check=False)
    assert bob.returncode != 0 and len(bob.stderr.strip().splitlines()) == 1 and "only the commander" in bob.stderr
    said = cli("alice", "publish", "INC-5", "--title", "Uploads failing", "--summary", "Some uploads fail; downloads work.")
    assert 'published the incident: public title "Uploads failing"' in said.stdout
    page = get(link)
    assert page.status_code == 200 and "Uploads failing" in page.text and "Some uploads fail; downloads work." in page.text
    index = get(everything)
    assert "Uploads failing" in index.text
    for text in (page.text, index.text, get(f"{server.url}/status/INC-5/feed.atom?key={key}").text):
        assert INTERNAL_TITLE not in text and "db-1" not in text
    again = cli("alice", "publish", "INC-5", check=False)
    assert again.returncode != 0 and "already public" in again.stderr


def test_components_show_on_the_index_and_the_incident_page(server, cli):
    cli("alice", "declare", "INC-6", "--title", "Object store errors", "--sev", "2")
    cli("alice", "publish", "INC-6", "--title", "Storage errors")
    bad = cli("alice", "affect", "INC-6", "Storage", "major", check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Storage API, Login" in bad.stderr.replace("Login, Storage API", "Storage API, Login")
    cli("alice", "affect", "INC-6", "storage api", "partial")  # any case, as the config names it
    everything = operator_share(server, "--all")
    index = get(everything).text
    assert "Storage API</span> <span class=\"impact\">Partial outage" in index
    assert "Login</span> <span class=\"impact\">Operational" in index
    page = get(share(cli, "alice", "INC-6")).text
    assert "Affected components" in page and "Partial outage" in page and "Storage API: Partial outage" in page
    cli("alice", "affect", "INC-6", "Storage API", "operational")
    assert "Storage API</span> <span class=\"impact\">Operational" in get(everything).text


def test_the_index_lists_the_worst_first_and_closed_ones_as_past_with_their_duration(server, cli):
    for incident, sev in (("INC-21", "3"), ("INC-22", "1"), ("INC-23", "3")):
        cli("alice", "declare", incident, "--title", f"internal {incident}", "--sev", sev)
        cli("alice", "publish", incident, "--title", f"Public {incident}")
    cli("alice", "publish", "INC-23", "--summary", "Fixed: a bad config push, rolled back.")
    cli("alice", "close", "INC-23", "--force")
    html = get(operator_share(server, "--all")).text
    open_part, _, past = html.partition("Past incidents")
    assert open_part.index("INC-22") < open_part.index("INC-21")  # SEV1 before SEV3
    assert "INC-23" not in open_part and "INC-23" in past and "lasted 0 min" in past
    assert "Fixed: a bad config push, rolled back." in past


def test_feeds_are_valid_atom_linked_from_their_pages_and_keyed_like_them(server, cli):
    cli("alice", "declare", "INC-7", "--title", "internal", "--sev", "2")
    cli("alice", "publish", "INC-7", "--title", "Checkout slow")
    cli("alice", "broadcast", "INC-7", "We are looking into slow checkouts.", "--stakeholders")
    cli("alice", "status", "INC-7", "mitigated")
    link = share(cli, "alice", "INC-7")
    key = link.split("key=")[1]
    page = get(link)
    assert '<link rel="alternate" type="application/atom+xml"' in page.text and f"/status/INC-7/feed.atom?key={key}" in page.text
    response = get(f"{server.url}/status/INC-7/feed.atom?key={key}")
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["cache-control"] == "private, no-store"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10" and feed.feed.title == "INC-7: Checkout slow"
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "INC-7 Monitoring: Status: Monitoring"
    assert "INC-7 Investigating: We are looking into slow checkouts." in titles
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    assert get(f"{server.url}/status/INC-7/feed.atom").status_code == 404  # no key, no feed
    index_key = operator_share(server, "--all").split("key=")[1]
    index_feed = feedparser.parse(get(f"{server.url}/status/feed.atom?key={index_key}").content)
    assert not index_feed.bozo and [entry.title for entry in index_feed.entries] == ["INC-7 Monitoring: Checkout slow"]


def test_pages_and_feeds_answer_304_to_their_etag_and_the_favicon_is_served(server, cli):
    cli("alice", "declare", "INC-8", "--title", "internal", "--sev", "2")
    cli("alice", "publish", "INC-8")
    link = share(cli, "alice", "INC-8")
    for url in (link, link.replace("/INC-8?", "/INC-8/feed.atom?")):
        first = get(url)
        assert first.status_code == 200 and first.headers["etag"].startswith('"')
        again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]}, timeout=10)
        assert again.status_code == 304 and again.content == b"" and again.headers["cache-control"] == "private, no-store"
    before = get(link).headers["etag"]
    cli("alice", "broadcast", "INC-8", "News.", "--stakeholders")
    assert httpx.get(link, headers={"If-None-Match": before}, timeout=10).status_code == 200
    icon = get(f"{server.url}/status/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml" and b"<svg" in icon.content
    assert 'rel="icon" href="/status/static/favicon.svg"' in get(link).text
