"""Limits that keep one poison file from stalling or exhausting a run (configurable by env)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

MIB = 1024 * 1024
SWITCH_VALUES = {"on": True, "off": False, "1": True, "0": False, "true": True, "false": False}


@dataclass(frozen=True)
class IngestLimits:
    max_file_bytes: int = 64 * MIB  # larger files are quarantined unread
    # per PDF/DOCX/HTML/image file, in a worker process; a scan's OCR takes 1-3 s a page
    extraction_timeout_s: float = 300.0
    max_unpacked_bytes: int = 256 * MIB  # DOCX (a zip): total size once unpacked
    max_pdf_pages: int = 500  # annual reports run to tens of pages
    # per document: parsing its text (ingest/parse_landed.py); a document over it is held
    # back (raw.quarantine). A 50 MB text parses in about 90 s (bench/adversarial_parse.py)
    parse_timeout_s: float = 60.0
    # worker processes extracting PDF/DOCX/HTML files side by side
    extraction_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    ocr: bool = True  # read scanned PDF pages and images by OCR (XXGK_OCR=off: no OCR)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> IngestLimits:
        """XXGK_MAX_FILE_MB, XXGK_EXTRACT_TIMEOUT_S, XXGK_MAX_UNPACKED_MB, XXGK_MAX_PDF_PAGES,
        XXGK_EXTRACT_WORKERS, XXGK_OCR (on/off), XXGK_PARSE_TIMEOUT_S."""
        env = os.environ if environ is None else environ
        defaults = cls()

        def number(name: str, default: float) -> float:
            raw = env.get(name)
            if raw is None or not raw.strip():
                return default
            try:
                value = float(raw)
            except ValueError as exc:
                raise ValueError(f"{name} must be a number, got {raw!r}") from exc
            if value <= 0:
                raise ValueError(f"{name} must be positive, got {raw!r}")
            return value

        def switch(name: str, default: bool) -> bool:
            raw = (env.get(name) or "").strip().lower()
            if not raw:
                return default
            if raw in SWITCH_VALUES:
                return SWITCH_VALUES[raw]
            raise ValueError(f"{name} must be on or off, got {env.get(name)!r}")

        return cls(
            max_file_bytes=int(number("XXGK_MAX_FILE_MB", defaults.max_file_bytes / MIB) * MIB),
            extraction_timeout_s=number("XXGK_EXTRACT_TIMEOUT_S", defaults.extraction_timeout_s),
            max_unpacked_bytes=int(
                number("XXGK_MAX_UNPACKED_MB", defaults.max_unpacked_bytes / MIB) * MIB
            ),
            max_pdf_pages=int(number("XXGK_MAX_PDF_PAGES", defaults.max_pdf_pages)),
            parse_timeout_s=number("XXGK_PARSE_TIMEOUT_S", defaults.parse_timeout_s),
            extraction_workers=max(
                1, int(number("XXGK_EXTRACT_WORKERS", defaults.extraction_workers))
            ),
            ocr=switch("XXGK_OCR", defaults.ocr),
        )
