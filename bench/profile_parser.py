"""Time the parser on one core, and optionally profile it.

    .venv/bin/python -m bench.profile_parser --reports 500              # documents/s
    .venv/bin/python -m bench.profile_parser --reports 500 --profile    # + cProfile top 30

The corpus is `--reports` synthetic messy txt reports, every template in turn (as
`bench/run.py` builds it), generated in memory before the clock starts. Each document is
read as `ingest/parse_landed.py` reads it: `parse_document` then `extract_prose_numbers`.
Every pass reads other reports (seeds `pass * reports` on), so the parser's caches are only
as warm as in a long run, never warm with the very documents timed; the first pass (after a
warm-up on 8 reports) comes closest to a fresh process. Times are CPU time of this process
(steadier than wall time on a shared machine) and wall time; the best pass is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from bench.synthetic import TEMPLATES, draw_report, messy_txt
from ingest.parse import parse_document
from ingest.parse.prose import extract_prose_numbers


def messy_corpus(reports: int, first: int = 0) -> list[str]:
    """The texts of `bench/run.py`'s corpus: report i uses template i mod 4."""
    return [
        messy_txt(draw_report(i, TEMPLATES[i % len(TEMPLATES)]), i)
        for i in range(first, first + reports)
    ]


def parse_all(texts: list[str]) -> None:
    for i, text in enumerate(texts):
        parse_document(f"doc{i}", text)
        extract_prose_numbers(text)


def seconds_per_pass(texts: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for one pass over `texts`."""
    cpu, wall = time.process_time(), time.perf_counter()
    parse_all(texts)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 30")
    args = parser.parse_args()
    passes = [messy_corpus(args.reports, k * args.reports) for k in range(args.repeat + 1)]
    parse_all(messy_corpus(8, 10**6))  # read the reference data
    timings = [seconds_per_pass(texts) for texts in passes[:-1]]
    first, (cpu, wall) = timings[0][0], min(timings)
    n = args.reports
    print(
        f"{n} documents: {cpu:.2f} CPU s, {n / cpu:.0f} documents/s "
        f"(first pass {n / first:.0f}/s; wall {wall:.2f} s, {n / wall:.0f} documents/s)"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(parse_all, passes[-1])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
