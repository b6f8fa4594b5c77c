"""The Jinja2 environment of the review pages (served by app.py, written by static_page.py):
autoescaping on for every template, so a document-derived string (title, file name, cell,
line of text) is always shown as text, never read as markup; undefined names are errors."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "review.css"


def number(value: float | int | None, empty: str = "") -> str:
    """A value as the report prints it: whole numbers without decimals, others with up to
    four; ``empty`` for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"


def signed(value: float | None) -> str:
    if value is None:
        return ""
    text = number(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")


def report_url(
    report_id: str,
    cell: str | None = None,
    check: str | None = None,
    anchor: str | None = None,
    action: str | None = None,
) -> str:
    """The report page with a cell and/or a check instance selected, or the URL a review
    ``action`` posts to from that page (it returns there)."""
    path = f"/report/{quote(report_id)}" + (f"/{action}" if action else "")
    query = urlencode({k: v for k, v in (("cell", cell), ("check", check)) if v})
    return path + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, percent=percent, signed=signed)
    env.globals.update(report_url=report_url)
    return env


def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")
