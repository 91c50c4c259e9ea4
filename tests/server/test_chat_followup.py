"""Where the answer to Slack's message shortcut may go: only to the allowed response hosts."""

from __future__ import annotations

from warroom.chat.followup import ResponseHosts


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
