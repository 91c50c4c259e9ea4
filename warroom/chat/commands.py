"""``/warroom …`` from chat: each command becomes an event through the server's writer and its rules.

Nothing here decides who may do what: a command builds the same event body the board
and the CLI build, appends it as the linked handle through the server's own writer
(``receiver.ServerLogStore``: the rule check under the append's lock), and answers with
the rule's own reason when it is refused. A chat user who is not linked to a handle
gets a line saying how to link and nothing is recorded. ``help`` and ``iam`` (linking
itself) need no link.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from warroom.incident import EventDraft, IncidentState
from warroom.incident import events as ev
from warroom.incident.events import MAX_TEXT
from warroom.db.codes import CHAT_LINK, CodeRefused
from warroom.safetext import fit
from warroom.server.reader import ServerReader
from warroom.server.receiver import ServerLogStore
from warroom.server.writer import Unprocessable
from warroom.store.base import (
    InvalidIncidentId,
    Rejected,
    StoreError,
    StoreUnavailable,
    UnknownIncident,
    checked_incident_id,
    declare_next,
)

from .requests import ChatRequest, QuotedMessage
from .status import status_lines

LINK_CODE_EXPIRY = timedelta(minutes=15)
DEFAULT_BREAK_MINUTES = 15
MAX_MENTIONS = 8
"""Incident-like ids looked up in a quoted message (each is a read): the rest are ignored."""
_INCIDENT_MENTION = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]{0,15}-[0-9]{1,9}(?![\w-])")

HELP = """/warroom commands (answers only you see, unless said):
note INC-42 text: a note on the timeline
status INC-42: the board in a few lines
claim INC-42 WS-2: take a workstream
on INC-42 / off INC-42 / break INC-42 20: your shift (off needs your workstreams handed off first)
broadcast INC-42 text: the commander's update, posted in this channel
declare "title" --sev 2: a new incident, with you as commander
bind INC-42: this channel's incident (the Slack shortcut "Add to warroom timeline" notes go there;
  in a channel without one, to the one incident the message names)
