"""A page image and the text boxes OCR found on it, laid out as the page's text lines.

The layout is the one ``ingest/extract/pdf.py`` gives a text-layer page, so the parser reads
both alike: text in reading order, and each ruled table as rows of TAB-separated cells (a
merged cell once, at its first position; an empty cell ""). The ruling lines are found with
OpenCV (a morphological opening keeps only long straight strokes) and turned into cells by
pdfplumber's own table finder, given the lines as explicit edges (:func:`find_tables`). Text
outside a table is grouped into lines by the boxes' vertical positions; boxes of one line far
apart (an unruled table's columns) are separated by a TAB.

Before any of it the page is straightened (:func:`straighten`): uneven light is evened out, a
photographed page is cut out of its background and its perspective undone, and a slight
skew is measured on the rows of ink and rotated away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from pdfplumber.table import Table, TableFinder

from ingest.extract.ocr_engine import TextBox
from ingest.extract.ocr_text import map_numbers

MAX_SKEW = 3.0  # degrees searched either way for a scanned page's skew
SKEW_STEP = 0.1
TAB_GAP = 2.0  # outside a ruled table, boxes this many line heights apart are two cells


@dataclass(frozen=True)
class Straightened:
    image: np.ndarray  # greyscale, what the engine reads
    rotation: float  # degrees the page was turned (counter-clockwise)
    unwarped: bool  # a photographed page cut out of its background


@dataclass(frozen=True)
class PlacedBox:
    """A text box and where its text went: the page's line (0-based) and the TAB cell of that
    line (None on a line without TABs)."""

    box: TextBox
    line: int
    column: int | None


@dataclass(frozen=True)
class PageLayout:
    lines: list[str]
    placed: list[PlacedBox]


# -- straightening ---------------------------------------------------------------------------
def _even_light(grey: np.ndarray) -> np.ndarray:
    """Divide out the page's background (a wide blur), so shadows and uneven light go."""
    size = max(31, (min(grey.shape) // 20) | 1)
    background = cv2.medianBlur(cv2.resize(grey, None, fx=0.25, fy=0.25), size // 4 | 1)
    background = cv2.resize(background, (grey.shape[1], grey.shape[0]))
    if float(np.std(background)) < 8:  # an evenly lit scan: nothing to do
        return grey
    return cv2.divide(grey, background, scale=255)


def _order_corners(points: np.ndarray) -> np.ndarray:
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(sums)],
            points[np.argmin(diffs)],
            points[np.argmax(sums)],
            points[np.argmax(diffs)],
        ],
        dtype=np.float32,
    )


def _unwarp(grey: np.ndarray) -> np.ndarray | None:
    """The page cut out of a photo (its four corners against a darker background) and seen
    square on; None when the image is the page itself."""
    small = cv2.resize(grey, None, fx=0.25, fy=0.25)
    _, mask = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255, cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    page = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(page)
    if not 0.3 < area / (small.shape[0] * small.shape[1]) < 0.95:
        return None
    quad = cv2.approxPolyDP(page, 0.02 * cv2.arcLength(page, True), True)
    if len(quad) != 4:
        return None
    corners = _order_corners(quad.reshape(4, 2).astype(np.float32) * 4)
    top_left, top_right, bottom_right, bottom_left = corners
    norm = np.linalg.norm
    width = int(max(norm(top_right - top_left), norm(bottom_right - bottom_left)))
    height = int(max(norm(bottom_left - top_left), norm(bottom_right - top_right)))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(grey, matrix, (width, height), borderValue=255)


def _rotate(image: np.ndarray, degrees: float, background: float = 255) -> np.ndarray:
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=background
    )


def skew_angle(grey: np.ndarray) -> float:
    """The rotation (degrees) that makes the rows of ink horizontal: the angle whose
    horizontal projection is sharpest, searched on a reduced copy."""
    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1].astype(np.float32)
    best, best_score = 0.0, -1.0
    for degrees in np.arange(-MAX_SKEW, MAX_SKEW + SKEW_STEP / 2, SKEW_STEP):
        rows = _rotate(ink, float(degrees), background=0).sum(axis=1)
        score = float(np.sum(np.diff(rows) ** 2))
        if score > best_score:
            best, best_score = float(degrees), score
    return round(best, 2)


