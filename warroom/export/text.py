"""Making user text safe for the places exports put it: Markdown, Mermaid, spreadsheets.

Everything a responder typed (titles, notes, hand-off notes, broadcasts) ends up in
files that other tools interpret. The rule is the same everywhere: keep the meaning,
neutralise the syntax. A note that says ``<script>`` or ``| grep x`` must read exactly
so in the post-mortem, never become HTML or an extra table column; a cell that starts
with ``=`` must not become a spreadsheet formula.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from warroom.incident.keyframes import t_plus
from warroom.words import long_duration

from warroom.safetext import safe_block

# --- Markdown ---------------------------------------------------------------------

# C0 controls and DEL carry no meaning in a document; CommonMark would turn NUL into U+FFFD
# anyway. Tab stays (it is whitespace); newlines are handled separately.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# ASCII punctuation that means something inline in CommonMark/GFM: code, emphasis, links,
# strikethrough, table cells, GitHub math, ATX heading closers (``#``). A backslash before
# any ASCII punctuation is a literal in CommonMark, so escaping is exact.
_INLINE_SPECIAL = re.compile(r"([\\`*\[\]|~$#])")
# Intraword underscores never make emphasis in GFM (snake_case stays readable); only
# underscores at a word edge are escaped.
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# Things that only matter at the start of a line: headings, lists, setext underlines,
# ordered lists.
_LINE_START = re.compile(r"^([#+\-=])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def md_inline(text: str) -> str:
    """One line of literal text as inline Markdown: shows exactly ``text``, formats nothing.

    Newlines become spaces; use ``md_cell`` where a line break should show. For text
    that follows something on its line (a heading's ``### WS-1:``, a list item's label).
    """
    return _escape_line(" ".join(_lines(text)).strip(), line_start=False)


def md_cell(text: str) -> str:
    """Literal text for a GFM table cell: escaped, ``|`` kept inside, line breaks as ``<br>``."""
    return "<br>".join(_escape_line(line.strip()) for line in _lines(text)).strip() or " "


def md_block(text: str, prefix: str = "") -> str:
    """Literal multi-line text as Markdown lines (each with ``prefix``, e.g. ``"> "``).

    Every line is escaped on its own and ends with a hard break, so the lines the
    responder wrote stay lines; blank lines separate paragraphs as they did.
    """
    out = []
    lines = [line.strip() for line in _lines(text)]
    for i, line in enumerate(lines):
        escaped = _escape_line(line)
        following = i + 1 < len(lines) and lines[i + 1]
        hard_break = "<br>" if escaped and following else ""
        out.append(f"{prefix}{escaped}{hard_break}".rstrip())
    return "\n".join(out)


# Fast paths: most notes have nothing to escape, and exports of 10,000 events escape a lot.
_BREAK_OR_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\n]")
_ANY_SPECIAL = re.compile(r"[\\`*\[\]|~$#&<>_]")
_SPECIAL_START = re.compile(r"^(?:[#+\-=]|\d+[.)])")


def _lines(text: str) -> list[str]:
    if not _BREAK_OR_CONTROL.search(text):
        return [text]
    return _LINE_BREAK.split(_CONTROL.sub("\ufffd", text))


def _escape_line(line: str, line_start: bool = True) -> str:
    if not _ANY_SPECIAL.search(line) and not (line_start and _SPECIAL_START.match(line)):
        return line
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    line = _INLINE_SPECIAL.sub(r"\\\1", line)
    line = _EDGE_UNDERSCORE.sub(r"\\_", line)
    if not line_start:
        return line
    line = _LINE_START.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", line)


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table from already-escaped cells (every row padded or cut to the header width)."""
    width = len(headers)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        cells = (list(row) + [" "] * width)[:width]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- Mermaid ----------------------------------------------------------------------

# Mermaid's gantt lexer: ``:`` ends a task name, ``#`` and ``%`` start comments, ``;``
# ends a statement, and a handful of words at the start of a line are keywords. Rather
# than escape, task and section names keep a conservative alphabet.
_MERMAID_UNSAFE = re.compile(r"[^\w .()/+@!?'\-]")
_SPACES = re.compile(r"\s+")
_MERMAID_KEYWORDS = re.compile(
    r"^(gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|"
    r"weekday|title|accdescription|accdescr|acctitle|section|click|call|href|\d{4}-\d\d-\d\d)",
    re.IGNORECASE,
)
MERMAID_NAME_MAX = 48


def mermaid_name(text: str, limit: int = MERMAID_NAME_MAX) -> str:
    """A task or section name Mermaid reads as plain text, whatever the responder typed."""
    cleaned = _SPACES.sub(" ", _MERMAID_UNSAFE.sub(" ", text)).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3].rstrip() + "..."
    if not cleaned:
        cleaned = "untitled"
    if _MERMAID_KEYWORDS.match(cleaned):
        cleaned = "_" + cleaned  # would otherwise be read as a statement, not a name
    return cleaned


# --- spreadsheets -----------------------------------------------------------------

# OWASP's list: a cell starting with one of these may be run as a formula by Excel,
# LibreOffice or Google Sheets (tab and CR too, because some import paths strip them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text and a terminal (``cat``, ``less -R``) shows safely.

    Controls and bidi overrides become visible (``warroom.safetext``: ESC as ``␛``); line
    breaks stay, as ``\n``, so a multi-line note is still one quoted cell. A cell that a
    spreadsheet would evaluate as a formula gets a leading ``'`` (judged on the text as
    typed, so a leading tab or CR still counts).
    """
    shown = safe_block(value)
    return "'" + shown if value.startswith(_FORMULA_START) or shown.startswith(_FORMULA_START) else shown


# --- times and durations ----------------------------------------------------------


def utc(at: datetime) -> datetime:
    """``at`` in UTC. Stored envelopes are UTC already; a corrected key time may carry another
    offset, or none at all if it came from a hand-edited file (taken as UTC)."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def seconds(at: datetime) -> datetime:
    """``at`` in UTC without its fraction of a second: exports show whole seconds."""
    return utc(at).replace(microsecond=0)


def iso(at: datetime | None) -> str:
    """ISO 8601 with ``Z`` for UTC, as in ``warroom show --json``."""
    return at.isoformat().replace("+00:00", "Z") if at else ""


def elapsed(start: datetime, end: datetime) -> str:
    """The duration between two moments as the clocks beside it show them (whole seconds)."""
    return long_duration(seconds(end) - seconds(start))


def offset(at: datetime, start: datetime) -> str:
    """``T+01:02:05`` from the start of the incident (``T-`` before it); hours may pass 24."""
    return t_plus(utc(at), utc(start))
