"""The answer to Slack's message shortcut: only to the allowed response hosts, bounded, retried once (a real local HTTP sink)."""

from __future__ import annotations

import asyncio
import socket

from tests.server.chatclient import ResponseSink
from warroom.chat.followup import ResponseHosts, post_reply


def test_by_default_only_https_on_hooks_slack_com_gets_the_answer() -> None:
    hosts = ResponseHosts(["hooks.slack.com"])
    assert hosts.allows("https://hooks.slack.com/app/T0001/944799105734/1111")
    assert hosts.allows("https://HOOKS.slack.com:443/actions/T0001/1/2")
    for refused in (
        "http://hooks.slack.com/app/T0001/1/2",
        "https://hooks.slack.com.evil.example/app",
        "https://evil.example/?hooks.slack.com",
        "https://hooks.slack.com@evil.example/app",
        "https://user@hooks.slack.com/app",
        "https://hooks.slack.com:8443/app",
        "https://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        "https://hooks.slack.com:99999/app",
        "",
    ):
        assert not hosts.allows(refused), refused


def test_an_origin_with_a_scheme_allows_exactly_that_origin() -> None:
    hosts = ResponseHosts(["http://127.0.0.1:8099"])
    assert hosts.allows("http://127.0.0.1:8099/app/1")
    assert not hosts.allows("http://127.0.0.1:8098/app/1")
    assert not hosts.allows("https://127.0.0.1:8099/app/1")
    assert not hosts.allows("https://hooks.slack.com/app/1")


def _posts(statuses: tuple[int, ...]) -> tuple[bool, list[str]]:
    sink = ResponseSink(statuses)
    try:
        took = asyncio.run(post_reply(sink.origin + "/app/1", "INC-1 #3 alice noted", ResponseHosts([sink.origin])))
        paths = []
        while not sink.received.empty():
            path, answer = sink.next()
            assert answer == {"response_type": "ephemeral", "text": "INC-1 #3 alice noted"}
            paths.append(path)
        return took, paths
    finally:
        sink.close()


def test_the_answer_is_posted_once_and_retried_once_when_slack_fails() -> None:
    assert _posts(()) == (True, ["/app/1"])
    assert _posts((503,)) == (True, ["/app/1", "/app/1"])  # retried once
    assert _posts((500, 502, 503)) == (False, ["/app/1", "/app/1"])  # and no more
    assert _posts((404,)) == (False, ["/app/1"])  # an expired or used-up URL is not retried


def test_an_unreachable_response_url_gives_up_without_raising() -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        origin = f"http://127.0.0.1:{closed.getsockname()[1]}"
    assert asyncio.run(post_reply(origin + "/app/1", "text", ResponseHosts([origin]))) is False
    assert asyncio.run(post_reply("https://evil.example/app/1", "text", ResponseHosts(["hooks.slack.com"]))) is False
