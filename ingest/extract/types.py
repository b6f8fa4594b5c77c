"""What every extractor returns, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass

EXTRACTOR_VERSION = "3"  # 3: OCR of scanned pages and images
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})  # OCR'd as pages
# what an Extraction's media_type may be (the dbt tests of media_type list the same values);
# the binary ones have no text encoding
BINARY_MEDIA_TYPES = ("pdf", "docx", "doc", "rtf", "image")
MEDIA_TYPES = ("txt", "html", "md", *BINARY_MEDIA_TYPES)

# Characters str.splitlines() treats as line boundaries (besides "\r\n" as a pair).
_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class ExtractionError(Exception):
    """A file that cannot be turned into text; ``reason`` is a sentence naming the problem."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PageRecord:
    """How one page of a PDF or image file was read (a row of raw.document_pages)."""

    page: int  # 1-based
    first_line: int | None  # its first and last line in Extraction.text (1-based); None when
    last_line: int | None  # the page gave no text
    method: str  # text (its text layer), ocr, failed (needed OCR and was not read: note)
    note: str | None = None  # why a page failed
    render_dpi: int | None = None  # a PDF page rendered for OCR; None for an image file
    rotation: float | None = None  # degrees an OCR'd page was turned to level it


@dataclass(frozen=True)
class OcrBox:
    """A text box OCR read (a row of raw.ocr_boxes); coordinates are pixels of the page image
    read (a PDF page rendered at its render_dpi: points = pixels * 72 / dpi), after the page
    was levelled, origin top left."""

    page: int
    source_line: int  # line of Extraction.text its text went to (1-based)
    source_column: int | None  # TAB cell of that line (0-based); None on a line without TABs
    x0: float
    y0: float
    x1: float
    y1: float
    text: str  # as the engine read it (digits in numeric cells are mapped in the text)
    confidence: float


@dataclass(frozen=True)
class Extraction:
    text: str
    encoding: str | None  # detected text encoding; None for binary formats
    media_type: str  # one of MEDIA_TYPES
    status: str = "ok"  # ok, needs_ocr (OCR off), ocr_incomplete (a page could not be read)
    # a title the file carries outside its body: a PDF's metadata /Title, an HTML <title>
    title_hint: str | None = None
    title_source: str | None = None  # `pdf_metadata`, `html_title`
    pages: tuple[PageRecord, ...] = ()  # PDFs and images: how each page was read
    boxes: tuple[OcrBox, ...] = ()  # the OCR'd pages' text boxes
    ocr_engine: str | None = None  # engine and version, when a page was OCR'd


def normalise_newlines(text: str) -> str:
    """Every line boundary becomes ``\\n``; nothing else changes.

    Afterwards ``text.split("\\n")`` and ``text.splitlines()`` agree (apart from a final
    empty string), so a line number means the same to every reader of the text.
    """
    lines = text.splitlines(keepends=True)
    return "".join(
        line.rstrip(_LINE_BREAKS) + "\n" if line[-1:] in _LINE_BREAKS else line for line in lines
    )
