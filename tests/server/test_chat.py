"""Slack and Mattermost against a real ``warroom serve``: verification, linking, and every command.

Requests are the platforms' documented payloads, signed as each platform signs them
(``tests/server/chatclient.py``). A request that fails verification is a 401 and records
nothing; an unlinked user gets one line on how to link and records nothing; every command
goes through the same rules as the board."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.chatclient import (
    MATTERMOST_TOKEN,
    ResponseSink,
    add_connection,
    events,
    message_action,
    slack,
    slack_headers,
    slash_form,
)
from tests.server.conftest import DB_KINDS, server_starter, template_tokens
from tests.server.harness import ServerProcess, cli_env, warroom

ALICE = "U024BE7LH"  # linked by the operator to alice, who declares and so commands
BOB = "U0BOB0001"


@pytest.fixture
def response_sink() -> Iterator[ResponseSink]:
    sink = ResponseSink()
    try:
        yield sink
    finally:
        sink.close()


@pytest.fixture(params=DB_KINDS)
def chat_room(
    request: pytest.FixtureRequest, tmp_path: Path, response_sink: ResponseSink
) -> Iterator[tuple[ServerProcess, dict[str, str], str, dict[str, str]]]:
    """A server with a Slack connection, alice linked, and INC-1 declared by alice; Slack's
    response_url may point at ``response_sink`` (allowed in the server's config)."""
    started: list[ServerProcess] = []
    (tmp_path / "warroom.toml").write_text(f'[chat]\nslack_response_hosts = ["hooks.slack.com", "{response_sink.origin}"]\n')
    try:
        server = server_starter(request.param, request, tmp_path, started)()
        tokens = template_tokens(request.param, request)
        env = cli_env(home=tmp_path)
        url = add_connection(server, "slack", env)
        warroom("chat", "link", "slack", ALICE, "alice", "--db", str(server.db), env=env)
        warroom("declare", "INC-1", "--title", "checkout down", "--server", server.url, "--token", tokens["alice"], env=env)
        yield server, tokens, url, env
    finally:
        for server in started:
            server.stop()


def _said(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    return answer.json()["text"]


def test_a_signed_note_is_recorded_as_the_linked_handle_and_forgeries_are_not(chat_room) -> None:
    server, tokens, url, _ = chat_room
    assert url.startswith(server.url + "/chat/chat_")
    answer = slack(url, "note INC-1 rolled back the deploy")
    assert slack(url, "note INC-1 p99 &lt; 200 ms &amp; falling").status_code == 200  # Slack escapes &, < and >
    assert answer.json()["response_type"] == "ephemeral"
    assert "INC-1 #" in _said(answer) and "alice" in _said(answer)
    before = events(server, tokens["alice"], "INC-1")
    assert before[-2]["actor"] == "alice" and before[-2]["body"]["text"] == "rolled back the deploy"
    assert before[-1]["body"]["text"] == "p99 < 200 ms & falling"

    body = slash_form("note INC-1 forged")
    headers = slack_headers(body)
    forged = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}
    assert httpx.post(url, content=body, headers=forged).status_code == 401
    wrong_key = slack_headers(body, secret="not-the-signing-secret")
    assert httpx.post(url, content=body, headers=wrong_key).status_code == 401
    stale = slack_headers(body, timestamp=int(time.time()) - 6 * 60)
    assert httpx.post(url, content=body, headers=stale).json()["detail"].startswith("stale")
    assert httpx.post(url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401
    assert httpx.post(url, content=body, headers=headers).status_code == 200  # the genuine one, once
    replayed = httpx.post(url, content=body, headers=headers)
    assert replayed.status_code == 401 and "replayed" in replayed.json()["detail"]
    assert httpx.post(server.url + "/chat/chat_000000000000", content=body, headers=headers).status_code == 401
    texts = [e["body"].get("text") for e in events(server, tokens["alice"], "INC-1")]
    assert texts.count("forged") == 1  # only the genuine request, not the replay or the forgeries


def test_an_unlinked_user_is_told_how_to_link_and_nothing_is_recorded(chat_room) -> None:
    server, tokens, url, env = chat_room
    before = len(events(server, tokens["alice"], "INC-1"))
    said = _said(slack(url, "note INC-1 hello", user_id=BOB))
    assert "not linked" in said and "warroom chat code" in said and "/warroom iam" in said and "\n" not in said
    assert len(events(server, tokens["alice"], "INC-1")) == before

    code_out = warroom("chat", "code", "--server", server.url, "--token", tokens["bob"], env=env).stdout.strip().splitlines()
    code = code_out[-1].removeprefix("/warroom iam ")
    assert code.startswith("wrc_")
    assert "as bob" in _said(slack(url, f"iam {code}", user_id=BOB))
    assert "already used" in _said(slack(url, f"iam {code}", user_id="U0MALLORY"))
    assert "bob" in _said(slack(url, "note INC-1 looking at the db", user_id=BOB))
    assert events(server, tokens["alice"], "INC-1")[-1]["actor"] == "bob"


def test_every_command_runs_through_the_boards_rules(chat_room) -> None:
    server, tokens, url, env = chat_room
    warroom("chat", "link", "slack", BOB, "bob", "--db", str(server.db), env=env)
    warroom("ws", "open", "INC-1", "database", "--server", server.url, "--token", tokens["alice"], env=env, check=False)
    assert "/warroom commands" in _said(slack(url, "help"))
    assert "/warroom commands" in _said(slack(url, ""))

    assert "refused" in _said(slack(url, "claim INC-1 WS-9", user_id=BOB))
    assert "bob" in _said(slack(url, "claim INC-1 WS-1", user_id=BOB))
    refused = _said(slack(url, "off INC-1", user_id=BOB))
    assert refused == "refused: you still own WS-1: hand it off first"
    assert "break" in _said(slack(url, "break INC-1 20", user_id=BOB))
    assert "refused" in _said(slack(url, "broadcast INC-1 all good", user_id=BOB))  # a responder cannot broadcast
    assert "refused: you are already on shift" == _said(slack(url, "on INC-1"))

    status = _said(slack(url, "status INC-1")).splitlines()
    assert status[0].startswith("INC-1 checkout down: SEV3")
    assert "commander: alice" in status[1] and "update" in status[1]
    assert any(line.startswith("WS-1 database: bob") for line in status)
    assert "on shift: alice" in status[-1] and "on a break: bob" in status[-1]

    update = slack(url, "broadcast INC-1 mitigated, monitoring")
    assert update.json() == {"response_type": "in_channel", "text": "INC-1 update from alice: mitigated, monitoring"}

    assert _said(slack(url, 'declare "objects gone" --playbook data-loss')).startswith("--playbook is not an option here: only --sev")
    declared = _said(slack(url, 'declare "payments slow" --sev 2'))
    new_id = declared.split()[0]
    assert "SEV2 payments slow" in declared and "alice commands" in declared
    first = events(server, tokens["alice"], new_id)[0]
    assert first["actor"] == "alice" and first["body"]["severity"] == 2
    assert "quote the title" in _said(slack(url, 'declare "unbalanced --sev 2'))
    assert "unknown command" in _said(slack(url, "reboot INC-1"))
    assert _said(slack(url, "note INC-404 hello")) == "no incident INC-404 on this server"
    types = [e["body"]["type"] for e in events(server, tokens["alice"], "INC-1")]
    assert types.count("broadcast_sent") == 1 and "workstream_claimed" in types


def test_the_message_shortcut_notes_the_message_with_its_author_and_link(chat_room, response_sink) -> None:
    server, tokens, url, _ = chat_room
    body = message_action("db primary is at 100% CPU", response_url=response_sink.origin)
    unbound = httpx.post(url, content=body, headers=slack_headers(body))
    assert "bind" in _said(unbound)
    assert "INC-1" in _said(slack(url, "bind INC-1"))
    # as Slack escapes message text
    body = message_action("db primary is at 100% CPU &amp; replicas lag &gt; 30 s", response_url=response_sink.origin)
    answer = httpx.post(url, content=body, headers=slack_headers(body))
    assert "INC-1 #" in _said(answer)
    note = events(server, tokens["alice"], "INC-1")[-1]
    assert note["actor"] == "alice" and note["body"]["type"] == "note_added"
    assert note["body"]["text"].startswith("db primary is at 100% CPU & replicas lag > 30 s\n— said by slack user U0G9QF9C6")
    assert "https://example.slack.com/archives/C2147483705/p1581106224000300" in note["body"]["text"]


def _shortcut(url: str, text: str, response_url: str) -> None:
    body = message_action(text, response_url=response_url)
    assert httpx.post(url, content=body, headers=slack_headers(body), timeout=10).status_code == 200


@pytest.mark.parametrize("chat_room", ["sqlite"], indirect=True)  # the answer's path does not depend on the database
def test_the_shortcut_answers_at_its_response_url_and_finds_the_incident_the_message_names(chat_room, response_sink) -> None:
    server, tokens, url, env = chat_room
    before = len(events(server, tokens["alice"], "INC-1"))
    _shortcut(url, "the db is on fire", response_sink.origin + "/app/T0001/1/refused")
    path, answer = response_sink.next()
    assert path == "/app/T0001/1/refused" and answer["response_type"] == "ephemeral"
    assert "nothing was recorded" in answer["text"] and "/warroom bind INC-42" in answer["text"] and "mentions" in answer["text"]
    assert len(events(server, tokens["alice"], "INC-1")) == before

    _shortcut(url, "inc-1: the db is on fire, WS-1 and INC-404 look fine", response_sink.origin + "/app/T0001/2/named")
    path, answer = response_sink.next()
    assert path == "/app/T0001/2/named" and answer["text"].startswith("INC-1 #") and "alice" in answer["text"]
    assert events(server, tokens["alice"], "INC-1")[-1]["body"]["text"].startswith("inc-1: the db is on fire")

    warroom("declare", "INC-2", "--title", "search down", "--server", server.url, "--token", tokens["alice"], env=env)
    _shortcut(url, "INC-1 and INC-2 share the db", response_sink.origin + "/app/T0001/3/two")
    assert "names no one incident" in response_sink.next()[1]["text"]

    assert "INC-2" in _said(slack(url, "bind INC-2"))  # a bound channel wins over what the message names
    _shortcut(url, "INC-1 is unrelated <@U0G9QF9C6>", response_sink.origin + "/app/T0001/4/bound")
    path, answer = response_sink.next()
    assert path == "/app/T0001/4/bound" and answer["text"].startswith("INC-2 #")
    assert "&lt;@U0G9QF9C6&gt;" in answer["text"]  # made safe for Slack, as every answer

    forged = response_sink.origin.replace("127.0.0.1", "localhost") + "/forged"  # the same sink, a host not allowed
    _shortcut(url, "posted anyway", forged)
    _shortcut(url, "after the forgery", response_sink.origin + "/app/T0001/5/after")
    assert response_sink.next()[0] == "/app/T0001/5/after"
    assert events(server, tokens["alice"], "INC-2")[-2]["body"]["text"].startswith("posted anyway")  # recorded, not answered
    deadline = time.monotonic() + 10
    while "not posting a Slack answer to 'http://localhost" not in server.log.read_text():
        assert time.monotonic() < deadline, server.log.read_text()[-2000:]
        time.sleep(0.05)
    assert response_sink.received.empty()


@pytest.mark.parametrize("chat_room", ["sqlite"], indirect=True)  # the text path does not depend on the database
def test_hostile_chat_text_is_safe_on_the_board_and_in_the_reply(chat_room) -> None:
    server, tokens, url, env = chat_room
    hostile = "\x1b[2J\x1b]0;pwned\x07 <!channel> @here \u202eevil"
    answer = _said(slack(url, f"note INC-1 {hostile}"))
    assert "\x1b" not in answer and "<!channel>" not in answer and "@here" not in answer and "\u202e" not in answer
    shown = warroom("show", "INC-1", "--server", server.url, "--token", tokens["alice"], env=env).stdout
    assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
    assert events(server, tokens["alice"], "INC-1")[-1]["body"]["text"] == hostile  # recorded as said, shown safely
    for kind in ("md", "csv"):
        exported = warroom("export", "INC-1", "--format", kind, "-o", "-", "--server", server.url, "--token", tokens["alice"], env=env).stdout
        assert "pwned" in exported and "\x1b" not in exported and "\u202e" not in exported


def test_mattermost_checks_its_token(start_server, tmp_path: Path, tokens: dict[str, str]) -> None:
    server = start_server()
    env = cli_env(home=tmp_path)
    url = add_connection(server, "mattermost", env)
    warroom("chat", "link", "mattermost", "ydyb9qkcsfbz8g4sd7m5yqbjxr", "alice", "--db", str(server.db), env=env)
    warroom("declare", "INC-2", "--title", "search down", "--server", server.url, "--token", tokens["alice"], env=env)
    good = slash_form("note INC-2 from mattermost", user_id="ydyb9qkcsfbz8g4sd7m5yqbjxr", token=MATTERMOST_TOKEN)
    answer = httpx.post(url, content=good, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "INC-2 #" in _said(answer)
    bad = slash_form("note INC-2 forged", user_id="ydyb9qkcsfbz8g4sd7m5yqbjxr", token="wrong")
    assert httpx.post(url, content=bad, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401
    # a Slack-signed request is no Mattermost token
    assert httpx.post(url, content=bad, headers=slack_headers(bad)).status_code == 401
    assert [e["body"].get("text") for e in events(server, tokens["alice"], "INC-2")][-1] == "from mattermost"

    listed = warroom("chat", "list", "--db", str(server.db), env=env).stdout
    connection = url.rsplit("/", 1)[-1]
    assert connection in listed and MATTERMOST_TOKEN not in listed
    warroom("chat", "revoke", connection, "--db", str(server.db), env=env)
    assert httpx.post(url, content=good, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401


@pytest.mark.parametrize("chat_room", ["sqlite"], indirect=True)
def test_chat_is_bounded_in_size_rate_and_time(chat_room) -> None:
    _, _, url, _ = chat_room
    huge = slash_form("note INC-1 " + "x" * 70_000)
    assert httpx.post(url, content=huge, headers=slack_headers(huge)).status_code == 413

    started = time.monotonic()
    answer = slack(url, "note INC-1 timed")
    took = time.monotonic() - started
    assert answer.status_code == 200 and took < 3.0, took  # Slack's deadline

    statuses = []
    with httpx.Client() as client:
        for n in range(70):  # the burst is 50 per connection
            body = slash_form(f"status INC-1 {n}")
            statuses.append(client.post(url, content=body, headers=slack_headers(body)).status_code)
    assert 429 in statuses and statuses[0] == 200
    assert set(statuses) == {200, 429}


@pytest.mark.parametrize("chat_room", ["sqlite"], indirect=True)
def test_a_slow_database_still_gets_an_answer_within_slacks_deadline(chat_room) -> None:
    server, tokens, url, _ = chat_room
    blocker = sqlite3.connect(server.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock: the server's append waits (its busy timeout is 10 s)
    try:
        started = time.monotonic()
        answer = slack(url, "note INC-1 written while the database was busy")
        took = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert took < 3.0, took
    assert "still recording" in _said(answer)
    deadline = time.monotonic() + 15
    while events(server, tokens["alice"], "INC-1")[-1]["body"].get("text") != "written while the database was busy":
        assert time.monotonic() < deadline, "the command did not finish after the database was free"
        time.sleep(0.1)


@pytest.mark.parametrize("chat_room", ["sqlite"], indirect=True)
def test_a_shortcut_on_a_slow_database_is_answered_at_its_response_url_once_recorded(chat_room, response_sink) -> None:
    server, tokens, url, _ = chat_room
    assert "INC-1" in _said(slack(url, "bind INC-1"))
    blocker = sqlite3.connect(server.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the server's append waits for the write lock
    try:
        body = message_action("noted while the database was busy", response_url=response_sink.origin + "/app/T0001/9/slow")
        started = time.monotonic()
        answer = httpx.post(url, content=body, headers=slack_headers(body), timeout=10)
        took = time.monotonic() - started
        assert response_sink.received.empty()  # nothing said before it is recorded
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert took < 3.0, took
    assert "still recording" in _said(answer)
    path, later = response_sink.next(timeout=15)
    assert path == "/app/T0001/9/slow" and later["text"].startswith("INC-1 #")
    assert events(server, tokens["alice"], "INC-1")[-1]["body"]["text"].startswith("noted while the database was busy")
