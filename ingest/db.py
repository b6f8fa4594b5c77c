"""DuckDB connections and the `raw` schema (see docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from core.settings import load_settings, variable

# DuckDB's memory_limit for every connection xxgk opens, dbt's included (profiles.yml);
# unset: DuckDB's own default (80 % of RAM). Publishing the marts as Parquet at 100k reports
# held 3.5 GiB without it and under 1 GiB at 512MB: DuckDB spills what does not fit.
MEMORY_LIMIT_VARIABLE = variable("duckdb_memory_limit")

# the polars type of each DuckDB type RAW_TABLES uses (a batch of rows is a polars frame)
_FRAME_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String(),
    "integer": pl.Int32(),
    "bigint": pl.Int64(),
    "double": pl.Float64(),
    "boolean": pl.Boolean(),
    "timestamp": pl.Datetime("us"),
}

RAW_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (
        ("document_id", "varchar primary key"),
        ("source_file", "varchar not null"),
        ("source_path", "varchar not null"),
        ("size_bytes", "bigint not null"),
        ("sha256", "varchar not null"),
        ("media_type", "varchar not null"),
        ("encoding", "varchar"),
        ("extraction_status", "varchar not null"),
        ("text", "varchar not null"),
        ("extractor_version", "varchar not null"),
        ("landed_at", "timestamp not null"),
        ("retired_at", "timestamp"),  # set by `xxgk retire`: kept, but no longer reported
        ("retired_reason", "varchar"),
        # a title the file carries outside its body (ingest/extract/title_hint.py)
        ("title_hint", "varchar"),
        ("title_source", "varchar"),  # `pdf_metadata`, `html_title`; NULL when none
        ("ocr_engine", "varchar"),  # engine and version, when a page was OCR'd
    ),
    "document_pages": (  # PDF and image pages: how each was read, and its lines in the text
        ("document_id", "varchar not null"),
        ("page", "integer not null"),
        ("first_line", "integer"),
        ("last_line", "integer"),
        ("method", "varchar not null"),  # text, ocr, failed
        ("note", "varchar"),  # why a page could not be read
        ("render_dpi", "integer"),
        ("rotation", "double"),
    ),
    "ocr_boxes": (  # the text boxes OCR read (ingest/extract/types.py OcrBox)
        ("document_id", "varchar not null"),
        ("page", "integer not null"),
        ("source_line", "integer not null"),
        ("source_column", "integer"),
        ("x0", "double not null"),
        ("y0", "double not null"),
        ("x1", "double not null"),
        ("y1", "double not null"),
        ("text", "varchar not null"),
        ("confidence", "double not null"),
    ),
    "quarantine": (
        ("source_path", "varchar primary key"),
        ("source_file", "varchar not null"),
        ("size_bytes", "bigint"),
        ("sha256", "varchar"),
        ("reason", "varchar not null"),
        ("quarantined_at", "timestamp not null"),
        # a landed document held back from the marts (ingest/hold.py); NULL for a file that
        # could not be landed
        ("document_id", "varchar"),
        ("parser_version", "varchar"),  # the parser that read it when it was held back
    ),
    "report_attributes": (
        ("document_id", "varchar primary key"),
        ("parser_version", "varchar not null"),
        ("title", "varchar"),
        ("title_line", "integer"),
        ("issuer", "varchar"),
        ("region_name", "varchar"),
        ("region_code", "varchar"),
        ("scope", "varchar"),
        ("report_year", "integer"),
        ("template", "varchar"),
        ("parse_status", "varchar"),
        ("parse_note", "varchar"),
        ("attribute_sources", "varchar"),  # JSON: attribute -> where it was read
    ),
    "cells": (
        ("document_id", "varchar not null"),
        ("parser_version", "varchar not null"),
        ("section", "varchar"),
        ("metric_code", "varchar not null"),
        ("applicant", "varchar not null"),
        ("row_label", "varchar"),
        ("raw_text", "varchar"),
        ("value_text", "varchar"),
        ("unit_text", "varchar"),
        ("value_status", "varchar not null"),
        ("source_line", "integer"),
        ("match_method", "varchar"),
        ("match_score", "double"),
        ("alternatives", "varchar"),
        ("source_column", "integer"),  # TAB cell of source_line (0-based); NULL without TABs
        ("source_page", "integer"),  # page of a PDF or image (raw.document_pages)
        ("ocr_x0", "double"),  # the OCR box the value was read from (raw.ocr_boxes pixels)
        ("ocr_y0", "double"),
        ("ocr_x1", "double"),
        ("ocr_y1", "double"),
        ("ocr_engine", "varchar"),
        ("ocr_confidence", "double"),
    ),
    "unmapped_labels": (
        ("document_id", "varchar not null"),
        ("section", "varchar"),
        ("row_label", "varchar"),
        ("normalised_label", "varchar"),
        ("source_line", "integer"),
        ("best_code", "varchar"),
        ("best_score", "double"),
    ),
    "prose_numbers": (  # ingest/parse/prose.py
        ("document_id", "varchar not null"),
        ("extractor_version", "varchar not null"),
        ("measure", "varchar not null"),
        ("value_text", "varchar not null"),
        ("approximate", "boolean not null"),
        ("subject", "varchar not null"),
        ("source_line", "integer not null"),
        ("occurrence", "integer not null"),
        ("phrase", "varchar"),
        ("context", "varchar"),
    ),
    # the reviews store's tables (ingest/reviews.py), copied in by each run
    "review_verdicts": (  # a failing check judged: printed_inconsistency, read_error, pending
        ("review_id", "varchar primary key"),
        ("report_id", "varchar not null"),
        ("check_code", "varchar not null"),
        ("instance", "varchar not null"),
        ("related_report_id", "varchar"),
        ("verdict", "varchar not null"),
        ("reason", "varchar not null"),
        ("reviewed_by", "varchar not null"),
        ("reviewed_at", "timestamp not null"),
    ),
    "review_corrections": (  # a cell's value established by a reviewer; NULL: as printed
        ("review_id", "varchar primary key"),
        ("report_id", "varchar not null"),
        ("metric_code", "varchar not null"),
        ("applicant", "varchar not null"),
        ("corrected_value", "double"),
        ("reason", "varchar not null"),
        ("reviewed_by", "varchar not null"),
        ("reviewed_at", "timestamp not null"),
    ),
    "review_pins": (  # a report's canonical version chosen (as seeds/canonical_choices.csv)
        ("review_id", "varchar primary key"),
        ("report_id", "varchar not null"),  # the report, by the report_id of a version
        ("chosen_report_id", "varchar not null"),
        ("reason", "varchar not null"),
        ("reviewed_by", "varchar not null"),
        ("reviewed_at", "timestamp not null"),
    ),
}


def columns(table: str) -> tuple[str, ...]:
    """Column names of a raw table, in order."""
    return tuple(name for name, _ in RAW_TABLES[table])


def insert_sql(table: str, count: int | None = None) -> str:
    """A parameterised INSERT for every column of a raw table (its first ``count`` only)."""
    cols = columns(table)[:count]
    return f"insert into raw.{table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` schema and its tables when missing, and bring a warehouse made by an
    earlier version up to date: the columns it lacks (nullable columns only: nothing landed
    is rewritten) and the constraints (:func:`ensure_constraints`)."""
    con.execute("create schema if not exists raw")
    for table, cols in RAW_TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in cols)
        con.execute(f"create table if not exists raw.{table} ({body})")
    present: dict[str, set[str]] = {}
    for table, column in con.execute(  # one catalog query for every raw table
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'raw' and database_name = current_database()"
    ).fetchall():
        present.setdefault(table, set()).add(column)
    constrained = {}
    for table, cols in RAW_TABLES.items():
        added = {name for name, _ in cols if name not in present.get(table, set())}
        for name, kind in cols:
            if name in added:  # nullable: the rows it has hold none, so NOT NULL cannot hold
                nullable = kind.replace(" not null", "")
                con.execute(f"alter table raw.{table} add column {name} {nullable}")
        constrained[table] = [c for c in cols if c[0] not in added]
    ensure_constraints(con, "raw", constrained)
    con.execute(HELD_BACK_VIEW)


