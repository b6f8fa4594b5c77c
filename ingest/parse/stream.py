"""A table region read as a stream: its values in document order, and the labels among them.

PDF converters do not keep a table's rows together. `pdftotext` prints every cell on a line of
its own; pdfplumber's flat text puts a row's values on one line and its wrapped label on the
lines above or below; Markdown converters cut a table into small pipe tables with cells fused
or split. What survives every rendering is the order of the values, and labels near them.
This module reads the lines of a region into that stream (page furniture dropped), for
template-constrained decoding (ingest/parse/grid_decoding.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ingest.parse.cells import is_unit, read_cell
from ingest.parse.normalise import compact
from ingest.parse.rows import is_page_footer, label_and_trailing_numbers, split_line

# a browser's print header or footer: a date and time, a URL, a page count `n/m`
_PRINT_DATE = re.compile(
    r"^\s*\d{2,4}[/\-.年]\d{1,2}[/\-.月]\d{1,2}日?\s*(?:[上下]午)?\s*\d{1,2}:\d{2}"
)
_URL = re.compile(r"(?:https?://|www\.|\.gov\.cn|\.html?\b|\.shtml\b|\.jsp\b)", re.IGNORECASE)
_PAGE_COUNT = re.compile(r"(?:^|\s)\d{1,3}\s*/\s*\d{1,3}\s*$")
_MAYBE_FURNITURE = re.compile(r"\d|www|http|\.gov|html?", re.IGNORECASE)
_MD_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


@dataclass(frozen=True)
class Value:
    """One value cell: a number (`number`), or a placeholder that prints a blank (None)."""

    number: str | None
    raw: str
    unit: str | None
    line: int
    column: int | None  # the cell's index on a TAB-separated line


@dataclass(frozen=True)
class Label:
    """Label text among the values; `position` is how many values precede it."""

    text: str
    line: int
    position: int
    on_value_line: bool  # the same line carries values after it (the row's own label)


@dataclass
class Stream:
    values: list[Value]
    labels: list[Label]
    runs: list[int]  # where each run of values starts (a run: values with no label between)

    def run_spans(self) -> list[tuple[int, int]]:
        ends = [*self.runs[1:], len(self.values)]
        return list(zip(self.runs, ends, strict=True))


def is_furniture(text: str, running_heads: frozenset[str] = frozenset()) -> bool:
    """Page numbers, a browser's print header or footer, a running head repeated per page."""
    stripped = text.strip()
    if not stripped:
        return False
    if running_heads and compact(stripped) in running_heads:
        return True
    if not _MAYBE_FURNITURE.search(stripped):
        return False  # page numbers, dates and addresses all hold a digit or a web word
    if is_page_footer(stripped):
        return True
    if _PRINT_DATE.match(stripped) or _URL.search(stripped):
        return True
    # `…title… 1/5`: a print header or footer with its page count
    return bool(_PAGE_COUNT.search(stripped)) and len(compact(stripped)) > 8


_SITE_SUFFIX = re.compile(r"\s*(?:[-_|｜—–]\s*[^-_|｜—–]{2,30})+\s*$")


def print_header_title(lines: Iterable[str], search_lines: int = 60) -> str | None:
    """The page title a browser prints in its header (`2024/3/5 10:23  某县…年度报告 - 某县人民
    政府`): the date and the site's name dropped."""
    for number, text in enumerate(lines):
        if number >= search_lines:
            break
        found = _PRINT_DATE.match(text.strip())
        if not found:
            continue
        title = text.strip()[found.end() :].strip()
        title = _PAGE_COUNT.sub("", title).strip()
        shorter = _SITE_SUFFIX.sub("", title).strip()
        title = shorter if len(compact(shorter)) >= 8 else title
        if title:
            return title
    return None


def running_heads(lines: Iterable[str], min_repeats: int = 2) -> frozenset[str]:
    """Lines that recur verbatim and read like a page's head: the report's title or the
    issuer's name printed at the top of every page (never a table's label: those are short)."""
    counts: dict[str, int] = {}
    for text in lines:
        flat = compact(text)
        if len(flat) >= 8 and ("报告" in flat or "人民政府" in flat) and not flat[-1].isdigit():
            counts[flat] = counts.get(flat, 0) + 1
    return frozenset(flat for flat, n in counts.items() if n >= min_repeats)


