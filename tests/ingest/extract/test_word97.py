""".doc and .wps reports are read by their content: a Word 97 (OLE2) binary or an RTF is
converted by LibreOffice and read as a DOCX; a DOCX or an HTML page under those names is read
as what it is; without LibreOffice the reason names the file's type and the missing tool."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from bench.synthetic import draw_report, render_docx, render_html
from core.paths import ROOT
from ingest.extract import ExtractionError, extract_bytes, word97
from ingest.land import land_documents
from ingest.parse import DocumentHints, parse_document

WPS = ROOT / "data" / "renderings_wps" / "31_pingtan_zhsyq_2024_article.wps"
TRUTH = ROOT / "data" / "truth" / "renderings_wps_cells.csv"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (word97.OLE2_MAGIC + b"\0" * 8, "doc"),
        (b"PK\x03\x04rest", "docx"),
        (b"  {\\rtf1\\ansi", "rtf"),
        (b"<!DOCTYPE html><html><body>", "html"),
        (b"plain words", "unknown"),
    ],
)
def test_the_content_decides_the_format(head: bytes, kind: str) -> None:
    assert word97.content_kind(head) == kind


def test_a_wps_holding_a_docx_or_an_html_page_is_read_as_one() -> None:
    report = draw_report(1)
    assert extract_bytes(render_docx(report), ".wps").media_type == "docx"
    assert extract_bytes(render_html(report).encode(), ".doc").media_type == "html"


def test_without_libreoffice_the_reason_names_the_type_and_the_tool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(word97.shutil, "which", lambda name: None)
    reason = r"Word 97 \(OLE2 compound\).*LibreOffice.*not installed"
    with pytest.raises(ExtractionError, match=reason):
        extract_bytes(WPS.read_bytes(), ".wps")


def test_an_unknown_doc_is_refused_with_its_first_bytes() -> None:
    with pytest.raises(ExtractionError, match=r"neither a Word 97 .* '6e 6f 74"):
        extract_bytes(b"not a word file", ".doc")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is needed")
def test_a_wps_word97_file_lands_and_reads_as_its_source(tmp_path: Path) -> None:
    """The corpus report saved by LibreOffice as Word 97, named .wps: landed through the
    extraction workers (LibreOffice in a worker) and parsed to its source's truth; a broken
    .doc beside it is quarantined with the reason. About 5 s (one conversion)."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(WPS, inbox / WPS.name)
    (inbox / "broken.doc").write_bytes(word97.OLE2_MAGIC + b"\0" * 512)
    db = tmp_path / "w.duckdb"
    summary = land_documents(db, inbox)
    assert (summary.landed, summary.quarantined) == (1, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        media_type, text = con.execute("select media_type, text from raw.documents").fetchone()
        (reason,) = con.execute("select reason from raw.quarantine").fetchone()
    assert media_type == "doc"
    assert reason.startswith("broken.doc: LibreOffice could not convert a Word 97")
    parsed = parse_document("x", text, hints=DocumentHints(file_name=WPS.name))
    cells = {(c["metric_code"], c["applicant"]): c["value_text"] for c in parsed.cells}
    with TRUTH.open(encoding="utf-8", newline="") as handle:
        truth = [row for row in csv.DictReader(handle) if row["status"] == "printed"]
    assert truth
    wrong = [
        r
        for r in truth
        if float(cells.get((r["metric_code"], r["applicant"])) or -1) != float(r["value"])
    ]
    assert not wrong, wrong[:3]