def straighten(image: np.ndarray) -> Straightened:
    """The page as the engine should read it: greyscale, evenly lit, square on, level."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    unwarped = _unwarp(grey)  # before the light is evened: that would whiten the background
    if unwarped is not None:
        grey = unwarped
    grey = _even_light(grey)
    angle = skew_angle(grey)
    if abs(angle) >= SKEW_STEP:
        grey = _rotate(grey, angle)
    return Straightened(grey, angle, unwarped is not None)


# -- ruled tables ----------------------------------------------------------------------------
def ruling_lines(grey: np.ndarray, text_height: float) -> tuple[list[dict], list[dict]]:
    """The page's horizontal and vertical ruling lines, as pdfplumber line objects (pixels).

    A stroke is a ruling line when it is straight and longer than ~1.5 text lines: longer
    than any stroke of a glyph."""
    ink = cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    reach = max(12, int(text_height * 1.5))
    found: tuple[list[dict], list[dict]] = ([], [])
    for axis, kernel in ((0, (reach * 2, 1)), (1, (1, reach))):
        opened = cv2.morphologyEx(
            ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        )
        # bridge small breaks in a printed rule (a scan's dropouts)
        close = (5, 1) if axis == 0 else (1, 5)
        opened = cv2.morphologyEx(
            opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, close)
        )
        count, _, stats, _ = cv2.connectedComponentsWithStats(opened)
        for x, y, w, h, _ in stats[1:count]:
            if axis == 0 and w >= reach * 2:
                mid = y + h / 2
                found[0].append(_line(float(x), mid, float(x + w), mid))
            elif axis == 1 and h >= reach:
                mid = x + w / 2
                found[1].append(_line(mid, float(y), mid, float(y + h)))
    return found


def _line(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return {
        "object_type": "line",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


class _Canvas:
    """What pdfplumber's TableFinder asks of a page when every edge is explicit: its bbox."""

    def __init__(self, width: float, height: float) -> None:
        self.bbox = (0.0, 0.0, width, height)


def _open_ends(horizontal: list[dict], vertical: list[dict], tolerance: float) -> list[dict]:
    """Rules closing a table cut by the page: a table that runs on from the page before or
    onto the next is printed without its top or bottom rule, its columns' rules reaching the
    page's last (or first) row all the same."""
    added = []
    for end, beyond in (("bottom", max), ("top", min)):
        edge = beyond(v[end] for v in vertical)
        reaching = [v for v in vertical if abs(v[end] - edge) <= tolerance]
        if len(reaching) < 2:
            continue
        x0, x1 = min(v["x0"] for v in reaching), max(v["x0"] for v in reaching)
        closed = any(
            abs(h["top"] - edge) <= tolerance
            and h["x0"] <= x0 + tolerance
            and h["x1"] >= x1 - tolerance
            for h in horizontal
        )
        if not closed:
            added.append(_line(x0, edge, x1, edge))
    return added


def find_tables(
    horizontal: list[dict], vertical: list[dict], size: tuple[int, int], tolerance: float
) -> list[Table]:
    """The ruled tables the lines make (pdfplumber's TableFinder, the lines as explicit
    edges), top to bottom. ``size`` is (width, height) in pixels; ``tolerance`` (pixels) is
    the snap, join and intersection tolerance."""
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    horizontal = horizontal + _open_ends(horizontal, vertical, tolerance)
    settings = {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
        "snap_tolerance": tolerance,
        "join_tolerance": tolerance,
        "intersection_tolerance": tolerance,
        "edge_min_length": tolerance,
    }
    finder = TableFinder(_Canvas(*size), settings)  # type: ignore[arg-type]
    tables = [t for t in finder.tables if len(t.rows) >= 2]
    return sorted(tables, key=lambda t: t.bbox[1])


# -- lines of text ---------------------------------------------------------------------------
def centre_inside(box: TextBox, bbox: tuple[float, float, float, float]) -> bool:
    """Whether the box's centre lies in ``bbox`` (half-open, as pdfplumber's cells)."""
    x, y = box.centre
    return bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]


