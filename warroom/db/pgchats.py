"""Chat connections, links and bindings in PostgreSQL: ``chats.ChatBook``'s statements on the shared database.

Every lookup asks PostgreSQL, so a connection revoked or a user linked through one server
holds on every server at once."""

from __future__ import annotations

from .chats import ChatBook
from .pgschema import PgBook


class PgChatBook(PgBook, ChatBook):
    def __init__(self, url: str):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self._open(url)
