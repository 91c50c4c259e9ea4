"""The two ways the post-mortem draft is written out: Markdown and HTML, each a Jinja2 template.

The sections are data (``postmortem.document.sections``); a template puts them in order and says
how each looks, so the document's shape is one file (``templates/postmortem.md.j2``, and its HTML
twin). What differs between the formats lives here: how a cell, a line or a block of user text is
made safe. In both, controls and bidi overrides show as the terminal views show them
(``warroom.safetext``) -- the title included -- and anything a template prints without a filter
still passes that sanitiser (``finalize``), so no path lets raw U+202E or ESC through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from warroom.safetext import safe_block

from .postmortem.context import Cell, Em, Lines
from .text import md_block, md_cell, md_inline, mermaid_name

_BLANK_RUNS = re.compile(r"\n{3,}")


# --- Markdown ---------------------------------------------------------------------


def _md_cell(value: Cell) -> str:
    if isinstance(value, Em):
        return f"_{md_inline(value.text)}_"
    if isinstance(value, Lines):
        return "<br>".join(md_cell(item) for item in value.items) or " "
    if not value.strip():
        return value  # a deliberately blank cell keeps its width
    return md_cell(value)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """A GFM table; every row padded or cut to the header width."""
    width = len(headers)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        cells = ([_md_cell(cell) for cell in row] + [" "] * width)[:width]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _md_finalize(value: object) -> object:
    return safe_block(value) if isinstance(value, str) else value


# --- HTML -------------------------------------------------------------------------


def html_text(value: object) -> Markup:
    """User text for HTML: controls and bidi shown as in a terminal, escaped, line breaks kept."""
    if isinstance(value, Markup):
        return value
    shown = safe_block(str(value))
    if "\n" not in shown:
        return escape(shown)
    return Markup("<br>").join(escape(line) for line in shown.split("\n"))


def _html_cell(value: Cell) -> Markup:
    if isinstance(value, Em):
        return Markup("<em>%s</em>") % html_text(value.text)
    if isinstance(value, Lines):
        return Markup("<br>").join(html_text(item) for item in value.items)
    return html_text(value)


# A run this long with nowhere to break it (a URL, a stack-trace token) may break anywhere: only
# such cells, so times, ids and handles in the other columns never break to make room for it.
_UNBROKEN_RUN = re.compile(r"\S{48}")  # a <br> in it too: a cell of such lines may break, no harm


def html_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Markup:
    """A table; a table of facts (no header words) has no header row. Built as one string of
    escaped pieces: a Markup per cell costs too much on a timeline of 10,000 entries."""
    parts = ["<table>"]
    if any(headers):
        parts.append("<thead><tr>" + "".join(f"<th>{escape(header)}</th>" for header in headers) + "</tr></thead>")
    parts.append("<tbody>")
    parts.extend(
        "<tr>" + "".join(
            f"<td>{shown}</td>" if len(shown) < 48 or not _UNBROKEN_RUN.search(shown) else f'<td class="unbroken">{shown}</td>'
            for shown in map(_html_cell, row)
        ) + "</tr>"
        for row in rows
    )
    parts.append("</tbody></table>")
    return Markup("".join(parts))


def _html_finalize(value: object) -> object:
    return html_text(value) if isinstance(value, str) else value


# --- the two environments -----------------------------------------------------------


@functools.cache
def environment(kind: str) -> Environment:
    """The Jinja2 environment for ``"md"`` or ``"html"`` (built once; templates are package data)."""
    html = kind == "html"
    env = Environment(
        loader=PackageLoader("warroom.export", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        finalize=_html_finalize if html else _md_finalize,
    )
    if html:
        env.filters.update(text=html_text, cell=_html_cell)
        env.globals.update(table=html_table)
    else:
        env.filters.update(inline=md_inline, cell=_md_cell, block=md_block, mermaid=mermaid_name)
        env.globals.update(table=md_table)
    return env


def render_template(kind: str, name: str, sections: dict) -> str:
    text = environment(kind).get_template(name).render(**sections)
    if kind == "md":
        text = _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"
    return text
