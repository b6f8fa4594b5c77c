"""Tesseract (``chi_sim``) as an OCR engine with RapidOCR's interface, for the comparison in
bench/ocr_bench.py only (Debian: tesseract-ocr tesseract-ocr-chi-sim).

Tesseract reports words; the words of one of its lines are joined into line boxes (split
where a gap is wider than a line's height), the boxes RapidOCR gives, so the same layout
(ingest/extract/ocr_layout.py) reads both.
"""

from __future__ import annotations

import csv
import io
import subprocess

import numpy as np

from ingest.extract.ocr_engine import TextBox


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[0]


class TesseractOcr:
    def __init__(self, language: str = "chi_sim") -> None:
        self.language = language

    def _tsv(self, image: np.ndarray, psm: str) -> list[dict[str, str]]:
        import cv2

        ok, png = cv2.imencode(".png", image)
        if not ok:
            raise ValueError("the page cannot be encoded")
        out = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", self.language, "--psm", psm, "tsv"],
            input=png.tobytes(),
            capture_output=True,
            check=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        text = io.StringIO(out.stdout.decode("utf-8"))
        return list(csv.DictReader(text, delimiter="\t", quoting=csv.QUOTE_NONE))

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        words = [r for r in self._tsv(image, "7") if r["level"] == "5" and r["text"].strip()]
        if not words:
            return "", 0.0
        return "".join(w["text"] for w in words), min(float(w["conf"]) for w in words) / 100

    def read(self, image: np.ndarray) -> list[TextBox]:
        rows = self._tsv(_without_rules(image), "3")
        lines: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for row in rows:
            if row["level"] == "5" and (row["text"] or "").strip():
                key = (row["block_num"], row["par_num"], row["line_num"])
                lines.setdefault(key, []).append(row)
        boxes = []
        for words in lines.values():
            words.sort(key=lambda w: int(w["left"]))
            group: list[dict[str, str]] = []
            for word in words:
                if group:
                    last = group[-1]
                    gap = int(word["left"]) - int(last["left"]) - int(last["width"])
                    if gap > max(int(last["height"]), int(word["height"])):
                        boxes.append(_box(group))
                        group = []
                group.append(word)
            boxes.append(_box(group))
        return boxes


def _without_rules(grey: np.ndarray) -> np.ndarray:
    """The page with its ruling lines painted white: Tesseract reads a table's rules as
    ``|``, ``1`` and ``l`` (RapidOCR's detector leaves them out by itself)."""
    import cv2

    ink = cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    rules = np.zeros_like(ink)
    for kernel in ((60, 1), (1, 60)):
        element = cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, element)
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    clean = grey.copy()
    clean[rules > 0] = 255
    return clean


def _box(words: list[dict[str, str]]) -> TextBox:
    x0 = min(int(w["left"]) for w in words)
    y0 = min(int(w["top"]) for w in words)
    x1 = max(int(w["left"]) + int(w["width"]) for w in words)
    y1 = max(int(w["top"]) + int(w["height"]) for w in words)
    confidence = min(float(w["conf"]) for w in words) / 100
    return TextBox("".join(w["text"] for w in words), confidence, x0, y0, x1, y1)
