"""Small inline-SVG charts: stacked columns and stacked horizontal bars.

Every piece of text goes through :func:`esc`: labels come from the documents (region names,
file names), so nothing is written into the markup unescaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f")
GREY = "#bab0ac"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]  # one per category
    color: str


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _frame(chart_id: str, title: str, width: int, height: int, body: str) -> str:
    """The chart's svg: it scales with the page (viewBox; CSS keeps it within the column)."""
    return (
        f'<svg id="{esc(chart_id)}" class="chart" role="img" style="max-width: {1.5 * width:g}px" '
        f'aria-labelledby="{esc(chart_id)}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{esc(chart_id)}-title">{esc(title)}</title>{body}</svg>'
    )


# charts' widths in their own units, about a phone's: on a phone they are drawn at about
# their size (their text readable), on a desktop at most 1.5 times it (CSS)
COLUMNS_WIDTH, BARS_WIDTH = 480, 480


def column_chart(
    chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series]
) -> str:
    """Stacked columns, one per category (e.g. a report year), one segment per series, the
    total above each column. The legend is the page's (HTML, so it wraps)."""
    width, height, left, right, top, bottom = COLUMNS_WIDTH, 260, 48, 8, 20, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_h / ticks[-1]
    parts = []
    for tick in ticks:
        y = top + plot_h - tick * scale
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(number(tick))}</text>'
        )
    slot = plot_w / max(len(categories), 1)
    bar_w = min(slot * 0.7, 60)
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        base: float = top + plot_h
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = value * scale
            base -= h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{s.color}"><title>{esc(category)} · {esc(s.name)}: '
                f"{esc(number(value))}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle">'
            f"{esc(number(totals[i]))}</text>"
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'font-size="{11 if len(categories) <= 12 else 9}">{esc(category)}</text>'
        )
    return _frame(chart_id, title, width, height, "".join(parts))


def bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[Sequence[str]],
    series: Sequence[Series],
    *,
    values: Sequence[str] | None = None,
    maximum: float | None = None,
) -> str:
    """Stacked horizontal bars, one per category, each under its label: a category's lines
    (e.g. its Chinese and English names) at the left of the full width, the value
    (``values``, or the bar's total) at the right, so that long labels are never cut."""
    line_h, bar_h, gap = 16, 14, 10
    width = BARS_WIDTH
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = maximum if maximum is not None else max(totals, default=0) or 1
    scale = width / top_value
    parts, y = [], 4.0
    for i, lines in enumerate(categories):
        label = values[i] if values else number(totals[i])
        for n, line in enumerate(lines):
            y += line_h
            colour = "" if n == 0 else ' fill="#666" font-size="11"'
            parts.append(f'<text x="2" y="{y - 4:.1f}"{colour}>{esc(line)}</text>')
            if n == 0:
                parts.append(
                    f'<text x="{width - 2}" y="{y - 4:.1f}" text-anchor="end">{esc(label)}</text>'
                )
        x = 0.0
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            w = min(value * scale, width - x)  # a rate above 100 % ends at the edge
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{s.color}"><title>{esc(" ".join(lines))} · {esc(s.name)}: '
                f"{esc(number(value))}</title></rect>"
            )
            x += w
        y += bar_h + gap
    return _frame(chart_id, title, width, int(y), "".join(parts))
