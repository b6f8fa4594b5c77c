"""Limits that keep one poison file from stalling or exhausting a run (core/settings.py:
XXGK_MAX_FILE_MB, XXGK_EXTRACT_TIMEOUT_S, XXGK_MAX_UNPACKED_MB, XXGK_MAX_PDF_PAGES,
XXGK_PARSE_TIMEOUT_S, XXGK_EXTRACT_WORKERS, XXGK_OCR)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.settings import Settings, default, load_settings

MIB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    max_file_bytes: int = int(default("max_file_mb") * MIB)  # larger: quarantined unread
    # per PDF/DOCX/HTML/image file, in a worker process; a scan's OCR takes 1-3 s a page
    extraction_timeout_s: float = default("extract_timeout_s")
    max_unpacked_bytes: int = int(default("max_unpacked_mb") * MIB)  # a DOCX, unpacked
    max_pdf_pages: int = default("max_pdf_pages")  # annual reports run to tens of pages
    # per document: parsing its text (ingest/parse_landed.py); a document over it is held
    # back (raw.quarantine). A 50 MB text parses in about 90 s (bench/adversarial_parse.py)
    parse_timeout_s: float = default("parse_timeout_s")
    # worker processes extracting PDF/DOCX/HTML files side by side
    extraction_workers: int = field(default_factory=lambda: default("extract_workers"))
    ocr: bool = default("ocr")  # read scanned PDF pages and images by OCR

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestLimits:
        return cls(
            max_file_bytes=int(settings.max_file_mb * MIB),
            extraction_timeout_s=settings.extract_timeout_s,
            max_unpacked_bytes=int(settings.max_unpacked_mb * MIB),
            max_pdf_pages=settings.max_pdf_pages,
            parse_timeout_s=settings.parse_timeout_s,
            extraction_workers=settings.extract_workers,
            ocr=settings.ocr,
        )

    @classmethod
    def from_env(cls) -> IngestLimits:
        return cls.from_settings(load_settings())
