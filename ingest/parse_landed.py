"""Parse landed documents that the current parser version has not parsed yet.

The parse streams: the ids of the pending documents are read first, then their texts one
batch at a time; a batch is parsed by :func:`parse_batch` (in this process, in worker
processes, or on a Dask cluster: flows/parse.py) and the results are stored a few
batches per transaction, so nothing holds the corpus and a killed run leaves whole documents
only. Only the calling process opens the warehouse (one connection for the run's reads and
writes); workers get texts and return rows.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

import duckdb

from core import progress
from core.settings import ParseSettings, default
from ingest.db import connect, ensure_raw_schema
from ingest.hold import Hold, release_outdated
from ingest.parse.document import ParsedDocument
from ingest.parse.ocr_readings import review_ocr_cells
from ingest.parse.prose import PROSE_VERSION, extract_prose_numbers
from ingest.parse.provenance import BoxRead, PageSpan, attach_provenance, box_reads
from ingest.store_parsed import ParsedBatch, parsed_batch, store_batch
from ingest.time_limit import TimeLimitExceeded, TimeLimitUnsafe, time_limit

T = TypeVar("T")
R = TypeVar("R", covariant=True)


class ParseError(RuntimeError):
    """The parse step cannot go on (e.g. a worker runs another parser version)."""


@dataclass(frozen=True)
class ParseSummary:
    parsed: int  # documents parsed in this run
    up_to_date: int  # documents already parsed by this parser version
    parser_version: str
    held: int = 0  # of those parsed: held back (the parser failed or ran out of time)

    def __str__(self) -> str:
        held = f", {self.held} held back (raw.quarantine)" if self.held else ""
        return (
            f"{self.parsed} parsed{held}, {self.up_to_date} already parsed "
            f"(parser {self.parser_version})"
        )


@dataclass(frozen=True)
class LandedDocument:
    """What the parser needs of a row of raw.documents (and, for a PDF or an image, of its
    pages and OCR boxes: raw.document_pages, raw.ocr_boxes)."""

    document_id: str
    source_path: str
    text: str
    source_file: str | None = None
    title_hint: str | None = None  # a title from outside the body (PDF metadata, <title>)
    title_source: str | None = None
    ocr_engine: str | None = None
    pages: tuple[PageSpan, ...] = ()
    boxes: tuple[BoxRead, ...] = ()
    unread_pages: tuple[tuple[int, str], ...] = ()  # (page, why) pages that could not be read


@dataclass(frozen=True)
class PendingBatch:
    """A batch of pending documents and the span of raw.documents rows holding them."""

    document_ids: tuple[str, ...]
    rows: tuple[int, int]  # first and last rowid: lets the read skip the other row groups


@dataclass(frozen=True)
class PendingDocuments:
    """The documents to parse: no stored parse, or one from another parser version."""

    parser_version: str
    document_ids: tuple[str, ...]  # in the order raw.documents stores them (landing order)
    row_ids: tuple[int, ...]  # their rowids in raw.documents, ascending
    stored: frozenset[str]  # those with a stored parse, whose rows the new one replaces
    total: int  # documents landed

    def batches(self, size: int) -> Iterator[PendingBatch]:
        """The pending documents, ``size`` at a time, in storage order."""
        for start in range(0, len(self.document_ids), size):
            rows = self.row_ids[start : start + size]
            yield PendingBatch(self.document_ids[start : start + size], (rows[0], rows[-1]))

    def summary(self) -> ParseSummary:
        return ParseSummary(
            parsed=len(self.document_ids),
            up_to_date=self.total - len(self.document_ids),
            parser_version=self.parser_version,
        )


class Outcome(Protocol[R]):
    """A submitted piece of work (a concurrent.futures or Prefect future)."""

    def result(self) -> R: ...


def _has_prose_table(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'prose_numbers'"
    ).fetchone()
    return bool(found and found[0])


def pending_documents(db_path: Path | str) -> PendingDocuments:
    """The documents whose stored parse is missing or from another parser version; all of
    them when the warehouse predates raw.prose_numbers (made before the prose reader). A
    document this parser version could not read (held back, ingest/hold.py) is not tried
    again; the holds of other parser versions end here, and their documents are pending."""
    from ingest.parse import PARSER_VERSION

    with connect(db_path) as con:
        reparse_all = not _has_prose_table(con)
        ensure_raw_schema(con)
        release_outdated(con, PARSER_VERSION)
        rows = con.execute(
            """
            select d.rowid, d.document_id, a.document_id is not null
            from raw.documents d
            left join raw.report_attributes a using (document_id)
            where (a.parser_version is distinct from ? or ?)
              and d.document_id not in (
                  select document_id from raw.held_back where parser_version = ?)
            order by d.rowid
            """,
            [PARSER_VERSION, reparse_all, PARSER_VERSION],
        ).fetchall()
        counted = con.execute("select count(*) from raw.documents").fetchone()
        total = counted[0] if counted else 0
    return PendingDocuments(
        parser_version=PARSER_VERSION,
        document_ids=tuple(doc_id for _, doc_id, _ in rows),
        row_ids=tuple(row_id for row_id, _, _ in rows),
        stored=frozenset(doc_id for _, doc_id, stored in rows if stored),
        total=total,
    )


# a constant list filter, unlike a semi-join, is applied inside the scan, and the rowid range
# skips every other row group: 20 ms for 250 texts among 100k documents instead of 500 ms
_READ_SPAN = """
select document_id, source_path, text, source_file, title_hint, title_source, ocr_engine
from raw.documents
where rowid between ? and ? and list_contains(?, document_id)
order by document_id
"""
_READ_IDS = """
select document_id, source_path, text, source_file, title_hint, title_source, ocr_engine
from raw.documents
where list_contains(?, document_id)
order by document_id
"""


def read_texts(
    con: duckdb.DuckDBPyConnection, document_ids: Sequence[str], rows: tuple[int, int] | None
) -> list[LandedDocument]:
    """The texts of ``document_ids`` (in id order). ``rows`` (first and last rowid, from
    :class:`PendingBatch`) only narrows the scan: if a document is not in that span any
    more, the read falls back to the ids alone."""
    ids = list(document_ids)
    found = []
    if rows is not None:
        found = con.execute(_READ_SPAN, [rows[0], rows[1], ids]).fetchall()
    if len(found) != len(set(ids)):
        found = con.execute(_READ_IDS, [ids]).fetchall()
    return with_pages(con, [LandedDocument(*row) for row in found])


def with_pages(
    con: duckdb.DuckDBPyConnection, documents: list[LandedDocument]
) -> list[LandedDocument]:
    """``documents`` with their pages' spans, unread pages and OCR boxes (PDFs and images
    only have pages; only OCR'd documents have boxes)."""
    ids = [d.document_id for d in documents]
    pages: dict[str, list[PageSpan]] = {}
    unread: dict[str, list[tuple[int, str]]] = {}
    for doc_id, page, first, last, method, note in con.execute(
        "select document_id, page, first_line, last_line, method, note from raw.document_pages "
        "where list_contains(?, document_id) order by document_id, page",
        [ids],
    ).fetchall():
        if first is not None:
            pages.setdefault(doc_id, []).append(PageSpan(page, first, last))
        if method == "failed":
            unread.setdefault(doc_id, []).append((page, note or "not read"))
    boxes: dict[str, list[BoxRead]] = {}
    scanned = [d.document_id for d in documents if d.ocr_engine]
    if scanned:
        cursor = con.execute(
            "select * from raw.ocr_boxes where list_contains(?, document_id)", [scanned]
        )
        names = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            boxes.setdefault(record["document_id"], []).append(box_reads([record])[0])
    if not pages and not unread:
        return documents
    return [
        replace(
            d,
            pages=tuple(pages.get(d.document_id, ())),
            boxes=tuple(boxes.get(d.document_id, ())),
            unread_pages=tuple(unread.get(d.document_id, ())),
        )
        for d in documents
    ]


