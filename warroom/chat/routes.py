"""``POST /chat/{connection}``: where a Slack app or a Mattermost slash command posts; and ``POST /api/chat/codes``.

Each request is checked before anything else is looked at: the connection must exist
(``warroom chat add``), and the request must be signed as its platform signs (``verify``);
anything else is a 401 and nothing is recorded. Verified requests are bounded: a body
over ``MAX_CHAT_BODY`` is a 413, each connection has its own rate (429 past it), and the
answer goes back within ``ANSWER_WITHIN`` seconds whatever the database does (Slack gives
up after three): a command still running then is answered "still recording" and
finishes on its own. Slack shows nothing of the answer to its message shortcut, so that
one is also posted to the payload's ``response_url`` once the note is recorded or refused
(``followup``), after the request has been answered.

Answers are JSON both platforms take from a slash command: ``{"response_type":
"ephemeral"|"in_channel", "text": …}``. Their text is chat text made from hostile
input, so it goes through the one sanitiser (``safetext.safe_line``, each line) and,
for Slack, its control sequences (``&``, ``<``, ``>``) are escaped; ``@channel``-style
mentions are broken so a note cannot page a whole channel.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from warroom.config import load_config
from warroom.safetext import safe_line
from warroom.db.backend import open_chats, open_codes
from warroom.db.chats import token_matches
from warroom.db.codes import CHAT_LINK
from warroom.server.limits import RateLimiter
from warroom.db.tokens import Principal
from warroom.asgi.responses import errors

from .commands import LINK_CODE_EXPIRY, Desk, Reply
from .followup import ResponseHosts, post_reply
from .requests import BadRequest, ChatRequest, parse_request
from .verify import SlackVerifier

MAX_CHAT_BODY = 64 * 1024
"""A slash command is a few hundred bytes; a message shortcut carries the whole message (Slack's
messages stop at 40,000 characters) and its blocks: past this it is not a chat app talking."""
CHAT_RATE = 10.0
CHAT_BURST = 50.0
ANSWER_WITHIN = 2.5
"""Seconds: Slack waits three for an answer to a slash command or a shortcut."""
STILL_RECORDING = "warroom is still recording that (its database is slow right now): check the board in a moment"
_MENTION = re.compile(r"(?<![\w@])@(channel|here|all|everyone)\b", re.IGNORECASE)


class ChatCodeOut(BaseModel):
    code: str = Field(description="type `/warroom iam CODE` in chat; works once")
    handle: str
    expires_at: str


def for_chat(text: str, platform: str) -> str:
    """Reply text that a chat client shows as written: no controls, no markup, no channel-wide mention."""
    text = "\n".join(safe_line(line) for line in text.split("\n"))
    if platform == "slack":
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda match: "@\u200b" + match.group(1), text)


def _answer(reply: Reply, platform: str) -> JSONResponse:
    return JSONResponse({"response_type": "in_channel" if reply.in_channel else "ephemeral", "text": for_chat(reply.text, platform)})


async def _bounded_body(request: Request) -> bytes:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_CHAT_BODY:
        raise HTTPException(413, f"chat request over {MAX_CHAT_BODY // 1024} KiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CHAT_BODY:
            raise HTTPException(413, f"chat request over {MAX_CHAT_BODY // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def mount_chat(app: FastAPI, parts: Any, responder: Callable[..., Any]) -> Callable[[], None]:
    """Add the chat routes to the server's app; returns what closes their database books."""
    chats = open_chats(parts.db)
    codes = open_codes(parts.db)
    desk = Desk(parts, chats, codes)
    slack = SlackVerifier()
    limiter = RateLimiter(CHAT_RATE, CHAT_BURST)
    running: set[asyncio.Task[Reply]] = set()
    following: set[asyncio.Task[None]] = set()
    response_hosts = ResponseHosts(load_config().chat.slack_response_hosts)

    def verified(connection_id: str, platform: str, kept: str, request: Request, body: bytes) -> ChatRequest:
        if platform == "slack":
            refusal = slack.refusal(kept, request.headers.get("x-slack-request-timestamp"), request.headers.get("x-slack-signature"), body)
            if refusal is not None:
                raise HTTPException(401, refusal)
        else:
            try:
                token = parse_qs(body.decode("utf-8"), max_num_fields=64).get("token", [""])[0]
            except (UnicodeDecodeError, ValueError):
                token = ""
            if not token or not token_matches(kept, token):
                raise HTTPException(401, "bad or missing Mattermost token")
        wait = limiter.take(connection_id)
        if wait is not None:
            after = RateLimiter.retry_after_header(wait)
            raise HTTPException(429, f"too many chat requests on this connection: retry in {after} s", headers={"Retry-After": after})
        try:
            return parse_request(platform, body)
        except BadRequest as error:
            raise HTTPException(400, f"not a {platform} request warroom understands: {error}") from None

    @app.post(
        "/chat/{connection_id}",
        tags=["chat"],
        summary="a Slack or Mattermost slash command (and Slack's message shortcut), signed by the platform",
        responses={400: {"description": "not a payload of this platform"}, 401: {"description": "unknown connection, or not signed by it"},
                   413: {"description": "body too large"}, 429: {"description": "too many requests on this connection"}},
    )
    async def chat(connection_id: str, request: Request) -> JSONResponse:
        found = await asyncio.to_thread(chats.secret, connection_id)
        if found is None:
            raise HTTPException(401, "unknown or revoked chat connection (make one with `warroom chat add`)")
        platform, kept = found
        body = await _bounded_body(request)
        chat_request = verified(connection_id, platform, kept, request, body)
        task = asyncio.create_task(desk.handle(chat_request))
        running.add(task)
        task.add_done_callback(running.discard)
        if chat_request.response_url:
            follow_up = asyncio.create_task(_answer_later(task, chat_request.response_url))
            following.add(follow_up)
            follow_up.add_done_callback(following.discard)
        done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
        return _answer(task.result() if task in done else Reply(STILL_RECORDING), platform)

    async def _answer_later(task: asyncio.Task[Reply], response_url: str) -> None:
        """The shortcut's answer, once recorded (or refused): Slack shows only what reaches its response_url."""
        try:
            reply = await task
        except Exception:  # noqa: BLE001 - the request's own answer reports it (500)
            return
        await post_reply(response_url, for_chat(reply.text, "slack"), response_hosts)

    @app.post("/api/chat/codes", tags=["chat"], status_code=201, summary="a one-time code to link your chat user: `/warroom iam CODE`", responses=errors(401, 429))
    async def chat_code(who: Principal = Depends(responder)) -> ChatCodeOut:  # noqa: B008 - FastAPI's way (the dependency is a parameter of mount_chat)
        info, code = await asyncio.to_thread(codes.add, CHAT_LINK, who.handle, who.handle, LINK_CODE_EXPIRY)
        return ChatCodeOut(code=code, handle=info.handle, expires_at=info.expires_at)

    def close() -> None:
        chats.close()
        codes.close()

    return close



