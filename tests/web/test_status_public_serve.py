"""``[status] public = true`` on ``warroom serve``: the status page opens without a key, so a CDN
in front of several servers may serve the crowd (issue 26 item 8). Published incidents only; a
wrong key is still "not found"; keyless live streams count against the total cap alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.harness import ServerProcess, cli_env, copy_db
from tests.web.conftest import INTERNAL, add_internal_text, get, poster


@pytest.fixture
def public_server(tmp_path: Path, web_template: tuple[Path, dict[str, str]]) -> Iterator[ServerProcess]:
    (tmp_path / "warroom.toml").write_text(
        '[status]\npublic = true\n[server]\npublic_url = "https://status.example.com"\nstatus_streams_per_key = 1\n'
    )
    server = ServerProcess(copy_db(web_template[0], tmp_path / "server" / "warroom.db"), env=cli_env(home=tmp_path))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def post(public_server: ServerProcess, tokens: dict[str, str]) -> Callable[..., dict]:
    return poster(public_server.url, tokens)


def test_a_public_server_opens_published_pages_without_a_key_for_a_cdn_to_cache(public_server, post):
    post("alice", "INC-1", {"type": "incident_declared", "title": "internal words", "severity": 2})
    post("alice", "INC-1", {"type": "incident_published", "title": "Search is slow"})
    post("alice", "INC-2", {"type": "incident_declared", "title": "not published yet"})
    post("carol", "INC-1", {"type": "responder_joined"})
    post("bob", "INC-1", {"type": "responder_joined"})
    add_internal_text(post, "INC-1")
    base = f"{public_server.url}/status"
    for path in ("", "/INC-1", "/INC-1/feed.atom", "/feed.atom"):
        page = get(f"{base}{path}")
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "public, max-age=10", path
        assert httpx.get(f"{base}{path}", headers={"If-None-Match": page.headers["etag"]}, timeout=10).status_code == 304, path
        assert all(text not in page.text for text in (*INTERNAL, "internal words", "not published yet")), path
    assert "Search is slow" in get(f"{base}/INC-1").text
    assert get(f"{base}/INC-2").status_code == 404  # private until published, key or not
    assert get(f"{base}/INC-1?key=wv_{'x' * 43}").status_code == 404  # a wrong key opens nothing


def test_keyless_live_streams_are_capped_by_the_total_alone(public_server, post):
    """``status_streams_per_key = 1``: two keyless readers still both follow (they are not one key)."""
    post("alice", "INC-1", {"type": "incident_declared", "title": "internal words"})
    post("alice", "INC-1", {"type": "incident_published", "title": "Search is slow"})
    url = f"{public_server.url}/status/INC-1/stream"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as first, client.stream("GET", url) as second:
        assert (first.status_code, second.status_code) == (200, 200)
        post("alice", "INC-1", {"type": "broadcast_sent", "text": "Public words", "audience": "stakeholders"})
        for stream in (first, second):
            seen = b""
            for chunk in stream.iter_bytes():
                seen += chunk
                if b"Public words" in seen:
                    break
            assert b"Public words" in seen


def test_without_saying_so_a_page_needs_a_key(web_server, incident):
    assert get(f"{web_server.url}/status/{incident}").status_code == 404
    assert get(f"{web_server.url}/status").status_code == 404
