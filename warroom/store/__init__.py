"""Where incident logs live: one ``EventStore`` interface, a file and an HTTP implementation.

``open_store`` picks the implementation from a ``StoreLocation``; the HTTP client (and
httpx with it) is imported only when a server URL is configured.
"""

from __future__ import annotations

from collections.abc import Callable

from warroom.config import StoreLocation

from .base import (
    EventStore,
    IdClash,
    IncidentSummary,
    InvalidIncidentId,
    LogReplaced,
    Queued,
    Rejected,
    StoreError,
    StoreUnavailable,
    UnknownIncident,
    checked_incident_id,
)
from .file import FileStore, default_warning

__all__ = [
    "EventStore",
    "FileStore",
    "IdClash",
    "IncidentSummary",
    "InvalidIncidentId",
    "LogReplaced",
    "Queued",
    "Rejected",
    "StoreError",
    "StoreUnavailable",
    "UnknownIncident",
    "checked_incident_id",
    "open_store",
]


def open_store(location: StoreLocation, *, warn: Callable[[str], None] = default_warning) -> EventStore:
    if location.url:
        from .http import HttpStore

        return HttpStore(location.url, token=location.token, warn=warn)
    assert location.folder is not None
    return FileStore(location.folder, warn=warn)
