"""PDF reports with a text layer (pdfplumber)."""

from __future__ import annotations

import io
import logging

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from ingest.extract.types import Extraction, ExtractionError, normalise_newlines
from ingest.limits import IngestLimits

for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def _cell(text: str | None) -> str:
    # a cell's text wraps inside the cell; Chinese lines join without a space
    return "".join(part.strip() for part in (text or "").split("\n")).strip()


def page_text(page: pdfplumber.page.Page) -> str:
    """A page's text in reading order, with each ruled table rebuilt as TAB-separated rows.

    pdfplumber's flat text interleaves a table's wrapped labels with vertically centred values,
    so tables are read as grids (find_tables). A merged cell stands once, at its first
    position (pdfplumber returns None for the positions it covers); an empty cell is "".
    """
    lines: list[str] = []
    top = 0.0
    for table in sorted(page.find_tables(), key=lambda t: t.bbox[1]):
        _, table_top, _, table_bottom = table.bbox
        if table_top > top + 1:
            band = page.crop((0, top, page.width, table_top))
            lines.extend((band.extract_text() or "").splitlines())
        for row in table.extract():
            cells = [_cell(c) for c in row if c is not None]
            if any(cells):
                lines.append("\t".join(cells))
        top = max(top, table_bottom)
    if top < page.height - 1:
        band = page.crop((0, top, page.width, page.height))
        lines.extend((band.extract_text() or "").splitlines())
    return "\n".join(lines)


def extract_pdf(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    max_pages = (limits or IngestLimits()).max_pdf_pages
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > max_pages:
                raise ExtractionError(
                    f"the PDF has {len(pdf.pages)} pages, over the {max_pages}-page limit "
                    "(XXGK_MAX_PDF_PAGES)"
                )
            pages = [page_text(page) for page in pdf.pages]
    except ExtractionError:
        raise
    except PDFSyntaxError as exc:
        raise ExtractionError(f"the file is not a readable PDF ({exc})") from exc
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        if any(isinstance(arg, PDFPasswordIncorrect) for arg in (exc, *exc.args)):
            raise ExtractionError("the PDF is encrypted (password-protected)") from exc
        raise ExtractionError(f"the PDF cannot be read: {type(exc).__name__}: {exc}") from exc
    if not any(page.strip() for page in pages):
        return Extraction(text="", encoding=None, media_type="pdf", status="needs_ocr")
    text = "\n".join(page.rstrip("\n") for page in pages) + "\n"
    return Extraction(text=normalise_newlines(text), encoding=None, media_type="pdf")
