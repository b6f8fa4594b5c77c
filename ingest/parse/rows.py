"""From extracted text lines to rows: label fragments, a unit column and value cells.

Two layouts are read: TAB-separated cells (HTML/DOCX/PDF tables, OCR exports) and running text
where the values trail the label, separated by spaces. A row whose label wraps over several lines
arrives as label-only lines followed by the line that carries the values; `assemble_rows` joins
them into one logical row and keeps every line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ingest.parse.cells import CellReading, is_unit, read_cell, read_value_token
from ingest.parse.unglue import looks_glued, unglue

# linear on any line: no two whitespace runs meet around an optional character (`页` + a
# long blank + another character tried every split of the blank; bench/adversarial_parse)
_PAGE_FOOTER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*(?:[,，/]\s*)?共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
# page n of m; as printed, also a row's values with a blank among them (`4 / 5`)
_PAGE_OF_PAGES = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")


LONE_VALUE = "lone_value"  # LogicalRow.extra: the row's values are one number on a line
VALUE_COLUMN = "value_column"  # … and the next line (no label between) is one number too


class TextRow(NamedTuple):
    """One line of text seen as a table row (a named tuple: one is made for every line)."""

    line: int
    label_parts: tuple[str, ...]
    unit: str | None
    values: tuple[CellReading, ...]
    tabular: bool
    trailing_blanks: int = 0  # empty cells after the last value (real blanks or stray TABs)

    @property
    def label(self) -> str:
        return " ".join(self.label_parts)


@dataclass
class Fragment:
    text: str
    line: int


@dataclass
class LogicalRow:
    """A table row: the label fragments that precede it (oldest first) and its values."""

    fragments: list[Fragment]
    unit: str | None
    values: tuple[CellReading, ...]
    line: int  # the line that carries the values
    tabular: bool
    own_parts: int = 0  # how many trailing fragments are on the value line itself
    trailing_blanks: int = 0  # empty cells after the last value on a TAB-separated line
    extra: dict[str, Any] = field(default_factory=dict)

    def padded_values(self, cells: int) -> tuple[CellReading, ...]:
        """The values, with the row's trailing empty cells counted back in as blanks when the
        row has fewer values than `cells` (a blank last column, e.g. an empty 总计 cell)."""
        missing = min(cells - len(self.values), self.trailing_blanks)
        if missing <= 0:
            return self.values
        return self.values + tuple(CellReading(raw_text="", numbers=()) for _ in range(missing))

    def label_candidates(self, max_back: int = 6) -> list[tuple[str, int]]:
        """Suffixes of the label fragments, shortest first, each with the line it starts on.

        Spaces inside a fragment also separate parts (`三、本年度办理结果 （一）予以公开` prints
        a group caption and the row label on one line), so the shortest suffixes are tried too.
        """
        parts = [(piece, f.line) for f in self.fragments for piece in f.text.split()]
        out: list[tuple[str, int]] = []
        text = ""
        for piece, line in reversed(parts[-max_back:] if max_back > 0 else []):
            text = piece + text
            out.append((text, line))
        return out


def is_page_footer(line: str) -> bool:
    return bool(_PAGE_FOOTER.match(line))


def split_line(text: str, line: int) -> TextRow:
    if "\t" in text:
        return _split_tabular(text, line)
    return _split_running(text, line)


def _split_tabular(text: str, line: int) -> TextRow:
    label_parts, unit, values, trailing = _read_tabular(text)
    return TextRow(line, label_parts, unit, values, True, trailing)  # tabular


def _read_tabular(
    text: str,
) -> tuple[tuple[str, ...], str | None, tuple[CellReading, ...], int]:
    """A TAB-separated line's label parts, unit column, values and trailing empty cells."""
    cells = text.split("\t")
    trailing = 0
    while cells and not cells[-1].strip():
        cells.pop()
        trailing += 1
    values: list[CellReading] = []
    i = len(cells) - 1
    while i >= 0:
        reading = read_cell(cells[i])
        if reading is None:
            break
        values.append(reading)
        i -= 1
    values.reverse()
    unit = None
    if i >= 0 and is_unit(cells[i].strip()):
        unit = cells[i].strip()
        i -= 1
    if i >= 0 and values:
        label, merged = label_and_trailing_numbers(cells[i])
        if merged:  # a converter merged the header's text into the first value cell
            cells[i] = label
            values[:0] = merged
    label_parts = tuple(c.strip() for c in cells[: i + 1] if c.strip())
    if not any(v.numbers for v in values) and unit is None:
        # a row of blanks only: a heading or a separator line, not values
        values = []
    return label_parts, unit, tuple(values), trailing


def label_and_trailing_numbers(cell: str) -> tuple[str, list[CellReading]]:
    """A label cell that ends in space-separated numbers (`… 尚未 总计 0`): its label and
    those numbers, each a value cell. Only numbers count (a unit or a dash may be a
    label's last word)."""
    tokens = cell.split()
    run = _trailing_values(tokens)
    if not run or len(run) == len(tokens) or any(c is None or not c.numbers for _, c in run):
        return cell, []
    label = " ".join(tokens[: len(tokens) - len(run)])
    return label, [c for _, c in run if c is not None]


