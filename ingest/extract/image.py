"""Image files (a photo or scan of a report's pages): every frame OCR'd as a page."""

from __future__ import annotations

import io

import numpy as np

from ingest.extract.pages import Deadline, PageRead, assemble
from ingest.extract.types import Extraction, ExtractionError
from ingest.limits import IngestLimits


def read_frames(data: bytes, max_pages: int) -> list[np.ndarray]:
    """The image's frames (a TIFF may hold many pages), upright, in greyscale."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= max_pages:
                    raise ExtractionError(
                        f"the image has more than {max_pages} pages (frames), the limit "
                        "(XXGK_MAX_PDF_PAGES)"
                    )
                frames.append(np.array(ImageOps.exif_transpose(frame).convert("L")))
            return frames
    except ExtractionError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ExtractionError(f"the image cannot be read: {exc}") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or damaged image data
        raise ExtractionError(f"the image cannot be read: {type(exc).__name__}: {exc}") from exc


def extract_image(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    limits = limits or IngestLimits()
    deadline = Deadline(limits.extraction_timeout_s)  # the worker's limit counts from here
    frames = read_frames(data, limits.max_pdf_pages)
    if not limits.ocr:
        note = "an image, not OCR'd: OCR is off (XXGK_OCR=off)"
        return assemble([PageRead("", "failed", note=note) for _ in frames], "image", None, False)
    from ingest.extract.ocr import ocr_image
    from ingest.extract.ocr_engine import engine_version

    pages = []
    for frame in frames:
        if deadline.passed():
            pages.append(PageRead("", "failed", note=deadline.reason()))
            continue
        read = ocr_image(frame)
        text = "\n".join(read.lines)
        pages.append(PageRead(text, "ocr", rotation=read.rotation, placed=read.placed))
    return assemble(pages, "image", engine_version(), True)
