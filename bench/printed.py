"""The synthetic reports printed to PDF as governments print them, and the text users then
have of those PDFs (issue #27 point 7).

Prints (`PRINTS`):
- `pdf`: the generator's ruled-table PDF (bench/synthetic.py render_pdf);
- `browser_pdf`: the web page printed by a browser: print header and footer on every page,
  no title line in the body, the title in the PDF's /Title;
- `word_pdf`: the generator's DOCX saved as PDF by LibreOffice (when `soffice` is installed);
- `radical_pdf`: a PDF whose text layer carries CJK radicals for ordinary characters
  (`人⺠`), as Word-saved PDFs do.

Readings (`READINGS`): the PDF read by the project's extractor (`extract`), and its text
renderings as bench/renderings.py makes them for the corpus PDFs: `pdftotext.txt`,
`layout.txt`, `pdfplumber.txt`, `markitdown.md`. Each reading keeps the report's truth.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.converted import LOOK_ALIKE
from bench.renderings import RENDERERS
from bench.synthetic import BrowserPrint, SyntheticReport, render_docx, render_pdf

PRINTS = ("pdf", "browser_pdf", "word_pdf", "radical_pdf")
READINGS = ("extract", *RENDERERS)
WORD_PDF_TIMEOUT_S = 120


def printable(kind: str) -> bool:
    """Whether this machine can make the print ``kind`` (a Word PDF needs LibreOffice)."""
    from ingest.extract.word97 import soffice_path

    return kind != "word_pdf" or soffice_path() is not None


def readable(reading: str) -> bool:
    """Whether this machine can make the reading (pdftotext needs poppler-utils, markitdown
    the dev extra)."""
    if reading in ("pdftotext.txt", "layout.txt"):
        return shutil.which("pdftotext") is not None
    if reading == "markitdown.md":
        try:
            import markitdown  # noqa: F401
        except ImportError:
            return False
    return True


def printed_pdf(report: SyntheticReport, kind: str) -> bytes:
    """``report`` printed as ``kind`` (one of PRINTS)."""
    if kind == "pdf":
        return render_pdf(report)
    if kind == "browser_pdf":
        return render_pdf(report, browser=BrowserPrint.of(report))
    if kind == "radical_pdf":
        return render_pdf(report, look_alike=LOOK_ALIKE)
    if kind == "word_pdf":
        from ingest.extract.word97 import soffice_convert

        docx = render_docx(report)
        return soffice_convert(docx, "report.docx", "pdf", WORD_PDF_TIMEOUT_S, "the DOCX")
    raise ValueError(f"unknown print {kind!r}")


def reading(pdf: bytes, kind: str) -> tuple[bytes, str]:
    """The file a user has of ``pdf`` by reading ``kind`` (one of READINGS): its bytes and
    suffix."""
    if kind == "extract":
        return pdf, ".pdf"
    with tempfile.TemporaryDirectory(prefix="xxgk-printed-") as work:
        path = Path(work) / "report.pdf"
        path.write_bytes(pdf)
        text = RENDERERS[kind](path)
    return text.encode("utf-8"), Path(kind).suffix
