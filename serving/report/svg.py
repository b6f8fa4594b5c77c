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


def text_width(text: str) -> float:
    """Rough width in px at 12 px: CJK characters are about twice as wide as Latin ones."""
    return sum(12.0 if ord(ch) >= 0x2E80 else 7.0 for ch in text)


def _legend(series: Sequence[Series], x: float, y: float) -> str:
    items, offset = [], 0.0
    for s in series:
        items.append(
            f'<g class="legend-item"><rect x="{x + offset:.1f}" y="{y}" width="10" '
            f'height="10" fill="{s.color}"/>'
            f'<text x="{x + offset + 14:.1f}" y="{y + 9}">{esc(s.name)}</text></g>'
        )
        offset += 24 + text_width(s.name)
    return "".join(items)


def _frame(chart_id: str, title: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg id="{esc(chart_id)}" class="chart" role="img" '
        f'aria-labelledby="{esc(chart_id)}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{esc(chart_id)}-title">{esc(title)}</title>{body}</svg>'
    )


def column_chart(
    chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series]
) -> str:
    """Stacked columns, one per category (e.g. a report year), one segment per series."""
    width, height, left, right, top, bottom = 680, 320, 56, 16, 16, 64
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
        base = top + plot_h
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
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
            f"{esc(category)}</text>"
        )
    parts.append(_legend(series, left, height - 22))
    return _frame(chart_id, title, width, height, "".join(parts))


def bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    labels: Sequence[str] | None = None,
    maximum: float | None = None,
) -> str:
    """Stacked horizontal bars, one per category (e.g. a region or a check), with an
    optional text label after each bar."""
    row_h, top, right = 26, 8, 210
    left = min(12 + max((text_width(c) for c in categories), default=0), 260)
    width = 680
    height = top + row_h * len(categories) + 40
    plot_w = width - left - right
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = maximum if maximum is not None else max(totals, default=0) or 1
    scale = plot_w / top_value
    parts = []
    for i, category in enumerate(categories):
        y = top + row_h * i
        x = float(left)
        parts.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end">{esc(category)}</text>')
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            w = min(value * scale, left + plot_w - x)  # a rate above 100 % ends at the edge
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{s.color}"><title>{esc(category)} · {esc(s.name)}: '
                f"{esc(number(value))}</title></rect>"
            )
            x += w
        label = labels[i] if labels else number(totals[i])
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}">{esc(label)}</text>')
    if len(series) > 1:
        parts.append(_legend(series, left, height - 22))
    return _frame(chart_id, title, width, height, "".join(parts))
