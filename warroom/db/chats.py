"""The chat connections a server answers, who each chat user is, and which channel follows which incident.

Three small tables beside the tokens (SQLite here, PostgreSQL in ``pgchats``):

- ``chat_connections``: one per Slack app or Mattermost slash command (``warroom chat add``).
  Its id is in the request URL the chat app posts to. A Slack signing secret is kept as
  it is (Slack signs every request with it: the server must compute the same HMAC); a
  Mattermost token is kept as its SHA-256 (it arrives in the request and only needs
  comparing). The database file is 0600 (``sqlite.create_private``).
- ``chat_links``: a chat user (platform + user id) acts as one warroom handle, set by the
  operator (``warroom chat link``) or by the person (``/warroom iam CODE``).
- ``chat_bindings``: ``/warroom bind INC-42`` in a channel: where a message shortcut lands.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from warroom.incident.events import canonical_handle, valid_handle

from .sqlite import SqliteBook
from .tokens import SecretInfo, _now, hash_token

PLATFORMS = ("slack", "mattermost")
MAX_CHAT_ID = 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_connections (
    id         TEXT PRIMARY KEY,
    platform   TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS chat_links (
    platform   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    handle     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
CREATE TABLE IF NOT EXISTS chat_bindings (
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    incident   TEXT NOT NULL,
    bound_by   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (platform, channel_id)
);
"""


@dataclass(frozen=True, slots=True)
class ChatConnection(SecretInfo):
    id: str
    platform: str
    created_at: str
    revoked_at: str | None


def chat_path(connection_id: str) -> str:
    """Where a connection's chat app posts (slash commands and, for Slack, interactivity)."""
    return f"/chat/{connection_id}"


def valid_chat_id(text: str) -> bool:
    """A Slack or Mattermost user or channel id: short, printable, no spaces."""
    return 0 < len(text) <= MAX_CHAT_ID and text.isascii() and text.isprintable() and " " not in text


class ChatBook(SqliteBook):
    """The chat tables of one server database."""

    TABLE = SCHEMA

    def add(self, platform: str, secret: str) -> ChatConnection:
        if platform not in PLATFORMS:
            raise ValueError(f"unknown chat platform {platform!r}: one of {', '.join(PLATFORMS)}")
        if not secret.strip() or len(secret) > 200:
            raise ValueError("the secret is empty or longer than 200 characters")
        kept = secret.strip() if platform == "slack" else hash_token(secret.strip())
        info = ChatConnection(id=f"chat_{secrets.token_hex(6)}", platform=platform, created_at=_now(), revoked_at=None)
        self._rows(
            "INSERT INTO chat_connections (id, platform, secret, created_at) VALUES (?, ?, ?, ?)",
            (info.id, platform, kept, info.created_at),
        )
        return info

    def connections(self) -> list[ChatConnection]:
        rows = self._rows("SELECT id, platform, created_at, revoked_at FROM chat_connections ORDER BY created_at, id")
        return [ChatConnection(*row) for row in rows]

    def revoke(self, connection_id: str) -> list[ChatConnection]:
        when = _now()
        rows = self._rows(
            "UPDATE chat_connections SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id, platform, created_at",
            (when, connection_id),
        )
        return [ChatConnection(id=row[0], platform=row[1], created_at=row[2], revoked_at=when) for row in rows]

    def secret(self, connection_id: str) -> tuple[str, str] | None:
        """An active connection's platform and kept secret (Slack: the signing secret; Mattermost: the token's hash)."""
        if not valid_chat_id(connection_id):
            return None
        rows = self._rows("SELECT platform, secret FROM chat_connections WHERE id = ? AND revoked_at IS NULL", (connection_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def link(self, platform: str, user_id: str, handle: str) -> str:
        """Make ``user_id`` on ``platform`` act as ``handle`` (replacing an earlier link); the handle as stored."""
        if platform not in PLATFORMS:
            raise ValueError(f"unknown chat platform {platform!r}: one of {', '.join(PLATFORMS)}")
        if not valid_chat_id(user_id):
            raise ValueError(f"bad chat user id {user_id!r}")
        if not valid_handle(handle):
            raise ValueError(f"bad handle {handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
        handle = canonical_handle(handle)
        self._rows(
            "INSERT INTO chat_links (platform, user_id, handle, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET handle = excluded.handle, created_at = excluded.created_at",
            (platform, user_id, handle, _now()),
        )
        return handle

    def handle_of(self, platform: str, user_id: str) -> str | None:
        rows = self._rows("SELECT handle FROM chat_links WHERE platform = ? AND user_id = ?", (platform, user_id))
        return rows[0][0] if rows else None

    def bind(self, platform: str, channel_id: str, incident: str, bound_by: str) -> None:
        self._rows(
            "INSERT INTO chat_bindings (platform, channel_id, incident, bound_by, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, channel_id) DO UPDATE SET incident = excluded.incident,"
            " bound_by = excluded.bound_by, created_at = excluded.created_at",
            (platform, channel_id, incident, bound_by, _now()),
        )

    def bound_incident(self, platform: str, channel_id: str) -> str | None:
        rows = self._rows("SELECT incident FROM chat_bindings WHERE platform = ? AND channel_id = ?", (platform, channel_id))
        return rows[0][0] if rows else None


def token_matches(kept_hash: str, presented: str) -> bool:
    """A Mattermost request's ``token`` against the hash kept for its connection, in constant time."""
    return hmac.compare_digest(kept_hash, hash_token(presented))
