"""PDF reports: pages with a text layer read by pdfplumber, scanned pages by OCR.

A page whose text layer holds almost nothing while an image covers much of it is a scan: it
is rendered with pypdfium2 and OCR'd (ingest/extract/ocr.py), unless OCR is off
(XXGK_OCR=off). A PDF without scanned pages is read exactly as before, and never touches
the OCR engine.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.page import Page, test_proposed_bbox
from pdfplumber.table import Table
from pdfplumber.utils import chars_to_textmap, crop_to_bbox, extract_text

from ingest.extract.pages import Deadline, PageRead, assemble
from ingest.extract.title_hint import PDF_METADATA, pdf_title
from ingest.extract.types import Extraction, ExtractionError
from ingest.limits import IngestLimits

for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def _cell(text: str | None) -> str:
    # a cell's text wraps inside the cell; Chinese lines join without a space
    return "".join(part.strip() for part in (text or "").split("\n")).strip()


Bbox = tuple[float, float, float, float]
Placed = tuple[float, float, dict[str, Any]]  # a char with its centre (x, y)


def _inside(chars: list[Placed], bbox: Bbox) -> list[Placed]:
    """The chars whose centre lies in bbox (half-open, as pdfplumber's Table.extract)."""
    x0, top, x1, bottom = bbox
    return [c for c in chars if x0 <= c[0] < x1 and top <= c[1] < bottom]


def _table_rows(table: Table, chars: list[Placed]) -> list[list[str | None]]:
    """table.extract(), reading each cell from the chars of its row within the table only.

    Same chars in the same order as pdfplumber gives each cell (a row's bbox lies within the
    table's, so narrowing to the table first drops none), without testing every char of the
    page against every row."""
    in_table = _inside(chars, table.bbox)
    rows = []
    for row in table.rows:
        in_row = _inside(in_table, row.bbox)
        cells: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            in_cell = [c[2] for c in _inside(in_row, cell)]
            cells.append(extract_text(in_cell) if in_cell else "")
        rows.append(cells)
    return rows


def _band_text(page: Page, top: float, bottom: float) -> list[str]:
    """page.crop((0, top, width, bottom)).extract_text() over the chars alone (cropping the
    rects and lines as well would only cost time)."""
    bbox = (0, top, page.width, bottom)
    test_proposed_bbox(bbox, page.bbox)  # the same check (and error) as page.crop
    # only chars reaching into the band can overlap it; crop_to_bbox decides exactly as before
    near = [c for c in page.chars if c["bottom"] >= top and c["top"] <= bottom]
    chars = crop_to_bbox(near, bbox)
    textmap = chars_to_textmap(
        chars, layout_bbox=bbox, layout_width=page.width, layout_height=bottom - top
    )
    return (textmap.as_string or "").splitlines()


def page_text(page: Page) -> str:
    """A page's text in reading order, with each ruled table rebuilt as TAB-separated rows.

    pdfplumber's flat text interleaves a table's wrapped labels with vertically centred values,
    so tables are read as grids (find_tables). A merged cell stands once, at its first
    position (pdfplumber returns None for the positions it covers); an empty cell is "".
    """
    lines: list[str] = []
    top = 0.0
    chars: list[Placed] = [
        ((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in page.chars
    ]
    for table in sorted(page.find_tables(), key=lambda t: t.bbox[1]):
        _, table_top, _, table_bottom = table.bbox
        if table_top > top + 1:
            lines.extend(_band_text(page, top, table_top))
        for row in _table_rows(table, chars):
            cells = [_cell(c) for c in row if c is not None]
            if any(cells):
                lines.append("\t".join(cells))
        top = max(top, table_bottom)
    if top < page.height - 1:
        lines.extend(_band_text(page, top, page.height))
    return "\n".join(lines)


# a page is to be OCR'd when its text layer has fewer characters than this and images cover
# at least this share of it, or it draws this many curves (text converted to outlines)
MIN_TEXT_CHARS = 20
MIN_IMAGE_SHARE = 0.3
MIN_CURVES = 50


def is_scanned(page: Page, text: str) -> bool:
    """A page to OCR: almost no text in its layer, and images over much of it or glyphs
    drawn as curves."""
    if sum(not c.isspace() for c in text) >= MIN_TEXT_CHARS:
        return False
    if len(page.curves) >= MIN_CURVES:
        return True
    covered = 0.0
    for image in page.images:
        width = min(image["x1"], page.width) - max(image["x0"], 0)
        height = min(image["bottom"], page.height) - max(image["top"], 0)
        covered += max(width, 0) * max(height, 0)
    return covered >= MIN_IMAGE_SHARE * page.width * page.height


def _pages_text(pdf: pdfplumber.PDF) -> list[PageRead]:
    pages = []
    for page in pdf.pages:
        text = page_text(page)
        if is_scanned(page, text):
            pages.append(PageRead(text, "failed", note="a scanned page (no text layer)"))
        else:
            pages.append(PageRead(text, "text"))
        page.close()  # drop the page's parsed objects once read
    return pages


def _ocr_scans(data: bytes, pages: list[PageRead], deadline: Deadline) -> str | None:
    """OCR the scanned pages in place; returns the engine's name and version."""
    import pypdfium2

    from ingest.extract.ocr import RENDER_DPI, ocr_image, render_page
    from ingest.extract.ocr_engine import engine_version

    document = pypdfium2.PdfDocument(data)
    try:
        for index, page in enumerate(pages):
            if page.method != "failed":
                continue
            if deadline.passed():
                page.note = deadline.reason()
                continue
            try:
                read = ocr_image(render_page(document, index, RENDER_DPI))
            except Exception as exc:  # a damaged image stream can fail in any way
                page.note = f"not OCR'd: {type(exc).__name__}: {exc}"
                continue
            pages[index] = PageRead(
                "\n".join(read.lines),
                "ocr",
                render_dpi=RENDER_DPI,
                rotation=read.rotation,
                placed=read.placed,
            )
    finally:
        document.close()
    return engine_version()


def extract_pdf(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    limits = limits or IngestLimits()
    deadline = Deadline(limits.extraction_timeout_s)  # the worker's limit counts from here
    max_pages = limits.max_pdf_pages
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > max_pages:
                raise ExtractionError(
                    f"the PDF has {len(pdf.pages)} pages, over the {max_pages}-page limit "
                    "(XXGK_MAX_PDF_PAGES)"
                )
            pages = _pages_text(pdf)
            title = _metadata_title(pdf)
    except ExtractionError:
        raise
    except PDFSyntaxError as exc:
        raise ExtractionError(f"the file is not a readable PDF ({exc})") from exc
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        if any(isinstance(arg, PDFPasswordIncorrect) for arg in (exc, *exc.args)):
            raise ExtractionError("the PDF is encrypted (password-protected)") from exc
        raise ExtractionError(f"the PDF cannot be read: {type(exc).__name__}: {exc}") from exc
    engine = None
    if limits.ocr and any(page.method == "failed" for page in pages):
        engine = _ocr_scans(data, pages, deadline)
    elif not limits.ocr:
        for page in pages:
            if page.method == "failed":
                page.note = "a scanned page, not OCR'd: OCR is off (XXGK_OCR=off)"
    extraction = assemble(pages, "pdf", engine, limits.ocr)
    return replace(extraction, title_hint=title, title_source=PDF_METADATA if title else None)


def _metadata_title(pdf: pdfplumber.PDF) -> str | None:
    """The metadata /Title, when it names the report (ingest/extract/title_hint.py); a
    damaged information dictionary gives none rather than failing the file."""
    try:
        return pdf_title(pdf.doc.info)
    except Exception:  # pdfminer raises many types for damaged objects
        return None
