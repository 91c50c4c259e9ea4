"""The answer to Slack's message shortcut, posted to the payload's ``response_url``.

Slack discards the HTTP body of an answer to an interactivity request, so the person who
clicked "Add to warroom timeline" would see nothing; Slack's documented way to answer is a
POST of ``{"response_type": "ephemeral", "text": …}`` to the ``response_url`` the payload
carries. That URL comes from a signed payload, but a signature proves only who sent it, not
that the address is Slack's: the post goes only to the allowed hosts (``[chat]
slack_response_hosts``, by default https on ``hooks.slack.com``), anything else is refused
and logged, so a payload cannot make the server call into its own network. The post is
made after the request is answered, bounded: ``POST_TIMEOUT`` seconds, one retry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

POST_TIMEOUT = 5.0
ATTEMPTS = 2
log = logging.getLogger("warroom.chat")


class ResponseHosts:
    """Which ``response_url`` origins warroom posts to: a bare host means ``https://host`` (port 443)."""

    def __init__(self, allowed: Iterable[str]):
        self.origins: set[tuple[str, str, int]] = set()
        for entry in allowed:
            origin = _origin(entry if "://" in entry else f"https://{entry}")
            if origin is not None:
                self.origins.add(origin)

    def allows(self, url: str) -> bool:
        return _origin(url) in self.origins


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


async def post_reply(url: str, text: str, hosts: ResponseHosts) -> bool:
    """Post ``text`` (already made safe for Slack) as an ephemeral answer; whether Slack took it."""
    if not hosts.allows(url):
        log.warning("chat: not posting a Slack answer to %r: not an allowed response host ([chat] slack_response_hosts)", url[:200])
        return False
    async with httpx.AsyncClient(timeout=POST_TIMEOUT, follow_redirects=False) as client:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                answer = await client.post(url, json={"response_type": "ephemeral", "text": text})
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}"
            else:
                if answer.status_code < 300:
                    return True
                problem = f"HTTP {answer.status_code}"
            log.warning("chat: posting a Slack answer failed (attempt %d of %d): %s", attempt, ATTEMPTS, problem)
            if problem.startswith("HTTP 4") and problem != "HTTP 429":
                break  # Slack will not take it on a second try (an expired or used-up URL)
    return False
