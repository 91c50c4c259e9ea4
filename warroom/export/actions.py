"""Action items across every incident: the list people follow through, and a CSV trackers import.

Action items are where a post-mortem turns into work, and work lives in an issue
tracker. ``warroom actions --csv`` writes one row per item with a header every
common importer accepts as it is (checked against their documentation):

- **GitLab** (Issues > Import CSV) reads the header row case-insensitively: ``title``
  and ``description`` must be the first two columns, ``due date`` (YYYY-MM-DD) is
  imported too, anything else is ignored.
- **Jira** (External system import > CSV) maps every column by hand in its wizard:
  Title -> Summary, Description, Assignee, Due Date (date format ``yyyy-MM-dd``),
  Labels and Status.
- **GitHub** has no built-in issue CSV import; the usual importers (and a
  ``gh issue create`` loop) read Title, Description (the body), Assignee and Labels.

So the columns are ``Title, Description, Assignee, Due Date, Labels, Status``: plain
UTF-8 without a byte-order mark (a BOM would make GitLab read the first header as
"\\ufefftitle"), comma-separated, CRLF rows, and a formula-looking cell neutralised.
Labels are one cell, comma-separated, without spaces: ``warroom,INC-42,preventative``.
Assignee is the warroom handle; map it to tracker users in the importer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from warroom.incident import fold
from warroom.incident.state import ActionItem, IncidentState

from .text import csv_safe

CSV_COLUMNS = ("Title", "Description", "Assignee", "Due Date", "Labels", "Status")


@dataclass(frozen=True, slots=True)
class ActionRow:
    incident: str
    incident_title: str
    item: ActionItem

    def as_dict(self) -> dict:
        """The documented ``warroom actions --json`` shape."""
        a = self.item
        return {
            "incident": self.incident,
            "id": a.id,
            "text": a.text,
            "owner": a.owner,
            "kind": a.kind,
            "status": a.status,
            "due": a.due.isoformat() if a.due else None,
        }


def rows_of(state: IncidentState) -> list[ActionRow]:
    return [ActionRow(state.id, state.title, item) for item in state.action_items]


async def collect(store) -> list[ActionRow]:
    """Every action item of every incident in ``store`` (an ``EventStore``), oldest incident first."""
    rows: list[ActionRow] = []
    for summary in reversed(await store.incidents()):
        rows.extend(rows_of(fold(await store.read(summary.id))))
    return rows


def select(rows: list[ActionRow], *, owner: str | None = None, only_open: bool = False, overdue_on: date | None = None) -> list[ActionRow]:
    chosen = rows
    if owner is not None:
        chosen = [r for r in chosen if r.item.owner == owner]
    if only_open:
        chosen = [r for r in chosen if r.item.is_open]
    if overdue_on is not None:
        chosen = [r for r in chosen if r.item.is_overdue(overdue_on)]
    return chosen


def render_tracker_csv(rows: list[ActionRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        a = row.item
        description = (
            f"Action item {a.id} ({a.kind}) from incident {row.incident} \"{row.incident_title}\", "
            f"added by {a.added_by}. Status in warroom: {a.status_text}."
        )
        labels = ",".join(label.replace(" ", "-") for label in ("warroom", row.incident, a.kind))
        writer.writerow(
            [
                csv_safe(a.text),
                csv_safe(description),
                csv_safe(a.owner or ""),
                a.due.isoformat() if a.due else "",
                csv_safe(labels),
                a.status_text.split(":")[0],
            ]
        )
    return out.getvalue()


def render_text(rows: list[ActionRow], today: date) -> str:
    lines = []
    for row in rows:
        a = row.item
        due = ""
        if a.due:
            due = f"due {a.due:%Y-%m-%d}" + (" OVERDUE" if a.is_overdue(today) else "")
        lines.append(f"{row.incident:<10} {a.id:<5} {a.status_text.split(':')[0]:<11} {due:<22} {a.owner or '-':<14} {a.text}")
    return "\n".join(lines)
