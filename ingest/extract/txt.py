"""Plain-text reports."""

from __future__ import annotations

from ingest.extract.encoding import decode_text
from ingest.extract.types import Extraction, normalise_newlines
from ingest.limits import IngestLimits


def extract_txt(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    text, encoding = decode_text(data)
    return Extraction(text=normalise_newlines(text), encoding=encoding, media_type="txt")
