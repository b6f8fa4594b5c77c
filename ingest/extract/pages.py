"""A document's pages, each read from its text layer or by OCR, put together as one text
with each page's lines and the OCR'd boxes numbered in it (raw.document_pages,
raw.ocr_boxes)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ingest.extract.ocr_layout import PlacedBox
from ingest.extract.types import Extraction, OcrBox, PageRecord, normalise_newlines


@dataclass
class PageRead:
    """One page as read: its text (lines joined by newlines) and how."""

    text: str
    method: str  # text, ocr, failed
    note: str | None = None
    render_dpi: int | None = None
    rotation: float | None = None
    placed: list[PlacedBox] = field(default_factory=list)  # OCR: boxes by line of this page


def assemble(
    pages: list[PageRead], media_type: str, engine: str | None, ocr_enabled: bool
) -> Extraction:
    """The document's text (pages in order, one newline between them, as pdf.py always
    joined them) and where each page and OCR box is in it. A page that needed OCR and was not
    read makes the status ``ocr_incomplete`` (``needs_ocr`` while OCR is off)."""
    texts = [normalise_newlines(page.text.rstrip("\n")).rstrip("\n") for page in pages]
    records: list[PageRecord] = []
    boxes: list[OcrBox] = []
    line = 1
    for number, (page, text) in enumerate(zip(pages, texts, strict=True), start=1):
        count = text.count("\n") + 1  # an empty page still stands as one empty line
        has_text = bool(text.strip())
        records.append(
            PageRecord(
                page=number,
                first_line=line if has_text else None,
                last_line=line + count - 1 if has_text else None,
                method=page.method,
                note=page.note,
                render_dpi=page.render_dpi,
                rotation=page.rotation,
            )
        )
        boxes.extend(
            OcrBox(
                page=number,
                source_line=line + p.line,
                source_column=p.column,
                x0=round(p.box.x0, 1),
                y0=round(p.box.y0, 1),
                x1=round(p.box.x1, 1),
                y1=round(p.box.y1, 1),
                text=p.box.text,
                confidence=round(p.box.confidence, 4),
            )
            for p in page.placed
        )
        line += count
    text = "\n".join(texts) + "\n"
    ocr_read = any(page.method == "ocr" for page in pages)
    status = "ok"
    if any(page.method == "failed" for page in pages):
        status = "ocr_incomplete" if ocr_enabled else "needs_ocr"
    return Extraction(
        text=text if text.strip() else "",
        encoding=None,
        media_type=media_type,
        status=status,
        pages=tuple(records),
        boxes=tuple(boxes),
        ocr_engine=engine if ocr_read else None,
    )


class Deadline:
    """The time an extraction may still spend on OCR: a share of the worker's time limit, so
    a long scan lands with the pages read in time (the others named as failed) instead of
    being stopped whole. A page is started only when the slowest page so far would still
    end in time."""

    SHARE = 0.85

    def __init__(self, limit_s: float) -> None:
        self.ends = time.monotonic() + self.SHARE * limit_s
        self.limit_s = limit_s
        self.slowest = 0.0
        self._started: float | None = None

    def passed(self) -> bool:
        """Whether the next page would end too late; else its time starts counting."""
        now = time.monotonic()
        if self._started is not None:
            self.slowest = max(self.slowest, now - self._started)
        self._started = now
        return now + self.slowest >= self.ends

    def reason(self) -> str:
        return (
            f"not OCR'd: the file's extraction time limit ({self.limit_s:g} s, "
            "XXGK_EXTRACT_TIMEOUT_S) was reached before this page"
        )