iam CODE: link yourself (run `warroom chat code` in a terminal for a code)
help: this list"""


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    in_channel: bool = False


class Refusal(Exception):
    """A command that cannot run, with the line that says why."""


class Desk:
    """Where chat commands act: the server's log, its chat tables and its one-time codes."""

    def __init__(self, parts: Any, chats: Any, codes: Any):
        self.store = ServerLogStore(parts)
        self.reader = ServerReader(parts)
        self.chats = chats
        self.codes = codes

    async def handle(self, request: ChatRequest) -> Reply:
        try:
            return await self._handle(request)
        except Refusal as refusal:
            return Reply(str(refusal))
        except Rejected as refusal:
            return Reply(f"refused: {refusal.reason}")
        except UnknownIncident as error:
            return Reply(f"no incident {error.incident_id} on this server")  # not the CLI's "see `warroom list`"
        except Unprocessable as error:
            return Reply(f"cannot record that: {error}")
        except ValidationError as error:
            first = error.errors()[0]
            return Reply(f"cannot record that: {first['msg']}")
        except StoreUnavailable:
            return Reply("the warroom server cannot reach its database right now: try again in a moment")
        except StoreError as error:
            return Reply(str(error))

    async def _handle(self, request: ChatRequest) -> Reply:
        if request.message is not None:
            return await self._quote(request, self._linked(request), request.message)
        verb, _, rest = request.text.strip().partition(" ")
        verb, rest = verb.lower(), rest.strip()
        if verb in ("", "help"):
            return Reply(HELP)
        if verb == "iam":
            return self._link(request, rest)
        actor = self._linked(request)
        if verb == "declare":
            return await self._declare(actor, rest)
        incident_text, _, rest = rest.partition(" ")
        if verb not in _ACTS and verb not in ("status", "bind"):
            raise Refusal(f"unknown command {verb[:40]!r}: /warroom help lists them")
        if not incident_text:
            raise Refusal(f"which incident? /warroom {verb} INC-42 …")
        incident = checked_incident_id(incident_text)
        rest = rest.strip()
        if verb == "status":
            return Reply("\n".join(status_lines(await self._state(incident))))
        if verb == "bind":
            await self._state(incident)  # it must exist
            self.chats.bind(request.platform, request.channel_id, incident, actor)
            return Reply(f"this channel now follows {incident}: the message shortcut adds notes there")
        return await self._act(incident, actor, _ACTS[verb](rest), in_channel=verb == "broadcast")

    def _linked(self, request: ChatRequest) -> str:
        handle = self.chats.handle_of(request.platform, request.user_id)
        if handle is None:
            raise Refusal(
                "you are not linked to a warroom handle yet, so nothing was recorded: run `warroom chat code` in a "
                f"terminal and type `/warroom iam CODE` here (or ask the operator: `warroom chat link {request.platform} "
                f"{request.user_id} HANDLE`)"
            )
        return handle

    def _link(self, request: ChatRequest, code: str) -> Reply:
        if not code:
            raise Refusal("/warroom iam CODE: get a code with `warroom chat code` in a terminal")
        try:
            info = self.codes.redeem(CHAT_LINK, code)
        except CodeRefused as refusal:
            raise Refusal(f"not linked: {refusal}") from None
        handle = self.chats.link(request.platform, request.user_id, info.handle)
        return Reply(f"linked: what you do here with /warroom is recorded as {handle}")

    async def _state(self, incident: str) -> IncidentState:
        state = await self.reader.load_state(incident)
        if not state.declared:
            raise UnknownIncident(incident)
        return state

    async def _act(self, incident: str, actor: str, body: ev.EventBody, *, in_channel: bool = False) -> Reply:
        stored = await self.store.append(incident, EventDraft(actor=actor, body=body))
        entry = (await self._state(incident)).entry(stored.seq)
        said = entry.text if entry else stored.type
        if in_channel and isinstance(body, ev.BroadcastSent):  # the words as sent, not the timeline's "broadcast: ..."
            return Reply(f"{incident} update from {actor}: {body.text}", in_channel=True)
        return Reply(f"{incident} #{stored.seq} {actor} {said}")

    async def _declare(self, actor: str, rest: str) -> Reply:
        try:
            words = shlex.split(rest)
        except ValueError as error:
            raise Refusal(f"cannot read that: {error} (quote the title: /warroom declare \"checkout down\" --sev 2)") from None
        severity = 3
        if "--sev" in words:
            at = words.index("--sev")
            value = words[at + 1] if at + 1 < len(words) else ""
            if value not in ("1", "2", "3", "4"):
                raise Refusal("--sev is 1 (worst) to 4")
            severity = int(value)
            del words[at : at + 2]
        if unknown := next((word for word in words if word.startswith("--")), None):
            # "--playbook data-loss" became part of a SEV3's title
            raise Refusal(f'{unknown} is not an option here: only --sev (and the title in quotes: /warroom declare "checkout down" --sev 2)')
        title = " ".join(words).strip()
        if not title:
            raise Refusal('declare what? /warroom declare "checkout down" --sev 2')
        incident = await declare_next(
            self.store, actor, lambda incident_id: ev.IncidentDeclared(incident_id=incident_id, title=title, severity=severity)
        )
        return Reply(f"{incident} declared: SEV{severity} {title}; {actor} commands it. Bind a channel to it with /warroom bind {incident}")

    async def _quote(self, request: ChatRequest, actor: str, message: QuotedMessage) -> Reply:
        if not message.text.strip():
            raise Refusal("that message has no text to add")
        incident = self.chats.bound_incident(request.platform, request.channel_id) or await self._named_in(message.text)
        if incident is None:
            raise Refusal(
                "nothing was recorded: this channel follows no incident and the message names no one incident. "
                "Run /warroom bind INC-42 here, or use the shortcut on a message that mentions the incident's id"
            )
        author = self.chats.handle_of(request.platform, message.author) or f"{request.platform} user {message.author}"
        source = f"\n— said by {author} in chat" + (f": {message.link}" if message.link else "")
        room = MAX_TEXT - len(source)
        return await self._act(incident, actor, ev.NoteAdded(text=fit(message.text, room) + source))

    async def _named_in(self, text: str) -> str | None:
        """The one incident on this server that ``text`` names ("INC-42 is back"), if exactly one."""
        named = {match.upper() for match in _INCIDENT_MENTION.findall(text)}
        found = set()
        for candidate in sorted(named)[:MAX_MENTIONS]:
            try:
                await self._state(checked_incident_id(candidate))
            except (UnknownIncident, InvalidIncidentId):
                continue
            found.add(candidate)
        return found.pop() if len(found) == 1 else None


def _workstream(text: str) -> str:
    word = text.split(" ", 1)[0].upper()
    return f"WS-{word}" if word.isdigit() else word


def _break(text: str) -> ev.ShiftChanged:
    minutes = text.split(" ", 1)[0] or str(DEFAULT_BREAK_MINUTES)
    if not minutes.isdigit():
        raise Refusal("break INC-42 MINUTES: minutes as a whole number, e.g. 20")
    return ev.ShiftChanged(shift="break", minutes=int(minutes))


def _said(text: str) -> str:
    if not text:
        raise Refusal("say what? the text goes after the incident id")
    return text


_ACTS: dict[str, Callable[[str], ev.EventBody]] = {
    "note": lambda rest: ev.NoteAdded(text=_said(rest)),
    "claim": lambda rest: ev.WorkstreamClaimed(workstream=_workstream(rest)),
    "on": lambda rest: ev.ShiftChanged(shift="on"),
    "off": lambda rest: ev.ShiftChanged(shift="off"),
    "break": _break,
    "broadcast": lambda rest: ev.BroadcastSent(text=_said(rest)),
}
