"""Whether a piece of text would show nothing: the one test, for event titles and texts and for
playbook files alike (a checklist item of zero-width spaces is as blank as one of spaces).

Its own module, below both ``events`` and ``playbook``, because the events carry playbooks.
"""

from __future__ import annotations

import bisect
import re

_VISIBLE_ASCII = re.compile(r"[!-~]")


def is_blank(text: str) -> bool:
    """True when ``text`` would show nothing: empty, spaces, controls, zero-width or bidi marks."""
    if _VISIBLE_ASCII.search(text):
        return False  # the usual case, found in C: checking each character in Python cost a fifth of a parse
    return all(_invisible(char) for char in text)  # stops at the first visible character


INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0, 0x20), (0x7F, 0xA0), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x115F, 0x1160), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F),
    (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F), (0x2800, 0x2800), (0x3000, 0x3000), (0x3164, 0x3164),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
"""The characters that draw nothing, as ranges of code points: Unicode's categories Cc, Cf, Zs, Zl
and Zp (controls, format characters such as zero-width spaces and bidi marks, spaces and
separators) and the Hangul and Braille fillers, as of Unicode ``UNICODE_VERSION``. A fixed table,
not ``unicodedata``: whether an event is blank must not depend on the Python that folds it (3.13's
tables call U+13439-U+1343F format characters, 3.11's do not), or two boards could disagree on
one log. ``tests/incident/test_checks_in_rust.py`` rebuilds it from ``unicodedata`` where the
versions match."""
UNICODE_VERSION = "14.0.0"
_FIRSTS = [first for first, _ in INVISIBLE_RANGES]


def _invisible(char: str) -> bool:
    point = ord(char)
    at = bisect.bisect_right(_FIRSTS, point) - 1
    return at >= 0 and point <= INVISIBLE_RANGES[at][1]


VISIBLE_CHARACTER = "[^" + "".join(rf"\x{{{first:x}}}-\x{{{last:x}}}" for first, last in INVISIBLE_RANGES) + "]"
"""``not_blank`` as a pattern for pydantic-core's Rust regex (found anywhere in a text that is not
blank): the events' titles and texts are checked in Rust, with no Python call per text (a
call per line was a tenth of a parse)."""


def not_blank(text: str) -> str:
    """A validator: ``text`` itself, or ``ValueError("must not be blank")``."""
    if _VISIBLE_ASCII.search(text) is None and is_blank(text):  # the search first: no call in the usual case
        raise ValueError("must not be blank")
    return text
