"""Time the pipeline's stages on a synthetic corpus: `python -m bench.run --reports 1000`.

Stages: discover, extract + land (ingest.land), parse (ingest.parse_landed), and, with
--full, the dbt build, the Great Expectations gate and publishing; --pdf N and --scanned N
time N text-layer PDFs and N scanned PDFs (OCR: pages/s, and the peak memory of the
largest extraction worker). The floor is DuckDB's own
`read_text` landing of the same files. Prints a Markdown table (documents/second, peak memory
of the process or its largest worker so far) and the machine it ran on; bench/RESULTS.md
keeps the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from bench.synthetic import (
    TEMPLATES,
    draw_report,
    messy_txt,
    render_docx,
    render_html,
    render_pdf,
)
from core.paths import data_docs_dir


def make_corpus(directory: Path, reports: int) -> list[Path]:
    """`reports` synthetic .txt reports (every template, messy text), reused when present."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(reports):
        path = directory / f"report_{i:06d}.txt"
        if not path.exists():
            report = draw_report(i, TEMPLATES[i % len(TEMPLATES)])
            path.write_text(messy_txt(report, i), encoding="utf-8")
        paths.append(path)
    return paths


def make_versions(directory: Path, reports: int) -> list[Path]:
    """Another version of each of the first `reports` reports of `make_corpus`: the same
    report as a web page (HTML), which the warehouse must count once."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(reports):
        path = directory / f"report_{i:06d}.html"
        if not path.exists():
            path.write_text(render_html(draw_report(i, TEMPLATES[i % len(TEMPLATES)])), "utf-8")
        paths.append(path)
    return paths


# the models that group documents into reports and choose canonical versions (issue 21)
GROUPING_MODELS = (
    "int_canonical_pins",
    "int_report_fingerprints",
    "int_report_versions",
    "int_version_conflicts",
)
_DBT_MODEL_DONE = re.compile(r"OK created sql \w+ model \w+\.(\w+) .*\[[^\]]* in ([\d.]+)s\]")


def dbt_log_size(db: Path) -> int:
    from transform.invoke import dbt_log_file

    log = dbt_log_file(db)
    return log.stat().st_size if log.is_file() else 0


def grouping_seconds(db: Path, since: int) -> float:
    """Seconds dbt spent on GROUPING_MODELS in the builds of ``db`` logged after byte
    ``since`` of its dbt.log (every batch of a batched full refresh)."""
    from transform.invoke import dbt_log_file

    with dbt_log_file(db).open("rb") as log:
        log.seek(since)
        text = log.read().decode("utf-8", "replace")
    return sum(
        float(seconds)
        for model, seconds in _DBT_MODEL_DONE.findall(text)
        if model in GROUPING_MODELS
    )


def new_rendering(db: Path, workdir: Path) -> list[str]:
    """A Word rendering of report 1 (already there as txt and HTML) landed, parsed and built
    incrementally, as a run after it arrives: the rows of that build and its grouping."""
    from ingest.land import land_documents
    from ingest.parse_landed import parse_landed
    from transform.dbt_runner import build_warehouse

    inbox = workdir / "new_rendering"
    inbox.mkdir(exist_ok=True)
    (inbox / "report_000001.docx").write_bytes(render_docx(draw_report(1, TEMPLATES[1])))
    rows: list[str] = []
    land_s = timed(
        "a new rendering: land + parse",
        1,
        lambda: (land_documents(db, inbox), parse_landed(db)),
        rows,
    )
    logged = dbt_log_size(db)
    build_s = timed(
        "a new rendering: dbt build (incremental)", 1, lambda: build_warehouse(db), rows
    )
    grouping_s = grouping_seconds(db, logged)
    rows.append(
        f"| of it: grouping versions | 1 | {grouping_s:.2f} | "
        f"{100 * grouping_s / (land_s + build_s):.1f} % of land + parse + build | |"
    )
    return rows


def make_pdf_corpus(directory: Path, reports: int) -> int:
    """`reports` synthetic PDF reports (every template), reused when present; their pages."""
    import pypdfium2  # pdfplumber's own dependency

    directory.mkdir(parents=True, exist_ok=True)
    pages = 0
    for i in range(reports):
        path = directory / f"report_{i:06d}.pdf"
        if not path.exists():
            path.write_bytes(render_pdf(draw_report(i, TEMPLATES[i % len(TEMPLATES)])))
        pages += len(pypdfium2.PdfDocument(path))
    return pages


def make_scanned_corpus(directory: Path, reports: int) -> int:
    """`reports` scanned PDFs (synthetic reports of every template rasterised at 200 dpi in
    greyscale, bench/scans.py), reused when present; their pages."""
    import random

    import pypdfium2

    from bench.scans import distort, rasterise, scanned_pdf

    directory.mkdir(parents=True, exist_ok=True)
    pages = 0
    for i in range(reports):
        path = directory / f"scan_{i:06d}.pdf"
        if not path.exists():
            rendered = render_pdf(draw_report(i, TEMPLATES[i % len(TEMPLATES)]))
            rng = random.Random(i)
            grey = [distort(page, "grey", rng)[0] for page in rasterise(rendered, 200)]
            path.write_bytes(scanned_pdf(grey, 200, 95))
        pages += len(pypdfium2.PdfDocument(path))
    return pages


def _worker_extracting(paths: list[Path]) -> float:
    """Extract ``paths`` here (a worker process) and return this process's peak MiB."""
    from ingest.extract import extract

    for path in paths:
        extract(path)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_mib(directory: Path) -> float:
    """Peak resident memory of one extraction worker (forkserver, as landing starts them)
    reading every PDF of ``directory``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_worker_extracting, sorted(directory.glob("*.pdf"))).result()


def extract_two(directory: Path) -> None:
    """Extraction alone in two processes: what landing would reach extracting two at a time."""
    from concurrent.futures import ProcessPoolExecutor

    from ingest.extract import extract

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(extract, sorted(directory.glob("*.pdf")), chunksize=4))


def peak_mib() -> float:
    """Peak resident memory so far: this process or its largest finished child (the parse
    and extraction workers), whichever is larger."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def timed(label: str, count: int, step: Callable[[], object], rows: list[str]) -> float:
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    rate = count / seconds if seconds else float("inf")
    rows.append(f"| {label} | {count} | {seconds:.2f} | {rate:.0f} | {peak_mib():.0f} |")
    return seconds


