"""Who may look at the status page: the viewer a key (or token) stands for.

A viewer is read-only by construction (the status routes only read); what differs is
the scope -- one incident or all of them --, who holds it (the key or token whose
stream caps it counts against) and how to re-check, on an open stream, that the key is
still good (``gone_among`` asks for many at once, for streams whose key was revoked in
another process). Every failure (no key where one is needed, unknown, expired, revoked,
another incident's key) becomes the same "not found" page: a link must not reveal whether an
incident exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from warroom.db.shares import SHARE_ID_PREFIX

if TYPE_CHECKING:
    from warroom.db.tokens import TokenBook

    from warroom.db.shares import ShareBook


@dataclass(frozen=True, slots=True)
class Viewer:
    scope: str | None  # one incident id, or None for every incident
    still_allowed: Callable[[], bool]
    holder: str = ""  # the share key's id or the token's: its streams are counted together

    def may_see(self, incident_id: str) -> bool:
        return self.scope is None or self.scope == incident_id


class Access(Protocol):
    def viewer(self, key: str | None) -> Viewer | None: ...

    def gone_among(self, holders: list[str]) -> set[str]: ...


class OpenAccess:
    """``warroom status-page`` on a folder: whoever reaches the port may look (it binds to
    127.0.0.1 unless told otherwise); there is no key database for a folder."""

    def viewer(self, key: str | None) -> Viewer | None:
        return Viewer(scope=None, still_allowed=lambda: True)

    def gone_among(self, holders: list[str]) -> set[str]:
        return set()


ANYONE = ""
"""The holder of streams opened without a key: only the total caps them (see ``Streams.open``)."""


class ServerAccess:
    """``warroom serve``: a share key (``wv_``) or a responder's own token (``wr_``); with
    ``open_to_all`` (``[status] public``) no key at all, while a wrong key is still "not found"."""

    def __init__(self, tokens: TokenBook, shares: ShareBook, *, open_to_all: bool = False):
        self.tokens = tokens
        self.shares = shares
        self.open_to_all = open_to_all

    def viewer(self, key: str | None) -> Viewer | None:
        if not key:
            return Viewer(scope=None, still_allowed=lambda: True, holder=ANYONE) if self.open_to_all else None
        share = self.shares.lookup(key)
        if share is not None:
            return Viewer(scope=share.scope, still_allowed=lambda: self.shares.still_active(share), holder=share.id)
        who = self.tokens.lookup(key)
        if who is not None:
            return Viewer(scope=None, still_allowed=lambda: self.tokens.lookup(key) is not None, holder=who.token_id)
        return None

    def gone_among(self, holders: list[str]) -> set[str]:
        """Which of these keys and tokens no longer open anything (one query for each kind)."""
        keys = [holder for holder in holders if holder.startswith(SHARE_ID_PREFIX)]
        tokens = [holder for holder in holders if holder != ANYONE and not holder.startswith(SHARE_ID_PREFIX)]
        return self.shares.inactive_among(keys) | self.tokens.revoked_among(tokens)
