"""Where OCR read a value: the page image with the cell's box drawn on it.

A scanned page's OCR boxes (raw.ocr_boxes, fct_report_metrics.ocr_x0 …) are pixels of the
page as the engine read it: a PDF page rendered at its render_dpi, or a frame of an image
file, then scaled and straightened (ingest/extract/ocr.py page_as_read). The same steps on
the same file give the same image, so the box is drawn where the value was read. The file
is the one landed: found under the input folder of a published version, with the landed
SHA-256 (a file changed since is not shown)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import duckdb
import numpy as np

BAND_MARGIN = 260  # pixels of the page shown above and below the box
MAX_WIDTH = 1200  # the band is scaled down to this width
BOX_COLOUR = (207, 34, 46)


def landed_file(con: duckdb.DuckDBPyConnection, report_id: str) -> tuple[bytes, str] | None:
    """The bytes and media type of the report's file, if a published version's input folder
    still holds it unchanged; None otherwise."""
    found = con.execute(
        "select source_path, sha256, media_type from raw.documents where document_id = ?",
        [report_id],
    ).fetchone()
    if found is None:
        return None
    source_path, sha256, media_type = found
    folders = con.execute(
        "select distinct source_dir from meta.published order by source_dir"
    ).fetchall()
    for (folder,) in folders:
        candidate = Path(folder) / source_path
        if candidate.is_file():
            data = candidate.read_bytes()
            if hashlib.sha256(data).hexdigest() == sha256:
                return data, media_type
    return None


def page_as_read(data: bytes, media_type: str, page: int, render_dpi: int | None) -> np.ndarray:
    """Page ``page`` (1-based) of a PDF or image file, as OCR read it (greyscale)."""
    from ingest.extract.ocr import RENDER_DPI, render_page
    from ingest.extract.ocr import page_as_read as straightened

    if media_type == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            image = render_page(document, page - 1, render_dpi or RENDER_DPI)
        finally:
            document.close()
    else:
        from ingest.extract.image import read_frames

        image = read_frames(data, page)[page - 1]
    return straightened(image).image


def boxed_band(image: np.ndarray, box: tuple[float, float, float, float]) -> bytes:
    """The page's band around ``box`` (x0, y0, x1, y1), the box outlined, as PNG."""
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = box
    picture = Image.fromarray(image).convert("RGB")
    ImageDraw.Draw(picture).rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), outline=BOX_COLOUR, width=4)
    top = max(0, int(y0) - BAND_MARGIN)
    bottom = min(picture.height, int(y1) + BAND_MARGIN)
    band = picture.crop((0, top, picture.width, bottom))
    if band.width > MAX_WIDTH:
        band = band.resize((MAX_WIDTH, round(band.height * MAX_WIDTH / band.width)))
    buffer = io.BytesIO()
    band.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