def machine() -> str:
    cpus = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {cpus} CPUs, {memory:.0f} GiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xxgk-bench"))
    parser.add_argument("--full", action="store_true", help="also time dbt build and GE")
    parser.add_argument("--pdf", type=int, default=0, help="also time N synthetic PDFs (pages/s)")
    parser.add_argument(
        "--scanned", type=int, default=0, help="also time N scanned PDFs (OCR pages/s, memory)"
    )
    parser.add_argument(
        "--versions",
        type=int,
        default=0,
        help="add an HTML rendering of the first N reports (versions the warehouse groups)",
    )
    parser.add_argument(
        "--reuse-landed",
        action="store_true",
        help="with --full: keep the warehouse an earlier run landed and parsed, and time only "
        "the dbt build, the gate and publishing (their peak memory then is their own)",
    )
    args = parser.parse_args()

    from ingest.discover import discover_all
    from ingest.land import land_documents
    from ingest.limits import IngestLimits
    from ingest.parse_landed import parse_landed

    suffix = f"_{args.versions}v" if args.versions else ""
    corpus = args.workdir / f"corpus_{args.reports}{suffix}"
    make_corpus(corpus, args.reports)
    make_versions(corpus, args.versions)
    db = args.workdir / f"bench_{args.reports}{suffix}.duckdb"
    floor_db = args.workdir / f"floor_{args.reports}{suffix}.duckdb"
    reuse = args.reuse_landed and args.full and db.is_file()
    for path in (floor_db,) if reuse else (db, floor_db):
        path.unlink(missing_ok=True)
    shutil.rmtree(data_docs_dir(db), ignore_errors=True)

    n = args.reports + args.versions  # documents
    rows = ["| stage | documents | seconds | documents/s | peak MiB |", "|---|---|---|---|---|"]

    def floor() -> None:
        with duckdb.connect(str(floor_db)) as con:
            con.execute(
                "create table documents as select filename, content from read_text(?)",
                [str(corpus / "*.txt")],
            )

    if not reuse:
        timed("discover", n, lambda: discover_all(corpus), rows)
        land_s = timed("extract + land", n, lambda: land_documents(db, corpus), rows)
        parse_s = timed("parse (+ store cells)", n, lambda: parse_landed(db), rows)
        rows.append(
            f"| extract + parse + land | {n} | {land_s + parse_s:.2f} | "
            f"{n / (land_s + parse_s):.0f} | {peak_mib():.0f} |"
        )
    if args.full:
        from core.paths import work_db_path
        from core.processes import fresh_process, run_in
        from expectations.validate import validate_warehouse
        from serving.publish import publish
        from transform.dbt_runner import build_warehouse

        logged = dbt_log_size(db)
        build_s = timed("dbt build (full refresh)", n, lambda: build_warehouse(db), rows)
        grouping_s = grouping_seconds(db, logged)
        rows.append(
            f"| of it: grouping versions ({', '.join(GROUPING_MODELS)}) | {n} | "
            f"{grouping_s:.2f} | | |"
        )

        def gate() -> None:  # in a fresh process, as the refresh flow runs it
            with fresh_process() as process:
                run_in(process, "validate", validate_warehouse, db)

        gate_s = timed("Great Expectations gate (own process)", n, gate, rows)
        served = args.workdir / f"served_{args.reports}" / "xxgk.duckdb"
        shutil.rmtree(served.parent, ignore_errors=True)
        served.parent.mkdir(parents=True)
        # publishing renames the work file into the serving file: the bench's warehouse stays
        # for --reuse-landed, and the copy (a run's first step, beside Prefect's start) is timed
        work = work_db_path(served)
        timed("copy to a work file", n, lambda: shutil.copyfile(db, work), rows)
        publish_s = timed(
            "publish (Parquet, report, rename)",
            n,
            lambda: publish(work, served, source_dir=corpus),
            rows,
        )
        run_s = (0 if reuse else land_s + parse_s) + build_s + gate_s + publish_s
        rows.append(
            f"| grouping's share of land + parse + build + gate + publish ({run_s:.1f} s) | "
            f"{n} | {grouping_s:.2f} | {100 * grouping_s / run_s:.1f} % | |"
        )
        if args.versions:
            rows.extend(new_rendering(db, args.workdir))
    # last: DuckDB's in-process buffers would otherwise count in every later stage's peak
    timed("floor: DuckDB read_text", n, floor, rows)
    if args.pdf:
        pdf_corpus = args.workdir / f"pdf_{args.pdf}"
        pages = make_pdf_corpus(pdf_corpus, args.pdf)
        pdf_db = args.workdir / f"bench_pdf_{args.pdf}.duckdb"
        pdf_db.unlink(missing_ok=True)
        pdf_s = timed(
            "PDF extract + land", args.pdf, lambda: land_documents(pdf_db, pdf_corpus), rows
        )
        rows.append(f"| PDF pages | {pages} | {pdf_s:.2f} | {pages / pdf_s:.1f} pages/s | |")
        two_s = timed(
            "PDF extract only, 2 processes", args.pdf, lambda: extract_two(pdf_corpus), rows
        )
        rows.append(
            f"| PDF pages, 2 processes | {pages} | {two_s:.2f} | {pages / two_s:.1f} pages/s | |"
        )
    if args.scanned:
        scan_corpus = args.workdir / f"scanned_{args.scanned}"
        pages = make_scanned_corpus(scan_corpus, args.scanned)
        scan_db = args.workdir / f"bench_scanned_{args.scanned}.duckdb"
        scan_db.unlink(missing_ok=True)
        load = os.getloadavg()[0]
        scan_s = timed(
            "scanned PDF extract (OCR) + land",
            args.scanned,
            lambda: land_documents(scan_db, scan_corpus),
            rows,
        )
        rows.append(
            f"| scanned pages (OCR), {IngestLimits.from_env().extraction_workers} workers | "
            f"{pages} | {scan_s:.2f} | {pages / scan_s:.2f} pages/s | (load {load:.1f}) |"
        )
        rows.append(
            f"| one extraction worker OCR-ing them all | {pages} | | | "
            f"{worker_peak_mib(scan_corpus):.0f} |"
        )
    print(f"Machine: {machine()}\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
