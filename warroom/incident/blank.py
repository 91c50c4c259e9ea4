"""Whether a piece of text would show nothing: the one test, for event titles and texts and for
playbook files alike (a checklist item of zero-width spaces is as blank as one of spaces).

Its own module, below both ``events`` and ``playbook``, because the events carry playbooks.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that draw nothing: a title of zero-width spaces, bidi marks or Hangul fillers is blank.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(char: str) -> bool:
    return char in _INVISIBLE_LETTERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


_VISIBLE_ASCII = re.compile(r"[!-~]")


def is_blank(text: str) -> bool:
    """True when ``text`` would show nothing: empty, spaces, controls, zero-width or bidi marks."""
    if _VISIBLE_ASCII.search(text):
        return False  # the usual case, found in C: checking each character in Python cost a fifth of a parse
    return all(_invisible(char) for char in text)  # stops at the first visible character


def not_blank(text: str) -> str:
    """A validator: ``text`` itself, or ``ValueError("must not be blank")``."""
    if _VISIBLE_ASCII.search(text) is None and is_blank(text):  # the search first: no call in the usual case
        raise ValueError("must not be blank")
    return text
