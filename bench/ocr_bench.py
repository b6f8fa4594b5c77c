"""OCR accuracy and speed: resolution × distortion × engine → cells right / uncertain / wrong.

    python -m bench.ocr_bench --workdir /tmp/xxgk-ocr [--dpi 150 200 300]
        [--variants clean grey skew jpeg60 phone] [--engines rapidocr tesseract]
        [--synthetic N] [--no-corpus] [-v]

The material is bench/scans.py's: the corpus PDFs (and N synthetic reports of every
template) rasterised at each resolution, with each distortion, and their truth. Every file
is read as the pipeline reads it, in this process and one at a time (ingest/extract, the
parser, ingest/parse/provenance.py and ocr_readings.py), with the engine swapped for the
comparison. A truth cell (data/truth format; `ambiguous` ones are not scored, as in
bench/score.py) is

- right: the value read is the truth's, `printed` (for a truth `missing`: no value);
- uncertain: the cell is `uncertain` (its value right or not: the reader is warned);
- wrong: a `printed` value that is not the truth's, or a value where the truth has none;
- missing: no value read for a printed truth cell.

A wrong printed value is *flagged* when an identity of seeds/identity_checks.csv that uses
it fails on the values read (the same identities dbt checks). pages/s counts the OCR'd
pages per second of wall time, one process (the machine is shared: see the load printed);
CPU s/page is the CPU time per OCR'd page of that process and its children (Tesseract runs
as one), which the other sessions' load inflates less.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.scans import VARIANTS, corpus_sources, synthetic_sources, write_material
from ingest.extract import extract_bytes
from ingest.extract.types import Extraction
from ingest.limits import IngestLimits
from ingest.parse import parse_document
from ingest.parse.identities import identity_book
from ingest.parse.provenance import BoxRead, PageSpan
from ingest.parse.reference import default_reference
from ingest.parse_landed import LandedDocument, read_from_pages


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    pages: int = 0
    seconds: float = 0.0  # wall time reading the files
    cpu: float = 0.0  # CPU time of this process meanwhile (the engine runs one thread here)
    unflagged: list[str] = field(default_factory=list)  # wrong printed cells no identity flags

    @property
    def scored(self) -> int:
        return sum(self.counts[k] for k in ("right", "uncertain", "wrong", "missing"))

    def share(self, key: str) -> float:
        return 100.0 * self.counts[key] / self.scored if self.scored else 0.0


def landed(document_id: str, extraction: Extraction) -> LandedDocument:
    """The document as parse_landed reads it back from raw.document_pages and raw.ocr_boxes."""
    spans = tuple(
        PageSpan(p.page, p.first_line, p.last_line)
        for p in extraction.pages
        if p.first_line is not None and p.last_line is not None
    )
    boxes = tuple(BoxRead(**{f: getattr(b, f) for f in BoxRead.__dataclass_fields__})
                  for b in extraction.boxes)  # fmt: skip
    unread = tuple((p.page, p.note or "") for p in extraction.pages if p.method == "failed")
    return LandedDocument(
        document_id,
        document_id,
        extraction.text,
        ocr_engine=extraction.ocr_engine,
        pages=spans,
        boxes=boxes,
        unread_pages=unread,
    )


def read_file(path: Path) -> tuple[list[dict], str | None, int]:
    """The parsed cells, template and OCR'd pages of one file, as the pipeline reads it."""
    extraction = extract_bytes(path.read_bytes(), path.suffix, IngestLimits(ocr=True))
    document = landed(path.name, extraction)
    parsed = parse_document(path.name, extraction.text)
    read_from_pages(parsed, document)
    pages = sum(p.method == "ocr" for p in extraction.pages)
    return parsed.cells, parsed.attributes.get("template"), pages