# The one statement of which landed documents are held back from the marts: those with a
# raw.quarantine row (ingest/hold.py). Read by the build plan, the gate and dbt (a source).
HELD_BACK_VIEW = """
create view if not exists raw.held_back as
select document_id, source_path, reason, parser_version, quarantined_at
from raw.quarantine
where document_id is not null
"""


def ensure_constraints(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    tables: Mapping[str, Iterable[tuple[str, str]]],
) -> None:
    """Give each table of ``schema`` the NOT NULL and PRIMARY KEY constraints its column
    definitions state (``tables``: table -> ``(name, "varchar not null")``, ...) where it
    lacks them. dbt's incremental builds rely on them instead of re-running the raw tables'
    not_null and unique tests (selectors.yml). Rows that break one make this raise, naming
    the table."""
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for table, kind, names in con.execute(  # one catalog query for all of them
        "select table_name, constraint_type, constraint_column_names from duckdb_constraints() "
        "where schema_name = ? and database_name = current_database()",
        [schema],
    ).fetchall():
        found.setdefault(table, []).append((kind, names))
    for table, cols in tables.items():
        existing = found.get(table, [])
        not_null = {
            c for kind, names in existing if kind in ("NOT NULL", "PRIMARY KEY") for c in names
        }
        keyed = any(kind == "PRIMARY KEY" for kind, _ in existing)
        try:
            for name, kind in cols:
                if "primary key" in kind and not keyed:
                    con.execute(f"alter table {schema}.{table} add primary key ({name})")
                elif "not null" in kind and name not in not_null:
                    con.execute(f"alter table {schema}.{table} alter column {name} set not null")
        except duckdb.ConstraintException as exc:
            raise duckdb.ConstraintException(
                f"{schema}.{table} holds rows that break a constraint it is now given: {exc}"
            ) from exc


