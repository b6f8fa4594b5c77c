"""Text out of report files, one module per file type.

``extract(path)`` dispatches on the suffix and returns an :class:`Extraction`; a file that
cannot be read raises :class:`ExtractionError` whose ``reason`` names the problem.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from ingest.extract.types import (
    EXTRACTOR_VERSION,
    IMAGE_SUFFIXES,
    Extraction,
    ExtractionError,
)
from ingest.limits import IngestLimits

__all__ = [
    "EXTRACTORS",
    "EXTRACTOR_VERSION",
    "Extraction",
    "ExtractionError",
    "extract",
    "extract_bytes",
]


# The readable file types: suffix -> (module, function). Discovery takes the files with these
# suffixes (ingest/discover.py REPORT_SUFFIXES); modules are imported on use, since bs4,
# python-docx and pdfplumber cost start-up time a txt run never needs. `.doc` and `.wps` are
# read by their content (ingest/extract/word97.py).
EXTRACTORS: dict[str, tuple[str, str]] = {
    ".txt": ("ingest.extract.txt", "extract_txt"),
    ".html": ("ingest.extract.html", "extract_html"),
    ".htm": ("ingest.extract.html", "extract_html"),
    ".docx": ("ingest.extract.docx", "extract_docx"),
    ".pdf": ("ingest.extract.pdf", "extract_pdf"),
    ".md": ("ingest.extract.markdown", "extract_markdown"),
    ".markdown": ("ingest.extract.markdown", "extract_markdown"),
    ".doc": ("ingest.extract.word97", "extract_word97"),
    ".wps": ("ingest.extract.word97", "extract_word97"),
    # images of a report's pages, OCR'd (ingest/extract/image.py)
    **{suffix: ("ingest.extract.image", "extract_image") for suffix in sorted(IMAGE_SUFFIXES)},
}


def _extractor(suffix: str) -> Callable[[bytes, IngestLimits], Extraction]:
    found = EXTRACTORS.get(suffix.lower())
    if found is None:
        raise ExtractionError(f"unsupported file type {suffix or '(no suffix)'!r}")
    module, function = found
    return getattr(importlib.import_module(module), function)


def extract_bytes(data: bytes, suffix: str, limits: IngestLimits | None = None) -> Extraction:
    """Extract text from a file's bytes; ``suffix`` (e.g. ``.txt``) picks the extractor."""
    return _extractor(suffix)(data, limits or IngestLimits())


def extract(path: Path | str) -> Extraction:
    """Extract text from the file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"the file cannot be read: {exc.strerror or exc}") from exc
    return extract_bytes(data, path.suffix)
