"""The server's own parts by database kind: its event log and its alert-hook book.

Beside ``warroom.db.backend`` (tokens, share keys, the schema), which web, notify and the
CLI share: these two need the server's writer machinery and the alert payload kinds, so
they stay in the server package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from warroom.db.backend import Database, is_postgres


def open_log(db: Database, *, on_commit: Callable[..., None] | None = None) -> Any:
    if is_postgres(db):
        from .pg import PgEventLog

        return PgEventLog(str(db), on_commit=on_commit)
    from .db import EventLog

    return EventLog(Path(db), on_commit=on_commit)


def open_hooks(db: Database) -> Any:
    """Alert hooks (``warroom.server.hooks``) in the same database."""
    if is_postgres(db):
        from .pghooks import PgHookBook

        return PgHookBook(str(db))
    from .hooks import HookBook

    return HookBook(Path(db))