def markdown_cells(text: str) -> list[str] | None:
    """A Markdown pipe-table row's cells (None for a separator row or a line that is no row)."""
    stripped = text.strip()
    if not stripped.startswith("|"):
        return None
    inner = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", inner)]
    if cells and all(_MD_SEPARATOR.match(c) or not c for c in cells) and any(cells):
        return None
    return [c.replace("\\|", "|") for c in cells]


def read_stream(lines: Iterable[tuple[int, str]], heads: frozenset[str] = frozenset()) -> Stream:
    """The values and labels of numbered lines, in document order. A value takes the unit
    printed in its cell, else its row's unit column (on its line, or alone on the line
    before, as a dump prints a cell a line)."""
    values: list[Value] = []
    labels: list[Label] = []
    runs: list[int] = []
    label_since_value = True
    pending_unit: str | None = None
    carried: int | None = None  # where the values given a unit from the line before start
    for number, text in lines:
        cells = markdown_cells(text)
        if cells is not None:
            text = "\t".join(cells)
        elif text.strip().startswith("|"):
            continue  # a separator row
        text = _MD_HEADING.sub("", text)
        if not text.strip() or is_furniture(text.replace("\t", " "), heads):
            continue
        parts, unit, line_values = _line_tokens(text)
        if unit is not None and not parts and not line_values:
            _unit_of_lone_value(values, carried)
            pending_unit, carried = unit, None  # a unit column cell on a line of its own
            continue
        if parts:
            _unit_of_lone_value(values, carried)
            carried = None
        if unit is None and pending_unit is not None and line_values:
            unit, carried = pending_unit, len(values)
        pending_unit = None
        for part in parts:
            labels.append(Label(part, number, len(values), bool(line_values)))
            label_since_value = True
        for column, (value, raw, own_unit) in line_values:
            if label_since_value:
                runs.append(len(values))
                label_since_value = False
            values.append(Value(value, raw, own_unit or unit, number, column))
    _unit_of_lone_value(values, carried)
    return Stream(values, labels, runs)


def _unit_of_lone_value(values: list[Value], carried: int | None) -> None:
    """A unit on the line before a value is that value's (label / unit / value, a cell a line)
    only when one value follows it before the next label: after a stack of labels and units,
    the values that follow are several rows', and the last unit is not theirs."""
    if carried is None or len(values) - carried <= 1:
        return
    line = values[carried].line  # the line whose values took the unit
    for i in range(carried, len(values)):
        if values[i].line != line:
            break
        values[i] = replace(values[i], unit=None)


Token = tuple[str | None, str, str | None]  # number (None: placeholder), raw text, unit


def _line_tokens(text: str) -> tuple[list[str], str | None, list[tuple[int | None, Token]]]:
    """A line's label parts, its unit column and its value tokens (with the TAB cell each
    came from).

    On a TAB line an empty cell is layout (converters pad Markdown rows with them), not a
    value; a placeholder (—, /) is a blank value. A cell holding several numbers (a fused
    cell, `95 0`) gives each of them."""
    if "\t" not in text:
        row = split_line(text, 0)
        untabbed: list[tuple[int | None, Token]] = [
            (None, (number, cell.raw_text, cell.unit))
            for cell in row.values
            for number in (cell.numbers or (None,))
        ]
        return [p for p in row.label_parts if p.strip()], row.unit, untabbed
    cells = text.split("\t")
    last_label = -1
    readings = []
    for index, cell in enumerate(cells):
        reading = read_cell(cell) if cell.strip() else None
        readings.append(reading)
        if cell.strip() and reading is None:
            last_label = index
    unit = None
    if last_label >= 0 and is_unit(cells[last_label].strip()):
        unit = cells[last_label].strip()  # the unit column
        cells = [*cells[:last_label], "", *cells[last_label + 1 :]]
        last_label = max(
            (i for i in range(last_label) if cells[i].strip() and readings[i] is None),
            default=-1,
        )
    tokens: list[tuple[int | None, Token]] = []
    if last_label >= 0 and any(r is not None for r in readings[last_label + 1 :]):
        label, merged = label_and_trailing_numbers(cells[last_label])
        if merged:  # the header's text merged into the first value cell
            cells = [*cells[:last_label], label, *cells[last_label + 1 :]]
            tokens = [
                (last_label, (n, reading.raw_text, reading.unit))
                for reading in merged
                for n in reading.numbers
            ]
    parts = [c.strip() for c in cells[: last_label + 1] if c.strip()]
    for index in range(last_label + 1, len(cells)):
        reading = readings[index]
        if reading is None:
            continue
        for number in reading.numbers or (None,):
            tokens.append((index, (number, reading.raw_text, reading.unit)))
    return parts, unit, tokens