def _reading_order(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into lines (vertical centres within half a line height), each line left
    to right, the lines top to bottom."""
    lines: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: b.centre[1]):
        if lines:
            last = lines[-1]
            centre = sum(b.centre[1] for b in last) / len(last)
            height = max(b.height for b in last)
            if abs(box.centre[1] - centre) < 0.5 * min(height, box.height):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def _cell_text(boxes: list[TextBox], table: bool) -> str:
    """A table cell's text wraps inside the cell: its lines join without a space (as pdf.py
    joins them). Boxes side by side outside a table stand apart with a space: the engine
    gives one box to text without a visible gap."""
    lines = _reading_order(boxes)
    if table:
        return "".join(b.text.strip() for line in lines for b in line)
    return " ".join(b.text.strip() for line in lines for b in line)


@dataclass
class _Block:
    """A piece of the page in reading order: a line of text or a table row."""

    top: float
    cells: list[list[TextBox]]  # the boxes of each TAB cell
    table: bool


def _free_line(line: list[TextBox]) -> _Block:
    """A line outside any table; boxes far apart are separate cells."""
    cells: list[list[TextBox]] = [[line[0]]]
    for left, right in zip(line, line[1:], strict=False):
        if right.x0 - left.x1 > TAB_GAP * max(left.height, right.height):
            cells.append([right])
        else:
            cells[-1].append(right)
    return _Block(min(b.y0 for b in line), cells, table=False)


_NUMERIC = frozenset("0123456789.,- ")


def split_across_cells(boxes: list[TextBox], table: Table) -> list[TextBox]:
    """Boxes of numbers the detector ran across a cell's rule (``37 98`` over two cells) cut
    into one box per cell: each glyph goes to the cell its estimated position (the box's
    width shared evenly) falls in. Other boxes stay whole."""
    out: list[TextBox] = []
    for box in boxes:
        row = next((r for r in table.rows if r.bbox[1] <= box.centre[1] < r.bbox[3]), None)
        cells = [c for c in row.cells if c is not None] if row is not None else []
        spanned = [c for c in cells if c[0] < box.x1 and c[2] > box.x0]
        if len(spanned) < 2 or not set(box.text) <= _NUMERIC:
            out.append(box)
            continue
        step = (box.x1 - box.x0) / len(box.text)
        pieces: dict[tuple[float, ...], list[int]] = {}
        for index, glyph in enumerate(box.text):
            if glyph == " ":
                continue
            x = box.x0 + (index + 0.5) * step
            cell = next((c for c in spanned if c[0] <= x < c[2]), None)
            if cell is not None:
                pieces.setdefault(cell, []).append(index)
        for indexes in pieces.values():
            text = "".join(box.text[i] for i in indexes)
            x0, x1 = box.x0 + indexes[0] * step, box.x0 + (indexes[-1] + 1) * step
            out.append(TextBox(text, box.confidence, x0, box.y0, x1, box.y1))
    return out


def layout_page(boxes: list[TextBox], tables: list[Table]) -> PageLayout:
    """The page's lines: table rows as TAB-separated cells, other text in reading order."""
    blocks: list[_Block] = []
    free = list(boxes)
    for table in tables:
        in_table = split_across_cells([b for b in free if centre_inside(b, table.bbox)], table)
        free = [b for b in free if not centre_inside(b, table.bbox)]
        for row in table.rows:
            cells = [
                [b for b in in_table if centre_inside(b, cell)]
                for cell in row.cells
                if cell is not None
            ]
            if any(cells):
                blocks.append(_Block(row.bbox[1], cells, table=True))
    blocks.extend(_free_line(line) for line in _reading_order(free))
    blocks.sort(key=lambda block: block.top)
    lines: list[str] = []
    placed: list[PlacedBox] = []
    for block in blocks:
        tabbed = len(block.cells) > 1
        whole_cells = tabbed or block.table
        texts = [map_numbers(_cell_text(c, block.table), whole_cells) for c in block.cells]
        if not any(texts):
            continue
        line = len(lines)
        lines.append(("\t" if tabbed else " ").join(texts))
        for column, cell in enumerate(block.cells):
            placed.extend(PlacedBox(b, line, column if tabbed else None) for b in cell)
    return PageLayout(lines, placed)
