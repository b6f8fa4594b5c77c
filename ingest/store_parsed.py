"""Store parse results: raw.report_attributes, raw.cells, raw.unmapped_labels and
raw.prose_numbers, a batch of documents per transaction (a document is stored whole or not
at all).

A batch travels as a :class:`ParsedBatch`: one polars frame per raw table, built where the
documents were parsed (a worker process, or a Dask worker on another machine), so the one
process that writes the warehouse only appends columns. Commits are the cost of storing
(DuckDB logs a small insert row by row in its WAL, and writes one of a row group or more,
122,880 rows, straight to the file), so a transaction should hold 1000 documents or more:
about 160 cells each (docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import polars as pl
import pyarrow as pa

from ingest.db import as_arrow, connect, ensure_raw_schema, insert_frame, raw_frame, table_columns
from ingest.hold import Hold, hold_back

PARSE_TABLES = ("report_attributes", "cells", "unmapped_labels", "prose_numbers")
WRITE_BATCH = 200  # documents per transaction in write_parse_results


class ParsedDocument(Protocol):
    """What ``ingest.parse.parse_document`` returns (see docs/architecture.md)."""

    @property
    def attributes(self) -> Mapping[str, Any]: ...
    @property
    def cells(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def unmapped(self) -> Sequence[Mapping[str, Any]]: ...


@dataclass(frozen=True)
class ParsedBatch:
    """The parse results of a batch of documents, ready to store: ``tables`` maps a raw
    table (PARSE_TABLES, raw.prose_numbers only when the prose was read) to its rows."""

    document_ids: tuple[str, ...]
    parser_version: str
    tables: dict[str, pl.DataFrame]
    held: tuple[Hold, ...] = ()  # documents the parser could not read: held back (no rows)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (to the writing process, or over a Dask cluster's wire) as Arrow tables
        with the frames' own buffers (string views: no copy), which the writer takes back
        without a copy either; polars' own pickling costs the writer more
        (bench/parse_batches.py)."""
        state = dict(self.__dict__)
        state["tables"] = {name: as_arrow(frame) for name, frame in self.tables.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        tables = {name: _frame(table) for name, table in state["tables"].items()}
        for name, value in {**state, "tables": tables}.items():
            object.__setattr__(self, name, value)

    @classmethod
    def combine(cls, batches: Sequence[ParsedBatch]) -> ParsedBatch:
        """One batch of the documents of ``batches`` (same parser version and tables)."""
        first = batches[0]
        return cls(
            document_ids=tuple(doc_id for batch in batches for doc_id in batch.document_ids),
            parser_version=first.parser_version,
            tables={
                table: pl.concat([batch.tables[table] for batch in batches], rechunk=False)
                for table in first.tables
            },
            held=tuple(hold for batch in batches for hold in batch.held),
        )


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a table gives a frame (a column, a series)
    return frame


def parsed_batch(
    results: Iterable[tuple[str, ParsedDocument]],
    parser_version: str,
    prose: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    held: Iterable[Hold] = (),
) -> ParsedBatch:
    """Lay out ``results`` (document id, parse) and ``prose`` (document id → records of
    ingest.parse.prose) as the rows of the raw tables; a key that is not a column is an
    error. ``held``: documents of the batch the parser could not read (held back)."""
    tables = PARSE_TABLES if prose is not None else PARSE_TABLES[:-1]
    records: dict[str, list[Mapping[str, Any]]] = {table: [] for table in tables}
    fixed: dict[str, list[Mapping[str, Any]]] = {table: [] for table in tables}
    ids = []

    def add(table: str, rows: Iterable[Mapping[str, Any]], values: Mapping[str, Any]) -> None:
        for row in rows:
            records[table].append(row)
            fixed[table].append(values)

    for doc_id, parsed in results:
        ids.append(doc_id)
        version = {"document_id": doc_id, "parser_version": parser_version}
        add("report_attributes", [parsed.attributes], version)
        add("cells", parsed.cells, version)
        add("unmapped_labels", parsed.unmapped, {"document_id": doc_id})
        if prose is not None:
            add("prose_numbers", prose.get(doc_id, ()), {"document_id": doc_id})
    held = tuple(held)
    return ParsedBatch(
        document_ids=tuple(ids) + tuple(hold.document_id for hold in held),
        parser_version=parser_version,
        tables={
            table: raw_frame(table, table_columns(table, records[table], fixed[table]))
            for table in tables
        },
        held=held,
    )


def store_batch(con: Any, batch: ParsedBatch, replace: Collection[str] | None = None) -> int:
    """Write ``batch`` in one transaction: first delete the rows of the documents in
    ``replace`` (default: every document of the batch; pass only those with a stored parse
    to spare the scans), then append the batch's rows and hold back the documents the parser
    could not read (ingest/hold.py). Returns the number of documents."""
    replaced = set(batch.document_ids if replace is None else replace)
    stale = [doc_id for doc_id in batch.document_ids if doc_id in replaced]
    con.begin()
    try:
        for table, rows in batch.tables.items():
            if stale:
                con.execute(
                    f"delete from raw.{table} where document_id in (select unnest(?))", [stale]
                )
            insert_frame(con, table, rows)
        hold_back(con, batch.held, batch.parser_version)
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return len(batch.document_ids)


def write_parse_results(
    db_path: Path | str,
    results: Iterable[tuple[str, ParsedDocument]],
    parser_version: str,
    prose: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
) -> int:
    """Replace each document's rows in raw.report_attributes, raw.cells and
    raw.unmapped_labels; with ``prose`` (document id → records of ingest.parse.prose), its
    raw.prose_numbers rows too. Documents are written WRITE_BATCH at a time, one transaction
    each, so a document is stored whole or not at all. Returns the number of documents."""
    written = 0
    with connect(db_path) as con:
        ensure_raw_schema(con)
        chunk: list[tuple[str, ParsedDocument]] = []
        for item in results:
            chunk.append(item)
            if len(chunk) >= WRITE_BATCH:
                written += store_batch(con, parsed_batch(chunk, parser_version, prose))
                chunk = []
        if chunk:
            written += store_batch(con, parsed_batch(chunk, parser_version, prose))
    return written
