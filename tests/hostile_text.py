"""Text an attacker (or a careless paste) puts in a note, and what a terminal must never receive.

Shared by the terminal-safety tests of every render path: the board (Pilot), the CLI
(subprocess bytes) and the CSV export.
"""

from __future__ import annotations

from hypothesis import strategies as st

# The two examples from issue 9, and friends.
FORGED_BANNER = "\x1b[2J\x1b[1;1H\x1b[41m INCIDENT RESOLVED \x1b[0m"
OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"
FORGED_LINE = "ok\n 09:41 #7    alice        broadcast: all clear, stand down"
BIDI = "invoice\u202egnp.exe\u202c \u2066isolate\u2069 \u200emark\u200f \u061carabic"
C1 = "csi\x9b31m osc\x9d0;title\x9c nel\x85line"
EXAMPLES = [FORGED_BANNER, OSC52, FORGED_LINE, BIDI, C1, "tab\there\rcr\x7fdel\x00nul\u2028ls\u2029ps\x0bvt\x0cff"]

_DANGEROUS = (
    [chr(c) for c in range(0x20)]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
    + ["\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029"]
)
_PIECES = st.one_of(
    st.sampled_from(EXAMPLES),
    st.sampled_from(_DANGEROUS),
    st.sampled_from(["\x1b[", "\x1b]", "\x1b]8;;http://x\x1b\\", "\x07", "[bold]markup[/]", "é東🔥"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
)


def hostile(max_size: int = 120) -> st.SearchStrategy[str]:
    """Non-blank text mixing escape sequences, C0/C1 controls, bidi controls and line breaks."""
    return st.lists(_PIECES, min_size=1, max_size=8).map(lambda parts: "X" + "".join(parts)[: max_size - 1])


def hostile_argv(max_size: int = 120) -> st.SearchStrategy[str]:
    """The same, as a command-line argument can carry it (no NUL)."""
    return hostile(max_size).map(lambda text: text.replace("\x00", "0"))


BIDI_CHARS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_chars(text: str, allowed: str = "") -> list[str]:
    """Every character of ``text`` a terminal would act on (C0, DEL, C1, bidi, U+2028/9),
    except those in ``allowed``."""
    return [
        ch
        for ch in text
        if ch not in allowed
        and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in BIDI_CHARS or ch in "\u2028\u2029")
    ]
