"""The status page inside a real ``warroom serve``: what it shows, what it never shows, who gets in."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta

import httpx

from tests.web.conftest import INTERNAL, add_internal_text, get, operator_share, share
from warroom.db.shares import ShareBook


def test_the_page_shows_the_public_facts_escaped(web_server, incident, tokens, cli):
    page = get(f"{web_server.url}/status/{incident}?key={tokens['bob']}")  # a responder's own token opens it
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Checkout &lt;em&gt;errors&lt;/em&gt; &amp; timeouts" in html and "<em>errors" not in html
    assert 'id="severity" class="badge sev-2">SEV2<' in html
    assert "Checkout is failing for some customers; we are on it." in html
    assert "Database failover" in html and ">blocked<" in html
    assert "<main" in html and "<h1" in html and 'aria-live="polite"' in html
    assert '<noscript><meta http-equiv="refresh"' in html  # complete without JavaScript, and it refreshes
    assert page.headers["cache-control"] == "private, no-store" and page.headers["referrer-policy"] == "no-referrer"
    assets = [get(f"{web_server.url}/status/static/{name}") for name in ("status.css", "status.js")]
    assert [a.status_code for a in assets] == [200, 200]
    assert "prefers-color-scheme: dark" in assets[0].text and "EventSource" in assets[1].text


def test_no_internal_text_in_the_html_or_the_stream(web_server, incident, tokens, cli, act):
    key = share(cli, "alice", incident).split("key=")[1]
    got = bytearray()
    seen = threading.Event()
    opened = threading.Event()

    def listen() -> None:
        url = f"{web_server.url}/status/{incident}/stream"
        with httpx.stream("GET", url, params={"key": key, "after": 0}, timeout=30) as response:
            for chunk in response.iter_bytes():
                got.extend(chunk)
                opened.set()
                if b"LAST public words" in got:
                    seen.set()
                    return

    reader = threading.Thread(target=listen, daemon=True)
    reader.start()
    assert opened.wait(15)
    add_internal_text(act, incident, ws="WS-2")  # more internal text while the stream is open
    act("bob", incident, {"type": "command_handover_accepted"})
    act("bob", incident, {"type": "broadcast_sent", "text": "LAST public words", "audience": "stakeholders"})
    assert seen.wait(15), got.decode()[-500:]
    html = get(f"{web_server.url}/status/{incident}?key={key}").text
    for text in INTERNAL:
        assert text not in html and text not in got.decode()
    assert "carol" not in html  # comms and the workstream's owner are responder details


def test_every_bad_key_gets_the_same_not_found_page(web_server, incident, tokens, cli, act):
    act("alice", "INC-8", {"type": "incident_declared", "title": "Other"})
    good = share(cli, "alice", incident).split("key=")[1]
    other = share(cli, "alice", "INC-8").split("key=")[1]
    revoked = share(cli, "carol", incident).split("key=")[1]  # carol is comms: she may share too
    cli("alice", "share", "revoke", revoked)
    book = ShareBook(web_server.db)
    try:
        _, expired = book.add(incident, "alice", timedelta(seconds=-1), token=None)
    finally:
        book.close()
    base = f"{web_server.url}/status/{incident}"
    assert get(f"{base}?key={good}").status_code == 200
    pages = {
        name: get(url)
        for name, url in {
            "no key": base,
            "wrong": f"{base}?key=wv_{'x' * 43}",
            "expired": f"{base}?key={expired}",
            "revoked": f"{base}?key={revoked}",
            "other incident's": f"{base}?key={other}",
            "unknown incident": f"{web_server.url}/status/INC-404?key={good}",
            "stream, revoked": f"{base}/stream?key={revoked}",
        }.items()
    }
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 404)
    assert len({r.text for r in pages.values()}) == 1, "a not-found page must not say why"
    assert "Not found" in pages["wrong"].text


def test_only_commander_or_comms_may_share_and_keys_are_stored_hashed(web_server, incident, cli):
    refused = cli("bob", "share", incident, check=False)
    assert refused.returncode != 0 and "only the commander or comms" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    link = share(cli, "alice", incident, "--expires", "90m")
    assert link.startswith(f"{web_server.url}/status/{incident}?key=wv_")
    key = link.split("key=")[1]
    rows = sqlite3.connect(web_server.db).execute("SELECT hash, expires_at, created_at FROM share_keys").fetchall()
    assert rows and all(key not in row[0] for row in rows)
    made = datetime.fromisoformat(rows[0][2].replace("Z", "+00:00"))
    assert datetime.fromisoformat(rows[0][1].replace("Z", "+00:00")) - made == timedelta(minutes=90)
    listed = cli("alice", "share", "list").stdout
    assert incident in listed and key not in listed
    bad = cli("alice", "share", incident, "--expires", "soon", check=False)
    assert bad.returncode != 0 and "bad duration" in bad.stderr


def test_an_index_key_lists_open_incidents_and_an_incident_key_only_its_own(web_server, incident, cli, act):
    act("alice", "INC-9", {"type": "incident_declared", "title": "Closed one", "published": True})
    act("alice", "INC-9", {"type": "incident_closed"})
    act("alice", "INC-11", {"type": "incident_declared", "title": "Never published"})
    everything = operator_share(web_server, "--all")  # the index is the operator's to share (issue 21)
    assert everything.startswith(f"{web_server.url}/status?key=wv_")
    index = get(everything).text
    open_part, _, past_part = index.partition("Past incidents")
    assert incident in open_part and "INC-9" not in open_part and "INC-9" in past_part  # closed: listed as past
    assert "INC-11" not in index and "Never published" not in index
    only = get(f"{web_server.url}/status?key={share(cli, 'alice', incident).split('key=')[1]}").text
    assert incident in only
    act("alice", "INC-10", {"type": "incident_declared", "title": "Not shared", "published": True})
    assert "INC-10" not in get(f"{web_server.url}/status?key={share(cli, 'alice', incident).split('key=')[1]}").text
    assert "INC-10" in get(everything).text


def test_share_needs_a_server(tmp_path):
    from tests.server.harness import cli_env, warroom

    result = warroom("share", "INC-1", "--store", str(tmp_path), env=cli_env(home=tmp_path), check=False)
    assert result.returncode == 1 and "status-page" in result.stderr and "Traceback" not in result.stderr


def test_a_revoked_key_closes_open_streams(web_server, incident, cli, act):
    link = share(cli, "alice", incident)
    key = link.split("key=")[1]
    with httpx.stream("GET", f"{web_server.url}/status/{incident}/stream", params={"key": key, "after": 0}, timeout=30) as response:
        lines = response.iter_lines()
        assert next(lines) == ": connected"
        cli("alice", "share", "revoke", key)
        act("alice", incident, {"type": "broadcast_sent", "text": "after revocation", "audience": "stakeholders"})
        rest = "\n".join(lines)  # the server ends the stream
    assert "event: gone" in rest and "after revocation" not in rest
