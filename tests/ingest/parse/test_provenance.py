"""Where a parsed cell was printed (ingest/parse/provenance.py) and which OCR'd cells stay in
doubt (ingest/parse/ocr_readings.py). Hand-made cells and boxes; no OCR engine runs."""

from __future__ import annotations

import json

from bench.synthetic import draw_report, render_html
from ingest.extract.html import extract_html
from ingest.parse import parse_document
from ingest.parse.ocr_readings import LOW_CONFIDENCE, review_ocr_cells
from ingest.parse.provenance import (
    BoxRead,
    PageSpan,
    attach_boxes,
    attach_pages,
    attach_provenance,
    attach_source_columns,
)


def cell(metric: str, applicant: str, raw: str, line: int, value: str | None = None) -> dict:
    return {
        "metric_code": metric,
        "applicant": applicant,
        "raw_text": raw,
        "value_text": value if value is not None else (raw or None),
        "value_status": "printed" if raw else "blank",
        "source_line": line,
    }


def test_repeated_cells_take_their_own_tab_cell_in_order():
    lines = ["标题", "一、本年新收\t0\t0\t5\t\t0"]
    cells = [
        cell("t3.new_received", a, r, 2)
        for a, r in zip("abcde", ["0", "0", "5", "", "0"], strict=True)
    ]
    attach_source_columns(cells, lines)
    assert [c["source_column"] for c in cells] == [1, 2, 3, 4, 5]


def test_a_cell_of_several_numbers_serves_each_and_a_glued_run_none():
    lines = ["行\t0 0 3\t7", "glued\t123"]
    cells = [cell("x", "a", "0 0 3", 1, "0"), cell("y", "a", "0 0 3", 1, "0")]
    cells += [cell("z", "a", "7", 1), cell("w", "a", "1 2 3", 2, "1")]
    attach_source_columns(cells, lines)
    assert [c.get("source_column") for c in cells] == [1, 1, 2, None]


def test_running_text_cells_have_no_column():
    cells = [cell("x", "total", "45", 1)]
    attach_source_columns(cells, ["主动公开 45"])
    assert "source_column" not in cells[0]


def test_every_cell_of_a_parsed_html_table_finds_its_tab_cell():
    report = draw_report(3, "v2021")
    text = extract_html(render_html(report).encode("utf-8")).text
    cells = parse_document("d", text).cells
    attach_provenance(cells, text)
    lines = text.splitlines()
    tabbed = [c for c in cells if "\t" in lines[c["source_line"] - 1]]
    assert tabbed and all(c.get("source_column") is not None for c in tabbed)
    for c in tabbed:
        printed = lines[c["source_line"] - 1].split("\t")[c["source_column"]].strip()
        assert printed == c["raw_text"].strip()


def test_pages_and_boxes():
    cells = [cell("a", "total", "12", 3), cell("b", "total", "7", 5), cell("c", "total", "9", 8)]
    cells[0]["source_column"] = 1
    cells[1]["source_column"] = None
    attach_pages(cells, [PageSpan(1, 1, 4), PageSpan(2, 5, 6)])
    assert [c.get("source_page") for c in cells] == [1, 2, None]
    boxes = [
        BoxRead(1, 3, 1, 10, 20, 30, 40, "12", 0.95),
        BoxRead(1, 3, 0, 0, 20, 9, 40, "行", 0.99),
        BoxRead(2, 5, None, 0, 0, 50, 10, "合计 7 件", 0.9),
    ]
    attach_boxes(cells, boxes, "engine 1")
    assert (cells[0]["ocr_x0"], cells[0]["ocr_y1"], cells[0]["ocr_confidence"]) == (10, 40, 0.95)
    assert cells[0]["ocr_engine"] == "engine 1"
    assert cells[1]["ocr_x1"] == 50  # its line's box holding its text
    assert "ocr_x0" not in cells[2]


def _ocr(c: dict, confidence: float = 0.99) -> dict:
    return {**c, "ocr_engine": "engine 1", "ocr_confidence": confidence}


def t4_review(total: str, parts: list[str]) -> list[dict]:
    codes = ["t4.review.upheld", "t4.review.corrected", "t4.review.other", "t4.review.pending"]
    cells = [_ocr(cell("t4.review.total", "total", total, 9))]
    return cells + [
        _ocr(cell(code, "total", part, 9)) for code, part in zip(codes, parts, strict=True)
    ]


def test_a_failing_identity_another_reading_repairs_leaves_the_cell_uncertain():
    cells = t4_review("8", ["3", "3", "0", "0"])  # 8 ≠ 3 + 3 + 0 + 0; read 6 for 8, or 5 for 3
    assert review_ocr_cells(cells, "v2021") >= 1
    by_code = {c["metric_code"]: c for c in cells}
    total = by_code["t4.review.total"]
    assert total["value_status"] == "uncertain" and total["value_text"] == "8"  # never replaced
    assert json.loads(total["alternatives"]) == [["8", "6"]]
    upheld = by_code["t4.review.upheld"]
    assert upheld["value_status"] == "uncertain" and "5" in json.loads(upheld["alternatives"])[0]
    assert by_code["t4.review.other"]["value_status"] == "printed"  # no reading of 0 repairs it


def test_an_identity_that_holds_or_no_reading_repairs_changes_nothing():
    holding = t4_review("6", ["3", "3", "0", "0"])
    assert review_ocr_cells(holding, "v2021") == 0
    broken = t4_review("40", ["3", "3", "0", "0"])  # no one-glyph reading gives 6
    assert review_ocr_cells(broken, "v2021") == 0
    assert {c["value_status"] for c in broken} == {"printed"}


def test_only_ocr_cells_are_reviewed():
    cells = [
        {k: v for k, v in c.items() if not k.startswith("ocr_")}
        for c in t4_review("8", ["3", "3", "0", "0"])
    ]
    assert review_ocr_cells(cells, "v2021") == 0


def test_a_cell_read_with_low_confidence_is_uncertain():
    cells = t4_review("6", ["3", "3", "0", "0"])
    cells[1]["ocr_confidence"] = LOW_CONFIDENCE - 0.1
    review_ocr_cells(cells, "v2021")
    assert cells[1]["value_status"] == "uncertain" and cells[1]["value_text"] == "3"
    assert json.loads(cells[1]["alternatives"])[0][0] == "3"
