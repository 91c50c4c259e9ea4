"""Alert hooks: one secret per alert source, made by ``warroom hook add``, never a responder token.

A hook is a name (the actor of everything it records, e.g. ``alertmanager``), a kind
(which payload shape it sends) and a secret. The secret travels in the URL the
operator pastes into Alertmanager or Grafana (both can send a bearer header too,
but every sender can send a URL), so like a token it is ``whk_`` plus 32 random bytes,
shown once, and only its SHA-256 is stored beside the tokens in the server database
(SQLite here, PostgreSQL in ``pghooks``: the same statements, one table).
Hooks and tokens are separate tables: a hook secret is refused on ``/api`` and a
token is refused on ``/hooks``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from warroom.alerts.payload import KINDS
from warroom.incident.events import canonical_handle, valid_handle
from warroom.db.sqlite import HOOKS_SCHEMA
from warroom.db.tokens import MAX_TOKEN_LENGTH, SecretBook, SecretInfo, _now, hash_token

HOOK_PREFIX = "whk_"


@dataclass(frozen=True, slots=True)
class HookInfo(SecretInfo):
    id: str
    name: str
    kind: str
    created_at: str
    revoked_at: str | None


def hook_path(secret: str) -> str:
    """The path a hook posts to (the secret is the credential)."""
    return f"/hooks/{secret}"


class HookBook(SecretBook):
    """The hooks table of one server database."""

    TABLE = HOOKS_SCHEMA
    TABLE_NAME = "hooks"
    RECORD = HookInfo
    OWNER_MATCH = "name = ?"

    def add(self, name: str, kind: str = "alertmanager") -> tuple[HookInfo, str]:
        """Make a hook; returns its record and the secret (shown once)."""
        if not valid_handle(name):
            raise ValueError(f"bad hook name {name!r}: use up to 40 letters, digits, '.', '_' or '-' (it is the actor on the timeline)")
        if kind not in KINDS:
            raise ValueError(f"bad hook kind {kind!r}: one of {', '.join(KINDS)}")
        name = canonical_handle(name)  # the actor it records as, as the log spells handles
        secret = HOOK_PREFIX + secrets.token_urlsafe(32)
        info = HookInfo(id=f"hook_{secrets.token_hex(4)}", name=name, kind=kind, created_at=_now(), revoked_at=None)
        self._store(info, secret)
        return info, secret

    def lookup(self, secret: str) -> HookInfo | None:
        """The active hook this secret belongs to, or ``None``."""
        if not secret.startswith(HOOK_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            return None
        rows = self._rows(f"SELECT {', '.join(self._columns())} FROM hooks WHERE hash = ? AND revoked_at IS NULL", (hash_token(secret),))
        return HookInfo(*rows[0]) if rows else None
