"""OCR of page images: a scanned PDF page (rendered with pypdfium2) or an image file.

A page is straightened, read by the engine (ingest/extract/ocr_engine.py) and laid out as
text lines with its ruled tables as TAB-separated rows (ingest/extract/ocr_layout.py), so
the parser reads it as it reads a text-layer page.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy as np

from ingest.extract.ocr_engine import OcrEngine, TextBox, default_engine
from ingest.extract.ocr_layout import (
    PlacedBox,
    Straightened,
    centre_inside,
    find_tables,
    layout_page,
    ruling_lines,
    straighten,
)

RENDER_DPI = 200  # scanned PDF pages are rendered at this resolution (bench/RESULTS.md, OCR)
MAX_IMAGE_SIDE = 3000  # larger images (a phone's photo) are scaled down to this before OCR
INK = 160  # a grey level darker than this is ink (a thin stroke, anti-aliased, stays grey)


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]
    placed: list[PlacedBox]
    rotation: float  # degrees the page was turned to level it
    width: int  # pixels of the image read (boxes are in these pixels)
    height: int


def page_as_read(image: np.ndarray) -> Straightened:
    """A page image (RGB or greyscale array) as the engine reads it: scaled down to
    MAX_IMAGE_SIDE, then straightened. raw.ocr_boxes' pixels are pixels of its image (the
    review app draws a cell's box on it)."""
    import cv2

    side = max(image.shape[:2])
    if side > MAX_IMAGE_SIDE:
        scale = MAX_IMAGE_SIDE / side
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return straighten(image)


def ocr_image(image: np.ndarray, engine: OcrEngine | None = None) -> OcrPage:
    """Read one page image (RGB or greyscale array)."""
    engine = engine or default_engine()
    page = page_as_read(image)
    boxes: list[TextBox] = engine.read(page.image)
    height, width = page.image.shape
    text_height = statistics.median(b.height for b in boxes) if boxes else 20.0
    horizontal, vertical = ruling_lines(page.image, text_height)
    tables = find_tables(horizontal, vertical, (width, height), tolerance=max(3.0, text_height / 3))
    boxes += _empty_cells_read(page.image, boxes, tables, engine, text_height)
    layout = layout_page(boxes, tables)
    return OcrPage(layout.lines, layout.placed, page.rotation, width, height)


def _empty_cells_read(
    image: np.ndarray, boxes: list[TextBox], tables: list, engine: OcrEngine, text_height: float
) -> list[TextBox]:
    """Table cells the detector found no text in, though they hold ink as tall as text
    (a lone small digit it can miss), read as one line each."""
    found = []
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                if cell is None or any(centre_inside(b, cell) for b in boxes):
                    continue
                x0, y0, x1, y1 = (int(round(v)) for v in cell)
                inset = 4
                crop = image[y0 + inset : y1 - inset, x0 + inset : x1 - inset]
                if crop.size == 0:
                    continue
                ys, xs = np.nonzero(crop < INK)
                if len(ys) < 8 or ys.max() - ys.min() < 0.25 * text_height:
                    continue  # empty, a speck, or a dash (a blank)
                top, bottom = y0 + inset + ys.min(), y0 + inset + ys.max() + 1
                left, right = x0 + inset + xs.min(), x0 + inset + xs.max() + 1
                pad = 4
                line = image[max(0, top - pad) : bottom + pad, max(0, left - pad) : right + pad]
                text, confidence = engine.read_line(line)
                if text.strip():
                    found.append(TextBox(text, confidence, left, top, right, bottom))
    return found


def render_page(pdf: object, index: int, dpi: int = RENDER_DPI) -> np.ndarray:
    """Page ``index`` (0-based) of a pypdfium2 document as a greyscale array at ``dpi``."""
    page = pdf[index]  # type: ignore[index]
    try:
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        return np.array(bitmap.to_pil().convert("L"))
    finally:
        page.close()
