"""One report rendered as every supported file type gives the same facts, and those facts are
exactly the numbers the report was drawn with (the synthetic generator is its own oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.synthetic import draw_report, render_docx, render_html, render_pdf, render_txt
from ingest.extract import extract
from ingest.parse import parse_document


def _facts(path: Path) -> dict[tuple[str, str], float]:
    parsed = parse_document("x", extract(path).text)
    assert parsed.attributes["template"] == "v2021", path.name
    return {
        (c["metric_code"], c["applicant"]): float(c["value_text"])
        for c in parsed.cells
        if c["value_text"] is not None
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_every_file_type_gives_the_drawn_numbers(tmp_path: Path, seed: int) -> None:
    report = draw_report(seed)
    files = {
        "report.txt": render_txt(report).encode("utf-8"),
        "report_gbk.txt": render_txt(report).encode("gb18030"),
        "report.html": render_html(report).encode("utf-8"),
        "report.docx": render_docx(report),
        "report.pdf": render_pdf(report),
    }
    expected = {key: float(value) for key, value in report.values.items()}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        facts = _facts(path)
        missing = {k: v for k, v in expected.items() if facts.get(k) != v}
        assert not missing, f"{name}: {len(missing)} cells differ, e.g. {list(missing)[:5]}"
        assert set(facts) == set(expected), f"{name}: extra cells {set(facts) - set(expected)}"
