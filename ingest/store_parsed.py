"""Store parse results: raw.report_attributes, raw.cells, raw.unmapped_labels and
raw.prose_numbers, a batch of documents per transaction (a document is stored whole or not
at all)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from ingest.db import columns, connect, ensure_raw_schema, table_rows


class ParsedDocument(Protocol):
    """What ``ingest.parse.parse_document`` returns (see docs/architecture.md)."""

    attributes: Mapping[str, Any]
    cells: list[Mapping[str, Any]]
    unmapped: list[Mapping[str, Any]]


WRITE_BATCH = 200  # documents per transaction when storing parse results


def write_parse_results(
    db_path: Path | str,
    results: Iterable[tuple[str, ParsedDocument]],
    parser_version: str,
    prose: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
) -> int:
    """Replace each document's rows in raw.report_attributes, raw.cells and
    raw.unmapped_labels; with ``prose`` (document id → records of ingest.parse.prose), its
    raw.prose_numbers rows too. Documents are written in batches, one transaction each, so a
    document is stored whole or not at all; each table's rows go in as one Arrow insert (row
    by row `executemany` costs DuckDB a statement per row). Returns the number of documents."""
    tables = ["report_attributes", "cells", "unmapped_labels"]
    if prose is not None:
        tables.append("prose_numbers")
    written = 0
    with connect(db_path) as con:
        ensure_raw_schema(con)
        batch: list[tuple[str, ParsedDocument]] = []
        for item in results:
            batch.append(item)
            if len(batch) >= WRITE_BATCH:
                written += _write_batch(con, batch, parser_version, prose, tables)
                batch = []
        if batch:
            written += _write_batch(con, batch, parser_version, prose, tables)
    return written


def _write_batch(
    con: Any,
    batch: list[tuple[str, ParsedDocument]],
    parser_version: str,
    prose: Mapping[str, Iterable[Mapping[str, Any]]] | None,
    tables: list[str],
) -> int:
    import pyarrow as pa

    rows: dict[str, list] = {table: [] for table in tables}
    for doc_id, parsed in batch:
        version = {"document_id": doc_id, "parser_version": parser_version}
        rows["report_attributes"] += table_rows("report_attributes", [parsed.attributes], version)
        rows["cells"] += table_rows("cells", parsed.cells, version)
        rows["unmapped_labels"] += table_rows(
            "unmapped_labels", parsed.unmapped, {"document_id": doc_id}
        )
        if prose is not None:
            rows["prose_numbers"] += table_rows(
                "prose_numbers", prose.get(doc_id, ()), {"document_id": doc_id}
            )
    ids = [doc_id for doc_id, _ in batch]
    con.begin()
    try:
        for table in tables:
            con.execute(f"delete from raw.{table} where document_id in (select unnest(?))", [ids])
            if rows[table]:
                target = con.execute(f"select * from raw.{table} limit 0").arrow().schema
                arrow_rows = pa.Table.from_pylist(
                    [dict(zip(columns(table), row, strict=True)) for row in rows[table]],
                    schema=target,
                )
                con.register("incoming_rows", arrow_rows)
                con.execute(f"insert into raw.{table} select * from incoming_rows")
                con.unregister("incoming_rows")
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return len(batch)
