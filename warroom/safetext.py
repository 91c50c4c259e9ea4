"""Terminal safety: the one function every piece of user text passes before a terminal shows it.

A note is typed by one responder and drawn on every other responder's terminal. Written
raw, ``ESC [2J`` blanks their screen, an OSC 52 sequence writes into their clipboard
(through tmux too), a bidi override makes ``gnp.exe`` read as ``exe.png``, and a plain
newline breaks a pane border or forges a line of ``warroom show`` that reads as someone
else's broadcast. The log keeps exactly what was typed; only what is *shown* changes.

The rule, for every text field on every terminal path (board, toasts, catch-up, forms,
CLI output and error lines) and the CSV export:

- C0 controls (U+0000-U+001F) and DEL become their Unicode control pictures:
  ESC shows as ``␛``, NUL as ``␀``, BEL as ``␇``, DEL as ``␡``. A tab becomes one space.
- C1 controls (U+0080-U+009F), bidi controls (U+061C, U+200E/F, U+202A-U+202E,
  U+2066-U+2069) and lone surrogates show as ``<U+202E>``.
- Line breaks (LF, CR, CRLF, VT, FF, NEL, U+2028, U+2029) are legitimate in notes
  (pasted tracebacks). A one-row view shows them as ``⏎ `` inline (``safe_line``); a
  multi-line view starts a new line, indented if the caller asks (``safe_block``), so
  no raw line break ever escapes the row or box it belongs to.

Markup is not this module's business: the board shows user text as literal
``Content``/``Text``, never as markup. Pure, so it runs anywhere (no Textual import).
"""

from __future__ import annotations

import re

__all__ = ["LINE_MARK", "is_unsafe_char", "json_safe", "safe_block", "safe_line"]

LINE_MARK = "⏎ "
"""What a line break looks like on a one-row view."""

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Everything that must not reach a terminal raw, line breaks included (handled first).
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff\u2028\u2029]")
_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_NOT_A_BREAK = re.compile(f"[\x00-\x09\x0e-\x1f\x7f-\x84\x86-\x9f{_BIDI}\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code == 0x09:
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟: the Control Pictures block mirrors C0
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def safe_line(text: str) -> str:
    """``text`` for a single row: controls and bidi made visible, line breaks as ``⏎ ``."""
    if not _UNSAFE.search(text):
        return text  # the common case, on every row of every redraw: keep it cheap
    return _NOT_A_BREAK.sub(_visible, _BREAK.sub(LINE_MARK, text))


def safe_block(text: str, indent: str = "") -> str:
    """``text`` for a multi-line view: controls and bidi made visible, every line break a
    plain ``\\n`` followed by ``indent`` (so continuation lines can sit under their first)."""
    if not _UNSAFE.search(text):
        return text
    return _NOT_A_BREAK.sub(_visible, _BREAK.sub(lambda _: "\n" + indent, text))


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def json_safe(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters a terminal
    would act on written as ``\\uXXXX`` escapes: the same document, byte for byte safe to print.
    (``json.dumps`` already escapes C0; such characters only ever occur inside strings.)"""
    if not _JSON_UNSAFE.search(dumped):
        return dumped
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


ELLIPSIS = "…"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut marked: ``a-very-long-h…``."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def is_unsafe_char(char: str) -> bool:
    """True for a character this module never lets through raw (line breaks included)."""
    return bool(_UNSAFE.fullmatch(char))
