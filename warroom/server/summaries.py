"""The list of incidents the SQLite log serves: every incident's summary, its JSON made once.

Readers ask for the list often (boards' lobbies, the summaries stream) and must never
take a turn on the writer's queue, so the writer offers each incident's summary after
a commit and readers serve from here. Incidents the writer has not touched since the
server started are folded once by the first reader (``load``); the JSON array is
rebuilt only when a summary changed, and a summary's JSON is made by the reader that
lists it (not by the writer at each commit: most commits are never listed).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime

from warroom.incident import IncidentState
from warroom.store.base import IncidentSummary


def newest_first(summary: IncidentSummary) -> tuple[bool, datetime | None]:
    """Sort key (with ``reverse=True``): the latest declared first, undated last."""
    return (summary.declared_at is not None, summary.declared_at)


class SummaryCache:
    def __init__(self, load: Callable[[SummaryCache], None]):
        """``load(self)`` offers (``offer``) every incident not ``known`` yet; run once, by a reader."""
        self._load = load
        self._summaries: dict[str, IncidentSummary] = {}
        self._texts: dict[str, tuple[IncidentSummary, str]] = {}  # incident -> (the summary last listed, its JSON)
        self._lock = threading.Lock()
        self._loading = threading.Lock()
        self._complete = False
        self._version = 0
        self._order: list[str] | None = None  # incident ids, newest first
        self._listing: tuple[int, bytes] = (-1, b"[]")
        self._listing_lock = threading.Lock()

    def known(self, incident_id: str) -> bool:
        return incident_id in self._summaries

    def offer(self, incident_id: str, state: IncidentState) -> None:
        """Keep ``state``'s summary unless a later one (higher seq) is already kept."""
        if not state.declared:
            return
        summary = IncidentSummary.of(state)
        with self._lock:
            current = self._summaries.get(incident_id)
            if current is None or current.seq < summary.seq:
                self._summaries[incident_id] = summary
                self._version += 1
                if current is None or current.declared_at != summary.declared_at:
                    self._order = None

    def summaries(self) -> list[IncidentSummary]:
        return [summary for _, summary in self._sorted()[1]]

    def listing(self) -> bytes:
        """Every summary as a JSON array, newest first."""
        with self._listing_lock:  # one reader rebuilds; the others wait and reuse it
            version, listing = self._listing
            if version == self._version and self._complete:
                return listing
            version, found = self._sorted()
            listing = ("[" + ",".join(self._json(incident_id, summary) for incident_id, summary in found) + "]").encode()
            self._listing = (version, listing)
            return listing

    def _json(self, incident_id: str, summary: IncidentSummary) -> str:
        """The summary's JSON, made once per summary (under the listing lock)."""
        kept = self._texts.get(incident_id)
        if kept is not None and kept[0] is summary:
            return kept[1]
        text = json.dumps(summary.as_dict(), ensure_ascii=False)
        self._texts[incident_id] = (summary, text)
        return text

    def _sorted(self) -> tuple[int, list[tuple[str, IncidentSummary]]]:
        if not self._complete:
            with self._loading:
                if not self._complete:
                    self._load(self)
                    self._complete = True
        with self._lock:
            if self._order is None:  # only a new incident (or a new declared time) moves one
                pairs = sorted(self._summaries.items(), key=lambda item: newest_first(item[1]), reverse=True)
                self._order = [incident_id for incident_id, _ in pairs]
            return self._version, [(incident_id, self._summaries[incident_id]) for incident_id in self._order]