def parse_batch(
    documents: Sequence[LandedDocument], timeout_s: float = default("parse_timeout_s")
) -> ParsedBatch:
    """Parse a batch of documents (``ingest.parse.parse_document`` and the prose reader,
    ingest/parse/prose.py) into the rows stored for them. Pure, and picklable by reference:
    it runs in worker processes and on Dask workers, and reads no setting of its own. Each
    document has ``timeout_s`` (ParseSettings.timeout_s, XXGK_PARSE_TIMEOUT_S); one the parser
    fails on, or that takes longer, is held back with the reason (ingest/hold.py) and the
    batch goes on."""
    from ingest.parse import PARSER_VERSION, DocumentHints, parse_document
    from ingest.parse.lookalikes import reading_text

    results = []
    prose = {}
    held = []
    for document in documents:
        hints = DocumentHints(
            file_name=document.source_file or Path(document.source_path).name,
            title=document.title_hint,
            title_source=document.title_source,
        )
        try:
            with time_limit(timeout_s):
                parsed = parse_document(document.document_id, document.text, hints=hints)
                read_from_pages(parsed, document)
                numbers = extract_prose_numbers(reading_text(document.text))
        except TimeLimitExceeded:
            held.append(
                Hold(
                    document.document_id,
                    f"the parser did not finish within {timeout_s:g} s "
                    "(limit XXGK_PARSE_TIMEOUT_S)",
                )
            )
            continue
        except TimeLimitUnsafe:
            raise  # this process, not the document: nothing to hold back
        except Exception as exc:  # a document can break the parser in any way
            held.append(
                Hold(document.document_id, f"the parser failed: {type(exc).__name__}: {exc}")
            )
            continue
        results.append((document.document_id, parsed))
        prose[document.document_id] = [
            {**number.as_record(), "extractor_version": PROSE_VERSION} for number in numbers
        ]
    return parsed_batch(results, PARSER_VERSION, prose=prose, held=held)


