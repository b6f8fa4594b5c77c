"""Time how parse results travel and land: laid out as a batch (in the parse worker), sent
back (pickled, as a process pool or Dask sends it) and stored (the one writing process).

    .venv/bin/python -m bench.parse_batches --reports 2000 --repeat 5

The documents are `--reports` synthetic messy txt reports (bench/profile_parser.py's corpus),
parsed before the clock starts; only `parsed_batch`, the pickle round trip and `store_batch`
are timed, in batches of `--batch` documents (XXGK_PARSE_BATCH's default) stored
`--write-batch` documents per transaction (XXGK_WRITE_BATCH's default), into a fresh warehouse
file each pass. Times are this process's CPU time (steadier than wall time on a shared
machine), the best of `--repeat` passes, in ms per document.
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path

from bench.profile_parser import messy_corpus
from ingest.db import connect, ensure_raw_schema
from ingest.parse import PARSER_VERSION, parse_document
from ingest.parse.prose import PROSE_VERSION, extract_prose_numbers
from ingest.store_parsed import ParsedBatch, parsed_batch, store_batch


def _parsed(reports: int) -> tuple[list[tuple[str, object]], dict[str, list[dict]]]:
    results, prose = [], {}
    for i, text in enumerate(messy_corpus(reports)):
        doc_id = f"doc{i:06d}"
        results.append((doc_id, parse_document(doc_id, text)))
        prose[doc_id] = [
            {**number.as_record(), "extractor_version": PROSE_VERSION}
            for number in extract_prose_numbers(text)
        ]
    return results, prose


def one_pass(results: list, prose: dict, batch: int, write_batch: int, db: Path) -> dict:
    """CPU seconds of each step: ``layout`` and ``send`` (pickling) in the parse worker,
    ``receive`` (unpickling) and ``store`` in the writing process, the one that bounds a run."""
    clock = {"layout": 0.0, "send": 0.0, "receive": 0.0, "store": 0.0}
    sent = 0
    batches: list[ParsedBatch] = []
    for start in range(0, len(results), batch):
        t = time.process_time()
        laid = parsed_batch(results[start : start + batch], PARSER_VERSION, prose=prose)
        clock["layout"] += time.process_time() - t
        t = time.process_time()
        wire = pickle.dumps(laid, protocol=pickle.HIGHEST_PROTOCOL)
        clock["send"] += time.process_time() - t
        t = time.process_time()
        batches.append(pickle.loads(wire))
        clock["receive"] += time.process_time() - t
        sent += len(wire)
    with connect(db) as con:
        ensure_raw_schema(con)
        per_write = max(1, write_batch // batch)
        t = time.process_time()
        for start in range(0, len(batches), per_write):
            store_batch(con, ParsedBatch.combine(batches[start : start + per_write]))
        clock["store"] += time.process_time() - t
    return {**clock, "bytes": sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--write-batch", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results, prose = _parsed(args.reports)
    cells = sum(len(parsed.cells) for _, parsed in results)
    passes = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            passes.append(
                one_pass(results, prose, args.batch, args.write_batch, Path(tmp) / f"w{i}.duckdb")
            )
    n = len(results)
    steps = ("layout", "send", "receive", "store")
    best = {key: 1000 * min(p[key] for p in passes) / n for key in steps}
    print(f"{n} documents, {cells} cells; best of {args.repeat} passes, CPU ms per document")
    print("| layout | send | (worker) | receive | store | (writer) | bytes sent per document |")
    print("|---|---|---|---|---|---|---|")
    worker, writer = best["layout"] + best["send"], best["receive"] + best["store"]
    print(
        f"| {best['layout']:.3f} | {best['send']:.3f} | {worker:.3f} | {best['receive']:.3f} "
        f"| {best['store']:.3f} | {writer:.3f} | {passes[0]['bytes'] / n:,.0f} |"
    )


if __name__ == "__main__":
    main()
