"""The chat platforms' documented payloads, parsed into one shape the commands understand.

A slash command (Slack and Mattermost alike) is an ``application/x-www-form-urlencoded``
body with ``team_id``, ``team_domain``, ``channel_id``, ``channel_name``, ``user_id``,
``user_name``, ``command``, ``text``, ``response_url`` (and Mattermost's ``token``). Slack's
interactivity requests carry one form field, ``payload``, holding JSON; a message shortcut's
is ``{"type": "message_action", "callback_id", "user": {"id", "name"}, "channel": {"id",
"name"}, "team": {"id", "domain"}, "message": {"user", "ts", "text"}, "response_url", ...}``. Slack sends no
permalink in it: the message's link is made the way Slack makes them,
``https://{domain}.slack.com/archives/{channel}/p{ts without the dot}``. Slack escapes
``&``, ``<`` and ``>`` in the text it sends; they are unescaped here, once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from warroom.db.chats import valid_chat_id


class BadRequest(Exception):
    """Not a payload we understand (the message says what is wrong)."""


@dataclass(frozen=True, slots=True)
class QuotedMessage:
    """The chat message a shortcut was used on."""

    text: str
    author: str
    link: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    platform: str
    user_id: str
    user_name: str
    channel_id: str
    text: str = ""
    token: str = ""
    message: QuotedMessage | None = None
    """Set for Slack's message shortcut (``message_action``); ``text`` is then empty."""
    response_url: str = ""
    """The shortcut's: where its answer goes (Slack shows nothing of the HTTP answer to one)."""


def slack_unescaped(text: str) -> str:
    """Slack sends message and command text with ``&``, ``<`` and ``>`` escaped (its formatting
    rules); the log keeps what the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0] if values else ""


def _ids(platform: str, user_id: str, channel_id: str) -> None:
    if not valid_chat_id(user_id):
        raise BadRequest("no user_id")
    if not valid_chat_id(channel_id):
        raise BadRequest("no channel_id")


def parse_request(platform: str, body: bytes) -> ChatRequest:
    """A slash command's form, or (Slack) an interactivity ``payload``."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=64)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("not a form body") from None
    if platform == "slack" and "payload" in form:
        return _interaction(_one(form, "payload"))
    request = ChatRequest(
        platform=platform,
        user_id=_one(form, "user_id"),
        user_name=_one(form, "user_name")[:80],
        channel_id=_one(form, "channel_id"),
        text=slack_unescaped(_one(form, "text")) if platform == "slack" else _one(form, "text"),
        token=_one(form, "token"),
    )
    _ids(platform, request.user_id, request.channel_id)
    return request


def _field(data: Any, *path: str) -> str:
    for name in path:
        data = data.get(name) if isinstance(data, dict) else None
    return data if isinstance(data, str) else ""


def _interaction(payload: str) -> ChatRequest:
    try:
        data = json.loads(payload)
    except ValueError:
        raise BadRequest("payload is not JSON") from None
    if not isinstance(data, dict) or data.get("type") != "message_action":
        raise BadRequest("only the message shortcut (message_action) is handled")
    channel_id = _field(data, "channel", "id")
    request = ChatRequest(
        platform="slack",
        user_id=_field(data, "user", "id"),
        user_name=(_field(data, "user", "username") or _field(data, "user", "name"))[:80],
        channel_id=channel_id,
        message=QuotedMessage(
            text=slack_unescaped(_field(data, "message", "text")),
            author=_field(data, "message", "user") or _field(data, "message", "username") or "someone",
            link=_permalink(_field(data, "team", "domain"), channel_id, _field(data, "message", "ts") or _field(data, "message_ts")),
        ),
        response_url=_field(data, "response_url")[:2000],
    )
    _ids("slack", request.user_id, request.channel_id)
    return request


def _permalink(domain: str, channel_id: str, ts: str) -> str:
    if not (domain.replace("-", "").isalnum() and domain.isascii() and ts.replace(".", "").isdigit()):
        return ""
    return f"https://{domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