@contextmanager
def connect(db_path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection, closed on exit (DuckDB allows one writing process), with the
    memory limit of :data:`MEMORY_LIMIT_VARIABLE` (core/settings.py)."""
    path = Path(db_path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    limit = load_settings().duckdb_memory_limit.strip()
    config: dict[str, str | bool | int | float | list[str]] = (
        {"memory_limit": limit} if limit else {}
    )
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.ParserException as exc:  # the only setting given: the limit is unreadable
        raise ValueError(f"{MEMORY_LIMIT_VARIABLE}={limit!r} is not a memory size: {exc}") from exc
    try:
        yield con
    finally:
        con.close()


def is_lock_conflict(exc: BaseException) -> bool:
    """True for the transient error of another process holding the warehouse file (not a
    damaged block: "checksum ... in block at location" holds the word too)."""
    message = str(exc).lower()
    return isinstance(exc, duckdb.IOException) and (
        "could not set lock" in message or "conflicting lock" in message
    )


def table_columns(
    table: str, records: list[Mapping[str, Any]], fixed: list[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """The values of ``records`` column by column, in raw.``table``'s column order; each
    record's ``fixed`` values (its document id, the parser version) fill the columns it does
    not hold. A key that is not a column of the table is an error."""
    cols = columns(table)
    known = set(cols)
    for record in records:
        unknown = record.keys() - known
        if unknown:
            raise ValueError(f"raw.{table} has no column(s) {sorted(unknown)}")
    return {
        col: [r[col] if col in r else f.get(col) for r, f in zip(records, fixed, strict=True)]
        for col in cols
    }


def frame_schema(table: str) -> pl.Schema:
    """The polars schema of a raw table (column order and types of RAW_TABLES)."""
    return pl.Schema([(name, _FRAME_TYPES[kind.split()[0]]) for name, kind in RAW_TABLES[table]])


def raw_frame(table: str, values: Mapping[str, list[Any]]) -> pl.DataFrame:
    """Column values of raw.``table`` (see :func:`table_columns`) as a polars frame; a value
    that does not fit its column's type is an error."""
    schema = frame_schema(table)
    return pl.DataFrame({name: values.get(name, []) for name in schema}, schema=schema)


def as_arrow(frame: pl.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table on its own buffers (strings as Arrow string views, as
    polars holds them: no copy; DuckDB reads them as they are)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> int:
    """Append a polars frame laid out like raw.``table`` in one statement: DuckDB scans its
    Arrow buffers without a copy (row-by-row ``executemany`` costs DuckDB a statement per
    row). Returns the number of rows."""
    if not rows.height:
        return 0
    con.register("incoming_rows", as_arrow(rows))
    try:
        con.execute(
            f"insert into raw.{table} ({', '.join(columns(table))}) select * from incoming_rows"
        )
    finally:
        con.unregister("incoming_rows")
    return rows.height


def insert_records(
    con: duckdb.DuckDBPyConnection,
    table: str,
    records: Iterable[Mapping[str, Any]],
    fixed: Mapping[str, Any] | None = None,
) -> int:
    """Insert ``records`` (with ``fixed`` values added) into raw.``table`` as one polars
    frame. Returns the number of rows inserted."""
    rows = list(records)
    values = table_columns(table, rows, [fixed or {}] * len(rows))
    return insert_frame(con, table, raw_frame(table, values))
