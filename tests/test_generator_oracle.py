"""The synthetic generator as the parser's oracle: every template, every file type, and text
with the damage crawled reports show. Where the rendering is unambiguous the parse must equal
the truth exactly; where glue makes a run ambiguous, the truth must be among the readings kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.synthetic import (
    TEMPLATES,
    draw_report,
    messy_txt,
    render_docx,
    render_html,
    render_pdf,
    render_txt,
)
from ingest.extract import extract
from ingest.parse import parse_document

RENDERERS = {
    ".txt": lambda r: render_txt(r).encode("gb18030"),
    ".html": lambda r: render_html(r).encode("utf-8"),
    ".docx": render_docx,
    ".pdf": render_pdf,
}


def _parse(path: Path) -> tuple[dict, dict[tuple[str, str], dict]]:
    parsed = parse_document("x", extract(path).text)
    return parsed.attributes, {(c["metric_code"], c["applicant"]): c for c in parsed.cells}


def _expected_template(template: str) -> str:
    return template


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("suffix", sorted(RENDERERS))
def test_clean_renderings_round_trip(tmp_path: Path, template: str, suffix: str) -> None:
    report = draw_report(3, template)
    path = tmp_path / f"report{suffix}"
    path.write_bytes(RENDERERS[suffix](report))
    attributes, cells = _parse(path)
    assert (attributes["template"], attributes["report_year"]) == (template, report.year)
    wrong = {
        key: (value, cells.get(key, {}).get("value_text"))
        for key, value in report.values.items()
        if cells.get(key, {}).get("value_text") is None
        or float(cells[key]["value_text"]) != value
        or cells[key]["value_status"] != "printed"
    }
    assert not wrong, f"{len(wrong)} of {len(report.values)} cells wrong: {list(wrong.items())[:4]}"
    assert set(cells) == set(report.values)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("seed", range(6))
def test_messy_text_round_trips(tmp_path: Path, template: str, seed: int) -> None:
    report = draw_report(seed, template)
    path = tmp_path / "messy.txt"
    path.write_text(messy_txt(report, seed), encoding="utf-8")
    attributes, cells = _parse(path)
    assert attributes["template"] == template
    wrong = {
        key: (value, cells.get(key, {}).get("value_text"))
        for key, value in report.values.items()
        if cells.get(key, {}).get("value_text") is None or float(cells[key]["value_text"]) != value
    }
    assert not wrong, f"{len(wrong)} of {len(report.values)} cells wrong: {list(wrong.items())[:4]}"


@pytest.mark.parametrize("template", ["v2019", "v2021", "hybrid"])
@pytest.mark.parametrize("seed", range(4))
def test_glued_rows_never_present_a_guess_as_printed(
    tmp_path: Path, template: str, seed: int
) -> None:
    report = draw_report(seed, template)
    path = tmp_path / "glued.txt"
    path.write_text(messy_txt(report, seed, glue=True), encoding="utf-8")
    _, cells = _parse(path)
    for key, value in report.values.items():
        cell = cells.get(key)
        assert cell is not None, key
        if cell["value_status"] == "printed":
            assert float(cell["value_text"]) == value, (key, value, cell["raw_text"])
        else:
            assert cell["value_status"] == "uncertain", (key, cell)
            readings = {
                float(v) for alternatives in json.loads(cell["alternatives"]) for v in alternatives
            }
            assert value in readings, (key, value, cell["alternatives"])
