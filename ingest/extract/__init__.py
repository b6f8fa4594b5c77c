"""Text out of report files, one module per file type.

``extract(path)`` dispatches on the suffix and returns an :class:`Extraction`; a file that
cannot be read raises :class:`ExtractionError` whose ``reason`` names the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.extract.types import EXTRACTOR_VERSION, Extraction, ExtractionError
from ingest.limits import IngestLimits

__all__ = ["EXTRACTOR_VERSION", "Extraction", "ExtractionError", "extract", "extract_bytes"]


def _extractor(suffix: str) -> Callable[[bytes, IngestLimits], Extraction]:
    # Imported on use: bs4, python-docx and pdfplumber cost start-up time a txt run never needs.
    suffix = suffix.lower()
    if suffix == ".txt":
        from ingest.extract.txt import extract_txt

        return extract_txt
    if suffix in (".html", ".htm"):
        from ingest.extract.html import extract_html

        return extract_html
    if suffix == ".docx":
        from ingest.extract.docx import extract_docx

        return extract_docx
    if suffix == ".pdf":
        from ingest.extract.pdf import extract_pdf

        return extract_pdf
    raise ExtractionError(f"unsupported file type {suffix or '(no suffix)'!r}")


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
