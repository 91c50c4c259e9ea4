"""Where incident logs live: one ``EventStore`` interface, a file and an HTTP implementation.

``open_store`` picks the implementation from a ``StoreLocation``; the HTTP client (and
httpx with it) is imported only when a server URL is configured, and the file store
(and ``fcntl`` with it) only when it is used: the server imports ``warroom.store.base``
without pulling in either, or the CLI's config (``warroom.config.resolve_store`` makes the location).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import (
    EventStore,
    IdClash,
    IncidentChanges,
    IncidentSummary,
    InvalidIncidentId,
    LogReplaced,
    Queued,
    Rejected,
    StoreError,
    StoreUnavailable,
    UnknownIncident,
    checked_incident_id,
    default_warning,
)

if TYPE_CHECKING:
    from .file import FileStore

__all__ = [
    "EventStore",
    "FileStore",
    "IdClash",
    "IncidentChanges",
    "IncidentSummary",
    "InvalidIncidentId",
    "LogReplaced",
    "Queued",
    "Rejected",
    "StoreError",
    "StoreLocation",
    "StoreUnavailable",
    "UnknownIncident",
    "checked_incident_id",
    "open_store",
]


@dataclass(frozen=True)
class StoreLocation:
    """Where incidents live: a folder (file store) or a server URL (HTTP store)."""

    folder: Path | None = None
    url: str | None = None
    token: str | None = None

    def describe(self) -> str:
        return self.url if self.url else str(self.folder)


def open_store(location: StoreLocation, *, warn: Callable[[str], None] = default_warning) -> EventStore:
    if location.url:
        from .http import HttpStore

        return HttpStore(location.url, token=location.token, warn=warn)
    assert location.folder is not None
    from .file import FileStore

    return FileStore(location.folder, warn=warn)


def __getattr__(name: str) -> Any:
    if name == "FileStore":  # loaded on first use
        from .file import FileStore

        return FileStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
