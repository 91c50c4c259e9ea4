"""Every incident's log from a store (a folder or a server), for ``compute``.

Typed by what it uses, not by ``EventStore``, so this package stays below the stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from warroom.incident import StoredEvent


class _Summary(Protocol):
    @property
    def id(self) -> str: ...


class LogSource(Protocol):
    """What ``read_logs`` needs of a store: ``EventStore`` (file or HTTP) has both."""

    async def incidents(self) -> Sequence[_Summary]: ...

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]: ...


async def read_logs(store: LogSource) -> list[list[StoredEvent]]:
    """The whole log of every incident the store lists (the lobby's list), oldest first."""
    return [await store.read(summary.id) for summary in reversed(list(await store.incidents()))]
