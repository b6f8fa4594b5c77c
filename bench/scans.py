"""Scanned material with its truth: PDFs rasterised at a resolution, with a distortion.

    python -m bench.scans --out DIR [--dpi 150 200 300] [--variants clean grey skew jpeg60 phone]
                          [--synthetic N]

Each PDF of data/corpus (truth: data/truth/corpus_cells.csv) and, with ``--synthetic N``, N
synthetic reports of every template (bench/synthetic.py renders them; their own truth) is
rendered page by page with pypdfium2 and saved as an image-only PDF, one per resolution and
variant:

- ``clean``: colour, as a scanner saves it (JPEG quality 95 in the PDF);
- ``grey``: greyscale;
- ``skew``: each page turned by a random angle within ±1.5°;
- ``jpeg60``: JPEG quality 60 (blocky edges around the digits);
- ``phone``: a photo of the page: perspective (the page a trapezoid on a dark table),
  light falling off across the page, a little blur, JPEG quality 80.

The variants' truth is written beside them (``truth_cells.csv``, ``truth_reports.csv``,
the format of data/truth/, keyed by the variant's file name), so bench/score.py and
bench/ocr_bench.py score them as they score any warehouse. Synthetic PDFs need a CJK font
on the machine to render (Debian: fonts-wqy-microhei); the corpus PDFs embed theirs.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
TRUTH = ROOT / "data" / "truth"
VARIANTS = ("clean", "grey", "skew", "jpeg60", "phone")
CELL_FIELDS = ("file", "metric_code", "applicant", "value", "status")
REPORT_FIELDS = (
    "file", "report_year", "template", "region_code", "region_name", "issuer", "scope",
    "failing_checks",
)  # fmt: skip


@dataclass(frozen=True)
class Source:
    """A text-layer PDF and its truth rows (keyed by its own file name)."""

    name: str  # file stem
    pdf: bytes
    cells: list[dict[str, str]]
    report: dict[str, str] | None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def corpus_sources() -> list[Source]:
    cells = _read_csv(TRUTH / "corpus_cells.csv")
    reports = {r["file"]: r for r in _read_csv(TRUTH / "corpus_reports.csv")}
    return [
        Source(
            path.stem,
            path.read_bytes(),
            [c for c in cells if c["file"] == path.name],
            reports.get(path.name),
        )
        for path in sorted(CORPUS.glob("*.pdf"))
    ]


def synthetic_sources(count: int) -> list[Source]:
    from bench.synthetic import ALL_TEMPLATES, draw_report, render_pdf

    sources = []
    for seed in range(count):
        template = ALL_TEMPLATES[seed % len(ALL_TEMPLATES)]
        report = draw_report(seed, template)
        name = f"synthetic_{template}_{seed:03d}"
        cells = [
            {"file": name, "metric_code": code, "applicant": applicant, "value": f"{value:g}",
             "status": "printed"}
            for (code, applicant), value in sorted(report.values.items())
        ]  # fmt: skip
        sources.append(Source(name, render_pdf(report), cells, None))
    return sources


def rasterise(pdf: bytes, dpi: int) -> Iterator[np.ndarray]:
    """The PDF's pages as RGB arrays at ``dpi``."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            yield np.array(page.render(scale=dpi / 72).to_pil().convert("RGB"))
            page.close()
    finally:
        document.close()


def _skew(page: np.ndarray, rng: random.Random) -> np.ndarray:
    import cv2

    angle = rng.uniform(-1.5, 1.5)
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(page, matrix, (width, height), borderValue=(255, 255, 255))


def _phone(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """The page photographed on a dark table: a trapezoid, light falling off, soft focus."""
    import cv2

    height, width = page.shape[:2]
    margin = int(0.08 * max(width, height))
    canvas_w, canvas_h = width + 2 * margin, height + 2 * margin
    jitter = [rng.uniform(0, 0.6 * margin) for _ in range(8)]
    corners = np.array(
        [
            [margin + jitter[0], margin + jitter[1]],
            [margin + width - jitter[2], margin + jitter[3] * 0.3],
            [margin + width - jitter[4] * 0.3, margin + height - jitter[5]],
            [margin + jitter[6] * 0.3, margin + height - jitter[7] * 0.3],
        ],
        dtype=np.float32,
    )
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    photo = cv2.warpPerspective(page, matrix, (canvas_w, canvas_h), borderValue=(60, 55, 50))
    ys, xs = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    light = 1.0 - 0.35 * (xs / canvas_w) * (0.6 + 0.4 * ys / canvas_h)
    photo = np.clip(photo.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(photo, (3, 3), 0.8)


def distort(page: np.ndarray, variant: str, rng: random.Random) -> tuple[np.ndarray, int]:
    """The page as the variant shows it, and the JPEG quality it is saved with."""
    import cv2

    if variant == "grey":
        return cv2.cvtColor(page, cv2.COLOR_RGB2GRAY), 95
    if variant == "skew":
        return _skew(page, rng), 95
    if variant == "jpeg60":
        return page, 60
    if variant == "phone":
        return _phone(page, rng), 80
    return page, 95


def scanned_pdf(pages: list[np.ndarray], dpi: int, quality: int) -> bytes:
    """An image-only PDF of ``pages`` (JPEG in the PDF, as scanners save them)."""
    from PIL import Image

    images = [Image.fromarray(page) for page in pages]
    buffer = io.BytesIO()
    images[0].save(
        buffer, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=quality
    )
    return buffer.getvalue()


def write_material(
    out: Path, sources: list[Source], dpis: list[int], variants: list[str]
) -> list[Path]:
    """Every source at every resolution and variant under ``out``, with the truth files;
    files already there are kept (the material is deterministic)."""
    out.mkdir(parents=True, exist_ok=True)
    written, cells, reports = [], [], []
    for source in sources:
        for dpi in dpis:
            pages = None
            for variant in variants:
                name = f"{source.name}__{dpi}dpi_{variant}.pdf"
                path = out / name
                if not path.exists():
                    pages = pages if pages is not None else list(rasterise(source.pdf, dpi))
                    rng = random.Random(f"{source.name}-{dpi}-{variant}")
                    shown = [distort(page, variant, rng) for page in pages]
                    quality = shown[0][1]
                    path.write_bytes(scanned_pdf([p for p, _ in shown], dpi, quality))
                written.append(path)
                cells += [{**c, "file": name} for c in source.cells]
                if source.report is not None:
                    reports.append({**source.report, "file": name})
    _write_csv(out / "truth_cells.csv", CELL_FIELDS, cells)
    _write_csv(out / "truth_reports.csv", REPORT_FIELDS, reports)
    return written


def _write_csv(path: Path, fields: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200, 300])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--synthetic", type=int, default=0, help="N synthetic reports too")
    parser.add_argument("--no-corpus", action="store_true", help="only the synthetic reports")
    args = parser.parse_args()
    sources = [] if args.no_corpus else corpus_sources()
    sources += synthetic_sources(args.synthetic)
    paths = write_material(args.out, sources, args.dpi, args.variants)
    print(f"{len(paths)} scanned PDFs in {args.out}")


if __name__ == "__main__":
    main()
