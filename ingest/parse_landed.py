"""Parse landed documents that the current parser version has not parsed yet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.db import connect, ensure_raw_schema
from ingest.parse.prose import PROSE_VERSION, extract_prose_numbers
from ingest.store_parsed import write_parse_results


class ParseError(RuntimeError):
    """The parser failed on a document (a pipeline error, not a property of the report)."""


@dataclass(frozen=True)
class ParseSummary:
    parsed: int  # documents parsed in this run
    up_to_date: int  # documents already parsed by this parser version
    parser_version: str

    def __str__(self) -> str:
        return (
            f"{self.parsed} parsed, {self.up_to_date} already parsed (parser {self.parser_version})"
        )


def _has_prose_table(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'prose_numbers'"
    ).fetchone()
    return bool(found and found[0])


def parse_landed(db_path: Path | str) -> ParseSummary:
    """Run ``ingest.parse.parse_document`` (and the prose reader, ingest/parse/prose.py) over
    the documents whose stored parse is missing or from another parser version, and store the
    results. A warehouse made before raw.prose_numbers existed is parsed again in full."""
    from ingest.parse import PARSER_VERSION, parse_document

    with connect(db_path) as con:
        reparse_all = not _has_prose_table(con)
        ensure_raw_schema(con)
        pending = con.execute(
            """
            select d.document_id, d.source_path, d.text
            from raw.documents d
            left join raw.report_attributes a using (document_id)
            where a.parser_version is distinct from ? or ?
            order by d.document_id
            """,
            [PARSER_VERSION, reparse_all],
        ).fetchall()
        total = con.execute("select count(*) from raw.documents").fetchone()[0]
    results = []
    prose = {}
    for doc_id, source_path, text in pending:
        try:
            results.append((doc_id, parse_document(doc_id, text)))
            prose[doc_id] = [
                {**number.as_record(), "extractor_version": PROSE_VERSION}
                for number in extract_prose_numbers(text)
            ]
        except Exception as exc:
            raise ParseError(
                f"the parser failed on document {doc_id} ({source_path}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    write_parse_results(db_path, results, PARSER_VERSION, prose=prose)
    return ParseSummary(
        parsed=len(results), up_to_date=total - len(pending), parser_version=PARSER_VERSION
    )
