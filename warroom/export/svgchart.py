"""Horizontal stacked bar charts as inline SVG: charts a saved HTML page can carry with no script.

Every label passes the terminal sanitiser and is escaped; each bar segment has a ``<title>``
(a tooltip in browsers) with its exact number, so nothing shown only as a length is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from warroom.safetext import fit, safe_line

LABEL_WIDTH = 150
BAR_HEIGHT = 16
ROW_GAP = 6
LEGEND_HEIGHT = 24
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _label(text: str, limit: int = 22) -> str:
    return fit(safe_line(text), limit)


def stacked_bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[tuple[str, str]],
    *,
    unit: str,
    width: int = 720,
) -> Markup:
    """One bar per row, its values stacked in ``series`` order; ``series`` is (name, CSS colour)."""
    largest = max((sum(values) for _, values in rows), default=0) or 1
    room = width - LABEL_WIDTH - 70
    height = LEGEND_HEIGHT + len(rows) * (BAR_HEIGHT + ROW_GAP) + ROW_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL_WIDTH
    for name, colour in series:
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="14" fill="#1f2328">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    for index, (label, values) in enumerate(rows):
        y = LEGEND_HEIGHT + index * (BAR_HEIGHT + ROW_GAP)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" fill="#1f2328">{escape(_label(label))}</text>'
        )
        offset = float(LABEL_WIDTH)
        for value, (name, colour) in zip(values, series):
            if value <= 0:
                continue
            length = value / largest * room
            parts.append(
                f'<rect x="{offset:.1f}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{colour}">'
                f"<title>{escape(_label(label, 60))}: {escape(name)} {_number(value)} {escape(unit)}</title></rect>"
            )
            offset += length
        total = sum(values)
        parts.append(f'<text x="{offset + 5:.1f}" y="{y + BAR_HEIGHT - 4}" fill="#59636e">{_number(total)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
