"""Where each parsed cell was printed: the TAB cell of its line, its page, and for an OCR'd
page the box the engine read it from (raw.cells source_column, source_page, ocr_*).

The parser records a cell's line and its text as printed (raw_text). On a TAB-separated line
the cell is found again among the line's TAB cells by that text, left to right in the order
the parser made the cells (a TAB cell holding several numbers can give several cells); a
cell that matches none (a glued digit run spread over several cells) keeps NULL. The page is
the one whose lines hold the cell's line (raw.document_pages), and the OCR box the one
landed for the same line and TAB cell (raw.ocr_boxes).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.parse.lookalikes import reading_text

PROVENANCE_VERSION = "1"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

Cell = dict[str, Any]


@dataclass(frozen=True)
class PageSpan:
    page: int
    first_line: int
    last_line: int


@dataclass(frozen=True)
class BoxRead:
    """An OCR box as landed (raw.ocr_boxes)."""

    page: int
    source_line: int
    source_column: int | None
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    confidence: float


def _by_line(cells: Sequence[Cell]) -> dict[int, list[Cell]]:
    lines: dict[int, list[Cell]] = {}
    for cell in cells:
        if cell.get("source_line") is not None:
            lines.setdefault(cell["source_line"], []).append(cell)
    return lines


def attach_source_columns(cells: Sequence[Cell], lines: Sequence[str]) -> None:
    """Set each cell's ``source_column``: the TAB cell of its line it was read from."""
    for number, on_line in _by_line(cells).items():
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        if "\t" not in text:
            continue
        tabs = [part.strip() for part in text.split("\t")]
        room = [max(1, len(_NUMBER.findall(part))) for part in tabs]
        last = 0
        for cell in on_line:
            raw = (cell.get("raw_text") or "").strip()
            found = _find(tabs, room, raw, last)
            if found is None:
                found = _find(tabs, room, raw, 0)
            if found is not None:
                room[found] -= 1
                cell["source_column"] = last = found


def _find(tabs: list[str], room: list[int], raw: str, start: int) -> int | None:
    for index in range(start, len(tabs)):
        if room[index] > 0 and tabs[index] == raw:
            return index
    return None


def attach_pages(cells: Sequence[Cell], pages: Sequence[PageSpan]) -> None:
    """Set each cell's ``source_page`` from the pages' line spans."""
    spans = sorted(pages, key=lambda p: p.first_line)
    firsts = [p.first_line for p in spans]
    for cell in cells:
        line = cell.get("source_line")
        if line is None:
            continue
        at = bisect.bisect_right(firsts, line) - 1
        if at >= 0 and spans[at].first_line <= line <= spans[at].last_line:
            cell["source_page"] = spans[at].page


def attach_boxes(cells: Sequence[Cell], boxes: Sequence[BoxRead], engine: str | None) -> None:
    """Set each OCR'd cell's box (the union of the boxes of its TAB cell), engine and
    confidence (the lowest of those boxes). A cell on a line without TABs takes the box of
    its line whose text holds the cell's text."""
    by_cell: dict[tuple[int | None, int | None], list[BoxRead]] = {}
    for box in boxes:
        by_cell.setdefault((box.source_line, box.source_column), []).append(box)
    for cell in cells:
        line = cell.get("source_line")
        column = cell.get("source_column")
        found = by_cell.get((line, column)) if column is not None else None
        if found is None and column is None:
            raw = (cell.get("raw_text") or "").strip()
            found = [b for b in by_cell.get((line, None), []) if raw and raw in b.text][:1]
        if not found:
            continue
        cell["ocr_x0"] = min(b.x0 for b in found)
        cell["ocr_y0"] = min(b.y0 for b in found)
        cell["ocr_x1"] = max(b.x1 for b in found)
        cell["ocr_y1"] = max(b.y1 for b in found)
        cell["ocr_confidence"] = min(b.confidence for b in found)
        cell["ocr_engine"] = engine
        cell.setdefault("source_page", found[0].page)


def attach_provenance(
    cells: Sequence[Cell],
    text: str,
    pages: Sequence[PageSpan] = (),
    boxes: Sequence[BoxRead] = (),
    engine: str | None = None,
) -> None:
    """Columns, pages and OCR boxes of a document's parsed cells, in place. ``text`` is the
    document's text as landed; the parser reads it as lookalikes.reading_text gives it
    (inline markup dropped, look-alikes folded; lines stay lines), and so do the cells' raw
    texts, so the lines are matched as read."""
    if cells and "\t" in text:
        attach_source_columns(cells, reading_text(text).splitlines())
    if pages:
        attach_pages(cells, pages)
    if boxes:
        attach_boxes(cells, boxes, engine)


def box_reads(rows: Sequence[Mapping[str, Any]]) -> list[BoxRead]:
    return [BoxRead(**{f: row[f] for f in BoxRead.__dataclass_fields__}) for row in rows]
