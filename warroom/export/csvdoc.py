"""The timeline as CSV, for spreadsheets: one row per timeline entry, refused ones included.

Written for Excel, LibreOffice and Google Sheets as they are, not as they should be:

- UTF-8 **with** a byte-order mark. Excel opens a BOM-less ``.csv`` in the machine's
  legacy code page, which mangles every accent, em dash and emoji in names and notes;
  with the BOM it reads UTF-8. LibreOffice, Google Sheets and Python's ``csv`` with
  ``encoding="utf-8-sig"`` all accept it. (The BOM is added when the file is written;
  ``render_csv`` returns plain text.)
- RFC 4180: a header row, CRLF between rows, fields quoted by the ``csv`` module when
  they contain commas, quotes or newlines, so multi-line notes stay one cell.
- Formula injection: a cell starting with ``=``, ``+``, ``-``, ``@`` (or tab/CR) gets a
  leading ``'`` so a note like ``=cmd|' /C calc'!A0`` stays text. This changes the cell
  by one character; the JSON export is the lossless one.
- Terminal safety: control characters and bidi overrides in a cell are written visibly
  (``␛``, ``<U+202E>``; see ``warroom.safetext``), so ``cat`` on the file cannot paint
  the terminal. Line breaks inside a note stay line breaks (``\n``) inside its quoted cell.
"""

from __future__ import annotations

import csv
import io

from warroom.incident import IncidentState

from .history import start_of
from .text import csv_safe, iso, offset

COLUMNS = ("seq", "time_utc", "t_plus", "actor", "type", "workstream", "starred", "text", "rejected")


def render_csv(state: IncidentState) -> str:
    """Every timeline entry of ``state`` as CSV text (no BOM; see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    start = start_of(state)
    for entry in state.timeline:
        writer.writerow(
            [
                entry.seq,
                iso(entry.at),
                offset(entry.at, start) if start else "",
                csv_safe(entry.actor),
                entry.type,
                entry.workstream or "",
                "yes" if entry.starred else "",
                csv_safe(entry.text),
                csv_safe(entry.rejected or ""),
            ]
        )
    return out.getvalue()