def _split_running(text: str, line: int) -> TextRow:
    label_parts, unit, values = _read_running(text)
    return TextRow(line, label_parts, unit, values, False)  # not tabular


def _read_running(text: str) -> tuple[tuple[str, ...], str | None, tuple[CellReading, ...]]:
    """A line of running text's label, unit column and values (trailing the label).

    Tokens are read through a cache (read_value_token), lines are not: most value rows are
    printed once, and a cache of lines would keep their cells, hundreds of thousands of
    objects that every full garbage collection walks."""
    tokens = text.split()
    run = _trailing_values(tokens)
    label = " ".join(tokens[: len(tokens) - len(run)])
    unit: str | None = None
    cells: list[CellReading] = []
    for token, cell in run:
        if cell is not None:
            cells.append(cell)
        elif not cells:  # a unit before the values: the unit column
            unit = token
        elif cells[-1].numbers and cells[-1].unit is None:  # the unit of the last value
            last = cells[-1]
            cells[-1] = CellReading(f"{last.raw_text} {token}", last.numbers, token)
    if not any(c.numbers for c in cells) and unit is None:
        # dashes alone are not a row of values (e.g. a rule line); keep them in the label
        label = text.strip()
        cells = []
    parts = (label,) if label else ()
    return parts, unit, tuple(cells)


def _trailing_values(tokens: list[str]) -> list[tuple[str, CellReading | None]]:
    """The tokens at the end of a line that are numbers, units or placeholders, in order,
    each read as a value cell (None for a unit)."""
    run: list[tuple[str, CellReading | None]] = []
    for token in reversed(tokens):
        cell = read_value_token(token)
        if cell is None and not is_unit(token):
            break
        run.append((token, cell))
    run.reverse()
    return run


def assemble_rows(lines: Iterable[tuple[int, str]], max_pending: int = 8) -> list[LogicalRow]:
    """Join wrapped labels with the line that carries their values.

    In running text a row may also end with its unit column and print the value on the next
    line (`1．政府公报公开政府信息数 条` / `45`): a unit-only line followed by a values-only line
    is one row. A unit-only line followed by anything else is a row whose value is blank.

    Page footers are dropped, except a lone `n / m` (no other page of m pages among the lines)
    after a label that awaits its values: that is the row's values, a blank among them.
    """
    numbered = list(lines)
    pages = _pages_of(numbered)
    rows: list[LogicalRow] = []
    pending: list[Fragment] = []
    for number, text, whole_line in _segments(numbered):
        if not text.strip() or (
            whole_line and is_page_footer(text) and not (pending and _lone_page_of(text, pages))
        ):
            continue
        row = split_line(text, number)
        own = [Fragment(p, number) for p in row.label_parts]
        last = rows[-1] if rows else None
        lone = whole_line and not own and not row.tabular and len(row.values) == 1
        if (
            last is not None
            and not pending
            and not own
            and row.values
            and not last.values
            and not last.tabular
            and last.unit is not None
        ):
            last.values, last.line = row.values, number  # the unit line's value, a line later
            if lone:
                last.extra[LONE_VALUE] = True
            continue
        if row.values or row.unit is not None:
            # positional (fields in order): a class called with keywords is much slower
            rows.append(
                LogicalRow(
                    pending + own,  # fragments
                    row.unit,
                    row.values,
                    number,  # line
                    row.tabular,
                    len(own),  # own_parts
                    row.trailing_blanks,
                )
            )
            if lone and row.unit is None:
                rows[-1].extra[LONE_VALUE] = True
                if not pending and last is not None and last.extra.get(LONE_VALUE):
                    # a column of lone numbers (a PDF dump prints a cell a line): neither
                    # line is a row whose cells were glued together
                    last.extra[VALUE_COLUMN] = rows[-1].extra[VALUE_COLUMN] = True
            pending = []
        else:
            pending.extend(own)
            pending = pending[-max_pending:]
    return rows


def _segments(lines: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str, bool]]:
    """Lines as they are, except glued table text, which is cut into label and value segments;
    each with whether it is the whole line (only a whole line can be a page footer)."""
    for number, text in lines:
        if looks_glued(text):
            for segment in unglue(text):
                yield number, segment, False
        else:
            yield number, text, True


def _pages_of(lines: list[tuple[int, str]]) -> dict[str, set[str]]:
    """The `n / m` lines: for each page count m, the page numbers n printed."""
    pages: dict[str, set[str]] = {}
    for _, text in lines:
        if found := _PAGE_OF_PAGES.match(text):
            pages.setdefault(found.group(2), set()).add(found.group(1))
    return pages


def _lone_page_of(text: str, pages: dict[str, set[str]]) -> bool:
    """An `n / m` line with no other page of the m pages among the lines."""
    found = _PAGE_OF_PAGES.match(text)
    return found is not None and len(pages[found.group(2)]) == 1
