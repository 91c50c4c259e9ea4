"""One-time codes: a short-lived secret a person types once to become someone on this server.

Two things need one: an invite (``warroom invite raj`` prints a code, ``warroom login CODE``
trades it for raj's own token, so nobody passes a token around) and a chat link
(``warroom chat code`` prints one, ``/warroom iam CODE`` in Slack or Mattermost ties that
chat user to the handle). Both are the same mechanism, told apart by ``purpose``: a code
made for one purpose is refused for the other.

A code is ``wrc_`` plus 18 random bytes; only its SHA-256 is stored (``tokens.hash_token``:
with that much entropy a plain hash is enough). It works once: redeeming is one
``UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING``, so of two people racing
with the same code exactly one wins, on SQLite and on PostgreSQL (``pgcodes``) alike.
Codes a day past their expiry are deleted when the next one is made: the table stays small.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from warroom.incident.events import canonical_handle, valid_handle

from .sqlite import SqliteBook
from .tokens import MAX_TOKEN_LENGTH, hash_token

CODE_PREFIX = "wrc_"
INVITE = "invite"
CHAT_LINK = "chat-link"
PURPOSES = (INVITE, CHAT_LINK)
MAX_EXPIRY = timedelta(days=7)
KEEP_SPENT = timedelta(days=1)
"""How long a used or expired code is kept after its expiry (so it is refused as used or expired, not unknown)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    handle     TEXT NOT NULL,
    made_by    TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
"""


class CodeRefused(Exception):
    """A code that opens nothing: wrong, already used, or expired (the message says which)."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    id: str
    purpose: str
    handle: str
    made_by: str
    created_at: str
    expires_at: str


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class CodeBook(SqliteBook):
    """The codes table of one server database."""

    TABLE = SCHEMA

    def add(self, purpose: str, handle: str, made_by: str, expires: timedelta) -> tuple[CodeInfo, str]:
        """Make a code that turns into ``handle`` once, within ``expires``; its record and the code (shown once)."""
        if purpose not in PURPOSES:
            raise ValueError(f"unknown code purpose {purpose!r}")
        if not valid_handle(handle):
            raise ValueError(f"bad handle {handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
        if not timedelta(0) < expires <= MAX_EXPIRY:
            raise ValueError(f"a code may last at most {MAX_EXPIRY.days} days")
        now = datetime.now(timezone.utc)
        info = CodeInfo(
            id=f"code_{secrets.token_hex(4)}",
            purpose=purpose,
            handle=canonical_handle(handle),
            made_by=made_by,
            created_at=_stamp(now),
            expires_at=_stamp(now + expires),
        )
        code = CODE_PREFIX + secrets.token_urlsafe(18)
        self._rows("DELETE FROM codes WHERE expires_at < ?", (_stamp(now - KEEP_SPENT),))
        self._rows(
            "INSERT INTO codes (id, purpose, handle, made_by, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (info.id, purpose, info.handle, made_by, hash_token(code), info.created_at, info.expires_at),
        )
        return info, code

    def redeem(self, purpose: str, code: str) -> CodeInfo:
        """Use ``code`` up and say whom it makes you; ``CodeRefused`` with the reason otherwise."""
        code = code.strip()
        if not code.startswith(CODE_PREFIX) or len(code) > MAX_TOKEN_LENGTH:
            raise CodeRefused("that is not a warroom code (codes start with wrc_)")
        digest = hash_token(code)
        now = _stamp(datetime.now(timezone.utc))
        rows = self._rows(
            "UPDATE codes SET used_at = ? WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?"
            " RETURNING id, purpose, handle, made_by, created_at, expires_at",
            (now, digest, purpose, now),
        )
        if rows:
            return CodeInfo(*rows[0])
        found = self._rows("SELECT used_at, expires_at FROM codes WHERE hash = ? AND purpose = ?", (digest, purpose))
        if not found:
            raise CodeRefused("unknown code: check it was copied whole, or ask for a new one")
        used_at, expires_at = found[0]
        if used_at is not None:
            raise CodeRefused(f"this code was already used (at {used_at}): ask for a new one")
        raise CodeRefused(f"this code expired at {expires_at}: ask for a new one")
