"""Limits that keep one poison file from stalling or exhausting a run (core/settings.py:
XXGK_MAX_FILE_MB, XXGK_EXTRACT_TIMEOUT_S, XXGK_MAX_UNPACKED_MB, XXGK_MAX_PDF_PAGES,
XXGK_EXTRACT_WORKERS, XXGK_OCR). The parse's own limit is core.settings.ParseSettings'."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import SettingsView, setting

MIB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits(SettingsView):
    max_file_bytes: int = setting("max_file_mb", scale=MIB)  # larger: quarantined unread
    # per PDF/DOCX/HTML/image file, in a worker process; a scan's OCR takes 1-3 s a page
    extraction_timeout_s: float = setting("extract_timeout_s")
    max_unpacked_bytes: int = setting("max_unpacked_mb", scale=MIB)  # a DOCX, unpacked
    max_pdf_pages: int = setting("max_pdf_pages")  # annual reports run to tens of pages
    # worker processes extracting PDF/DOCX/HTML files side by side
    extraction_workers: int = setting("extract_workers")
    ocr: bool = setting("ocr")  # read scanned PDF pages and images by OCR
