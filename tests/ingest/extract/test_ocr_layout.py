"""The layout of an OCR'd page (ingest/extract/ocr_layout.py, ocr_text.py, pages.py): ruled
tables from drawn lines through pdfplumber's TableFinder, rows as TAB-separated cells, the
numbers' confused glyphs, levelling. No OCR engine runs here: the text boxes are made by
hand, the page images drawn with OpenCV (well under a second in all)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ingest.extract.ocr_engine import TextBox
from ingest.extract.ocr_layout import (
    PlacedBox,
    find_tables,
    layout_page,
    ruling_lines,
    skew_angle,
    straighten,
)
from ingest.extract.ocr_text import as_number, digit_alternatives, map_numbers
from ingest.extract.pages import Deadline, PageRead, assemble


def grid(rows: list[int], columns: list[int], size=(600, 400), skip_bottom=False) -> np.ndarray:
    """A white page with a ruled grid: horizontal rules at ``rows``, vertical at ``columns``."""
    width, height = size
    page = np.full((height, width), 255, np.uint8)
    for y in rows[:-1] if skip_bottom else rows:
        cv2.line(page, (columns[0], y), (columns[-1], y), 0, 2)
    for x in columns:
        cv2.line(page, (x, rows[0]), (x, rows[-1]), 0, 2)
    return page


def box(text: str, x0: float, y0: float, x1: float, y1: float, confidence=0.99) -> TextBox:
    return TextBox(text, confidence, x0, y0, x1, y1)


def tables_of(page: np.ndarray):
    horizontal, vertical = ruling_lines(page, 20)
    return find_tables(horizontal, vertical, (page.shape[1], page.shape[0]), tolerance=6)


def test_ruled_rows_become_tab_separated_cells_with_their_boxes():
    page = grid([100, 150, 200], [50, 300, 400, 500])
    boxes = [
        box("标题", 200, 20, 300, 45),  # above the table: a line of its own
        box("一、本年新收", 60, 110, 200, 140),
        box("12", 330, 110, 360, 140),
        box("O", 430, 110, 450, 140),  # a confused zero in a number cell
        box("二、上年结转", 60, 160, 200, 190),
        box("7", 450, 160, 470, 190),  # the middle cell of this row is empty
    ]
    layout = layout_page(boxes, tables_of(page))
    assert layout.lines == ["标题", "一、本年新收\t12\t0", "二、上年结转\t\t7"]
    where = {p.box.text: (p.line, p.column) for p in layout.placed}
    assert where == {
        "标题": (0, None),
        "一、本年新收": (1, 0),
        "12": (1, 1),
        "O": (1, 2),
        "二、上年结转": (2, 0),
        "7": (2, 2),
    }


def test_a_box_of_numbers_run_across_a_rule_is_cut_at_it():
    page = grid([100, 150, 200], [50, 300, 400, 500])
    boxes = [box("行", 60, 110, 90, 140), box("37 98", 340, 110, 460, 140)]
    boxes.append(box("3798", 340, 160, 460, 190))  # glued: each glyph where it stands
    layout = layout_page(boxes, tables_of(page))
    assert layout.lines == ["行\t37\t98", "\t37\t98"]
    assert [(p.box.text, p.line, p.column) for p in layout.placed] == [
        ("行", 0, 0),
        ("37", 0, 1),
        ("98", 0, 2),
        ("37", 1, 1),
        ("98", 1, 2),
    ]


def test_a_merged_cell_stands_once_at_its_first_row():
    page = grid([100, 150, 200], [50, 300, 400])
    # the first column's rule between the two rows is missing: one cell spans both rows
    cv2.line(page, (50, 150), (300, 150), 255, 4)
    boxes = [
        box("（三）不予公开", 60, 140, 200, 165),
        box("3", 330, 110, 350, 140),
        box("4", 330, 160, 350, 190),
    ]
    layout = layout_page(boxes, tables_of(page))
    assert layout.lines == ["（三）不予公开\t3", "4"]


def test_a_table_cut_by_the_page_bottom_keeps_its_last_row():
    page = grid([100, 150, 200], [50, 300, 400], skip_bottom=True)
    boxes = [box("甲", 60, 110, 90, 140), box("1", 330, 110, 350, 140)]
    boxes += [box("乙", 60, 160, 90, 190), box("2", 330, 160, 350, 190)]
    assert layout_page(boxes, tables_of(page)).lines == ["甲\t1", "乙\t2"]


def test_boxes_far_apart_outside_a_table_are_cells_and_near_ones_words():
    boxes = [
        box("2.没有现成信息", 10, 10, 200, 40),
        box("3", 300, 10, 320, 40),
        box("0", 400, 10, 420, 40),
        box("收到申请", 10, 60, 100, 90),
        box("l2件", 110, 60, 150, 90),
    ]
    layout = layout_page(boxes, [])
    assert layout.lines == ["2.没有现成信息\t3\t0", "收到申请 l2件"]
    assert [(p.line, p.column) for p in layout.placed] == [(0, 0), (0, 1), (0, 2), (1, None)] + [
        (1, None)
    ]


@pytest.mark.parametrize(
    ("text", "lone", "number"),
    [
        ("1O5", False, "105"),
        ("〇", True, None),  # a numeral 〇 the parser folds (seeds/lookalike_characters.csv)
        ("O", False, None),  # a lone letter in running text stays a letter
        ("l2", False, "12"),
        ("S0", False, "50"),
        ("B", True, "8"),
        ("1,234", True, None),  # already a number: the parser reads the separator
        ("本机关", True, None),
        ("12件", True, None),
    ],
)
def test_confused_glyphs_are_mapped_only_in_numbers(text, lone, number):
    assert as_number(text, lone_glyph=lone) == number


def test_labels_keep_their_glyphs():
    assert map_numbers("IO政府", whole_cell=True) == "IO政府"
    assert map_numbers("收到 l2 件", whole_cell=False) == "收到 12 件"


def test_digit_alternatives_change_one_digit_and_keep_no_leading_zero():
    alternatives = digit_alternatives("38")
    assert "88" in alternatives and "36" in alternatives and "38" not in alternatives
    assert all(len(a) == 2 and not a.startswith("0") for a in alternatives)


def test_a_skewed_page_is_levelled():
    page = np.full((800, 600), 255, np.uint8)
    for y in range(100, 700, 40):
        cv2.line(page, (60, y), (540, y), 0, 3)
    matrix = cv2.getRotationMatrix2D((300, 400), 1.2, 1.0)
    skewed = cv2.warpAffine(page, matrix, (600, 800), borderValue=255)
    assert skew_angle(skewed) == pytest.approx(-1.2, abs=0.15)
    assert abs(straighten(skewed).rotation + 1.2) < 0.15


def test_pages_are_numbered_in_the_document_text():
    first = PageRead("标题\n正文", "text")
    scanned = PageRead(
        "表\t1",
        "ocr",
        render_dpi=200,
        rotation=0.3,
        placed=[PlacedBox(box("1", 5, 5, 9, 9, 0.9), 0, 1)],
    )
    failed = PageRead("", "failed", note="not OCR'd: time limit")
    extraction = assemble([first, scanned, failed], "pdf", "engine 1", ocr_enabled=True)
    assert extraction.text == "标题\n正文\n表\t1\n\n"
    assert [(p.page, p.first_line, p.last_line, p.method) for p in extraction.pages] == [
        (1, 1, 2, "text"),
        (2, 3, 3, "ocr"),
        (3, None, None, "failed"),
    ]
    (placed,) = extraction.boxes
    assert (placed.page, placed.source_line, placed.source_column) == (2, 3, 1)
    assert extraction.text.splitlines()[placed.source_line - 1].split("\t")[1] == "1"
    assert (extraction.status, extraction.ocr_engine) == ("ocr_incomplete", "engine 1")
    off = assemble([first, failed], "pdf", None, ocr_enabled=False)
    assert (off.status, off.ocr_engine) == ("needs_ocr", None)


def test_deadline_leaves_time_for_the_slowest_page(monkeypatch):
    clock = iter([0.0, 0.0, 10.0, 20.0])
    monkeypatch.setattr("ingest.extract.pages.time.monotonic", lambda: next(clock))
    deadline = Deadline(30.0)  # OCR may run until 25.5 s
    assert not deadline.passed()  # t=0: first page starts
    assert not deadline.passed()  # t=10: 10 s a page, the next ends at 20
    assert deadline.passed()  # t=20: the next would end at 30
    assert "XXGK_EXTRACT_TIMEOUT_S" in deadline.reason()
