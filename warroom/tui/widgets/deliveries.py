"""One line in the commander's pane: notification targets that keep failing.

Fed from the delivery records: the relay's beside a shared folder (``warroom notify
status`` reads the same rows), or the server's through ``/api/notify/failing``. Shown to the commander only, and only while something fails:
a healthy channel needs no screen space.
"""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Static


def failing_lines(records: Path | None) -> list[str]:
    """"Slack: 3 failed deliveries, last error ..." for each failing target (none if no records)."""
    if records is None or not records.exists():
        return []
    import sqlite3  # here, not at the top: a board without delivery records never needs it (~1.5 ms of a join)

    from warroom.notify.records import Deliveries

    try:
        reader = Deliveries(records, readonly=True)
    except sqlite3.Error:
        return []
    try:
        return [h.line() for h in reader.health() if h.failing]
    except sqlite3.Error:
        return []
    finally:
        reader.close()


async def failing_on_server(store: object) -> list[str]:
    """The same lines from a server (``/api/notify/failing``); none if it sends no notifications."""
    client = getattr(store, "client", None)
    if client is None:
        return []
    try:
        response = await client.get("/api/notify/failing")
    except Exception:  # offline: the header already says so
        return []
    if response.status_code != 200:
        return []
    lines = response.json()
    return [str(line) for line in lines] if isinstance(lines, list) else []


class DeliveryHealth(Static):
    DEFAULT_CSS = "DeliveryHealth { margin-top: 1; color: $warning; } DeliveryHealth.-hidden { display: none; }"

    def show(self, lines: list[str]) -> None:
        self.set_class(not lines, "-hidden")
        self.update(Content("\n".join(lines)))