def score_file(
    tally: Tally, name: str, truth: list[dict[str, str]], cells: list[dict], template: str | None
) -> list[str]:
    got = {(c["metric_code"], c["applicant"]): c for c in cells}
    values = {
        key: float(c["value_text"])
        for key, c in got.items()
        if c.get("value_text") is not None and c["value_status"] in ("printed", "uncertain")
    }
    checks = identity_book(default_reference()).for_template(template or "")
    failing = [check.cells for check in checks if check.status(values) == "fail"]
    findings = []
    for row in truth:
        if row["status"] == "ambiguous":
            continue
        key = (row["metric_code"], row["applicant"])
        cell = got.get(key)
        value = (
            None if cell is None or cell.get("value_text") is None else float(cell["value_text"])
        )
        want = float(row["value"]) if row["value"] and row["status"] == "printed" else None
        status = cell["value_status"] if cell else None
        if status == "uncertain":
            kind = "uncertain"
        elif value is None:
            kind = "right" if want is None else "missing"
        elif want is not None and abs(value - want) < 1e-6:
            kind = "right"
        else:
            kind = "wrong"
            flagged = any(key in cells for cells in failing)
            tally.counts["wrong_flagged" if flagged else "wrong_unflagged"] += 1
            if not flagged:
                tally.unflagged.append(f"{name} {key}")
        tally.counts[kind] += 1
        if kind != "right":
            findings.append(f"  {name} {key[0]} [{key[1]}]: want {row['value']}, got {value} "
                            f"({status}; {cell.get('raw_text') if cell else ''!r})")  # fmt: skip
    return findings


def run_grid(
    workdir: Path,
    sources: list,
    dpis: list[int],
    variants: list[str],
    engines: dict[str, Callable[[], object]],
    verbose: bool,
) -> list[str]:
    import ingest.extract.ocr as ocr_module

    rows = [
        "| dpi | distortion | engine | cells | right | uncertain | wrong (flagged) | missing "
        "| pages | pages/s | CPU s/page |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for dpi in dpis:
        for variant in variants:
            material = workdir / f"scans_{dpi}_{variant}"
            paths = write_material(material, sources, [dpi], [variant])
            truth = _truth(material / "truth_cells.csv")
            for engine_name, make_engine in engines.items():
                engine = make_engine()
                original = ocr_module.default_engine
                ocr_module.default_engine = lambda threads=1, e=engine: e  # type: ignore[assignment]
                tally = Tally()
                try:
                    for path in paths:
                        started, cpu = time.perf_counter(), _cpu()
                        cells, template, pages = read_file(path)
                        tally.seconds += time.perf_counter() - started
                        tally.cpu += _cpu() - cpu
                        tally.pages += pages
                        findings = score_file(
                            tally, path.name, truth.get(path.name, []), cells, template
                        )
                        if verbose:
                            print("\n".join(findings[:40]), flush=True)
                finally:
                    ocr_module.default_engine = original
                c = tally.counts
                rows.append(
                    f"| {dpi} | {variant} | {engine_name} | {tally.scored} "
                    f"| {c['right']} ({tally.share('right'):.1f}%) "
                    f"| {c['uncertain']} ({tally.share('uncertain'):.1f}%) "
                    f"| {c['wrong']} ({tally.share('wrong'):.2f}%; {c['wrong_flagged']} flagged) "
                    f"| {c['missing']} | {tally.pages} "
                    f"| {tally.pages / tally.seconds if tally.seconds else 0:.2f} "
                    f"| {tally.cpu / tally.pages if tally.pages else 0:.2f} |"
                )
                print(rows[-1], f"load {os.getloadavg()[0]:.1f}", flush=True)
                for item in tally.unflagged[:10]:
                    print("   unflagged wrong:", item, flush=True)
    return rows


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as one)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _truth(path: Path) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["file"], []).append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xxgk-ocr"))
    parser.add_argument("--dpi", type=int, nargs="+", default=[200])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--engines", nargs="+", default=["rapidocr"])
    parser.add_argument("--synthetic", type=int, default=0)
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()

    from ingest.extract.ocr_engine import RapidOcr

    makers: dict[str, Callable[[], object]] = {  # rapidocr on the runtime the pipeline uses
        "rapidocr": lambda: RapidOcr(threads=1),
        "rapidocr-onnxruntime": lambda: RapidOcr(threads=1, runtime="onnxruntime"),
    }
    if "tesseract" in args.engines:
        from bench.tesseract_engine import TesseractOcr

        makers["tesseract"] = TesseractOcr
    engines = {name: makers[name] for name in args.engines}
    sources = [] if args.no_corpus else corpus_sources()
    sources += synthetic_sources(args.synthetic)
    rows = run_grid(args.workdir, sources, args.dpi, args.variants, engines, args.verbose)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{len(sources)} reports; peak memory {peak:.0f} MiB\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
