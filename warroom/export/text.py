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

from warroom.safetext import safe_block, safe_line

# --- Markdown ----------------------------------------------------------------------
#
# The draft is read two ways: rendered (GitHub, GitLab) and pasted as plain text (Google Docs,
# Confluence). So user text is escaped only where CommonMark/GFM would really read structure
# into it, and nowhere else: ``#4821``, ``->``, ``~5 min``, ``a < b`` and ``snake_case`` stay as
# typed. What would change the document is neutralised with a backslash (a literal in
# CommonMark for any ASCII punctuation): an HTML tag or autolink (``<`` before a letter, ``/``,
# ``!`` or ``?``), an entity (``&amp;``), a link or image (``](``), emphasis (a ``*`` or an
# edge ``_`` that touches a word), code, strikethrough and math only when their marks come in
# pairs, ``|`` (a table cell, or a table made up inside a quote), and a backslash that would
# escape what follows it. Text that starts a line (the quoted close summary) also keeps lists,
# headings, quotes and breaks from forming. Last, controls and bidi overrides are shown as the
# terminal views show them (``warroom.safetext``: ESC as ``␛``, U+202E as ``<U+202E>``).

_LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_TAG_OR_AUTOLINK = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LINK_TARGET = re.compile(r"\](?=[(\[])")
_EMPHASIS_STAR = re.compile(r"\*(?=\S)|(?<=\S)\*")
# An underscore inside a word never makes emphasis in GFM (snake_case stays as typed).
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_(?=\S)|(?<=\S)_(?![0-9A-Za-z])")
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)")
_PAIRED = ("`", "~", "$")
# Only at the start of a line: ATX headings, quotes, list items, thematic breaks and setext
# underlines, ordered lists, and a link reference definition.
_BLOCK_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|[-=_*](?=[-=_*\s]*$))")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_DEFINITION = re.compile(r"^\[([^\]]*)\]:")
_HEADING_CLOSER = re.compile(r"(?<!\S)#+\s*$")
_ANY_SPECIAL = re.compile(r"[\\`*\[\]|~$&<_]")
# Text with none of the above, no line break, control or bidi character is shown as it is
# (times, ids and most notes): one scan instead of three.
_PLAIN_CELL = re.compile(
    "[^\\\\`*\\[\\]|~$&<_\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]*"
)


def md_inline(text: str) -> str:
    """One line of literal text as inline Markdown: shows exactly ``text``, formats nothing.

    Newlines become spaces; use ``md_cell`` where a line break should show. For text
    that follows something on its line (a heading's ``### WS-1:``, a list item's label).
    """
    return _shown(_HEADING_CLOSER.sub(lambda m: "\\" + m.group(), _escape(" ".join(_lines(text)).strip())))


def md_cell(text: str) -> str:
    """Literal text for a GFM table cell: escaped, ``|`` kept inside, line breaks as ``<br>``."""
    if _PLAIN_CELL.fullmatch(text):
        return text.strip() or " "
    lines = _lines(text)
    if len(lines) == 1:
        return _shown(_escape(text.strip())) or " "
    return "<br>".join(_shown(_escape(line.strip())) for line in lines).strip() or " "


def md_block(text: str, prefix: str = "") -> str:
    """Literal multi-line text as Markdown lines (each with ``prefix``, e.g. ``"> "``).

    Every line is escaped on its own and ends with a hard break, so the lines the
    responder wrote stay lines; blank lines separate paragraphs as they did.
    """
    out = []
    lines = [line.strip() for line in _lines(text)]
    for i, line in enumerate(lines):
        escaped = _shown(_escape_line_start(_escape(line)))
        following = i + 1 < len(lines) and lines[i + 1]
        hard_break = "<br>" if escaped and following else ""
        out.append(f"{prefix}{escaped}{hard_break}".rstrip())
    return "\n".join(out)


def _lines(text: str) -> list[str]:
    if not _LINE_BREAK.search(text):
        return [text]  # most notes are one line
    return _LINE_BREAK.split(text)


def _shown(line: str) -> str:
    return safe_line(line)


def _escape(line: str) -> str:
    if not _ANY_SPECIAL.search(line):
        return line  # most notes: nothing to do (exports of 10,000 events escape a lot)
    # Each rule only where its character occurs: a membership test is far cheaper than a regex pass.
    if "\\" in line:
        line = _ESCAPING_BACKSLASH.sub(r"\\\\", line)
    if "|" in line:
        line = line.replace("|", "\\|")
    if "<" in line:
        line = _TAG_OR_AUTOLINK.sub(r"\\<", line)
    if "&" in line:
        line = _ENTITY.sub(r"\\&", line)
    if "]" in line:
        line = _LINK_TARGET.sub(r"\\]", line)
    if "*" in line:
        line = _EMPHASIS_STAR.sub(r"\\*", line)
    if "_" in line:
        line = _EDGE_UNDERSCORE.sub(r"\\_", line)
    for mark in _PAIRED:
        if line.count(mark) >= 2:
            line = line.replace(mark, "\\" + mark)
    return line


def _escape_line_start(line: str) -> str:
    if _DEFINITION.match(line):
        return "\\" + line
    if _BLOCK_START.match(line):
        return "\\" + line
    return _ORDERED.sub(r"\1\\\2", line)


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