def read_from_pages(parsed: ParsedDocument, document: LandedDocument) -> None:
    """Where the cells were printed (line's TAB cell, page, OCR box), the OCR'd cells in doubt
    made uncertain (ingest/parse/ocr_readings.py), and the pages that could not be read named
    in the parse note."""
    attach_provenance(
        parsed.cells, document.text, document.pages, document.boxes, document.ocr_engine
    )
    if document.boxes:
        review_ocr_cells(parsed.cells, parsed.attributes.get("template"))
    if document.unread_pages:
        pages = "; ".join(f"page {page}: {why}" for page, why in document.unread_pages)
        note = parsed.attributes.get("parse_note")
        unread = f"{len(document.unread_pages)} page(s) could not be read ({pages})"
        parsed.attributes["parse_note"] = f"{note}; {unread}" if note else unread


def store_parse(
    con: duckdb.DuckDBPyConnection, batch: ParsedBatch, pending: PendingDocuments
) -> int:
    """Store one parsed batch in its own transaction on ``con``; a batch parsed by another
    parser version (a worker running other code) is refused."""
    if batch.parser_version != pending.parser_version:
        raise ParseError(
            f"a worker parsed with parser {batch.parser_version}, this run expects "
            f"{pending.parser_version}: install the same project version on every worker"
        )
    return store_batch(con, batch, replace=pending.stored)


def bounded_results(
    submit: Callable[[T], Outcome[ParsedBatch]], items: Iterable[T], in_flight: int
) -> Iterator[ParsedBatch]:
    """Submit ``items`` with at most ``in_flight`` outstanding and yield their results in
    submission order (so memory stays flat however long ``items`` is)."""
    waiting: deque[Outcome[ParsedBatch]] = deque()
    for item in items:
        waiting.append(submit(item))
        if len(waiting) >= in_flight:
            yield waiting.popleft().result()
    while waiting:
        yield waiting.popleft().result()


def grouped(batches: Iterable[ParsedBatch], documents: int) -> Iterator[ParsedBatch]:
    """``batches`` combined into batches of at least ``documents`` documents (the last one
    may be smaller)."""
    group: list[ParsedBatch] = []
    count = 0
    for batch in batches:
        group.append(batch)
        count += len(batch.document_ids)
        if count >= documents:
            yield ParsedBatch.combine(group)
            group, count = [], 0
    if group:
        yield ParsedBatch.combine(group)


def run_parse(
    db_path: Path | str,
    submit: Callable[[list[LandedDocument]], Outcome[ParsedBatch]],
    settings: ParseSettings,
    in_flight: int,
    pending: PendingDocuments | None = None,
) -> ParseSummary:
    """Stream the pending documents through ``submit`` (which parses a batch somewhere,
    ``in_flight`` batches at most at a time) and store the results as they come back,
    ``settings.write_batch`` documents per transaction."""
    pending = pending or pending_documents(db_path)
    held = 0
    # one connection for the run's reads and writes: opening and closing the file for each
    # batch cost about 70 ms at 100k documents
    with connect(db_path) as con:
        batches = (
            read_texts(con, batch.document_ids, batch.rows)
            for batch in pending.batches(settings.batch_size)
        )
        parsed = bounded_results(submit, batches, in_flight)
        progress.advance("parse", 0, total=len(pending.document_ids))
        for batch in grouped(parsed, settings.write_batch):
            store_parse(con, batch, pending)
            progress.advance("parse", len(batch.document_ids))
            held += len(batch.held)
    return replace(pending.summary(), held=held)


def _parsed_here(documents: list[LandedDocument], timeout_s: float) -> Future[ParsedBatch]:
    done: Future[ParsedBatch] = Future()
    done.set_result(parse_batch(documents, timeout_s))
    return done


WORKER_BATCHES = 40  # batches a worker parses before a fresh one replaces it


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Parser processes, started from a clean forkserver with the parser imported. A worker
    is replaced after WORKER_BATCHES batches (10,000 documents by default), so what the
    parser caches cannot grow with the corpus (a new worker starts in well under a second)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.parse_landed", "ingest.parse"])
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, max_tasks_per_child=WORKER_BATCHES
    )


def parse_landed(db_path: Path | str, settings: ParseSettings | None = None) -> ParseSummary:
    """Parse the pending documents (see :func:`pending_documents`) and store the results,
    a batch per transaction. Batches go to ``settings.workers`` processes on this machine
    (XXGK_PARSE_WORKERS, default all cores); one worker, or a single batch, parses here."""
    settings = settings or ParseSettings.from_env()
    pending = pending_documents(db_path)
    if settings.workers == 1 or len(pending.document_ids) <= settings.batch_size:
        here = partial(_parsed_here, timeout_s=settings.timeout_s)
        return run_parse(db_path, here, settings, 1, pending)
    with worker_pool(settings.workers) as pool:
        return run_parse(
            db_path,
            lambda documents: pool.submit(parse_batch, documents, settings.timeout_s),
            settings,
            in_flight=2 * settings.workers,
            pending=pending,
        )
