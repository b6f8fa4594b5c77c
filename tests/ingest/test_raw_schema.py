"""The raw schema is declared once, in ingest/db.py's RAW_TABLES: the tables xxgk creates
(ensure_raw_schema), their Arrow schemas and the dbt model tests' fixture
(tests/support/dbt_raw_fixture.py) are made from it. dbt's source declaration
(models/staging/_sources.yml) describes the same tables and columns, in the same order:
checked here, so a column added to one and not the other fails."""

from __future__ import annotations

import duckdb
import yaml

from core.paths import ROOT
from ingest.db import RAW_TABLES, columns, ensure_raw_schema, frame_schema
from tests.support.dbt_raw_fixture import create_raw_schema

SOURCES = ROOT / "models" / "staging" / "_sources.yml"
VIEWS = {"held_back"}  # a view over raw.quarantine (ingest/db.py HELD_BACK_VIEW), not a table


def _described() -> dict[str, list[str]]:
    """The raw tables dbt's sources describe, and their columns in order."""
    sources = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]
    (raw,) = [source for source in sources if source["name"] == "raw"]
    return {
        table["name"]: [column["name"] for column in table.get("columns", [])]
        for table in raw["tables"]
        if table["name"] not in VIEWS
    }


def test_dbt_sources_describe_the_declared_raw_tables() -> None:
    assert _described() == {table: list(columns(table)) for table in RAW_TABLES}


def test_the_fixture_and_the_warehouse_make_the_declared_tables() -> None:
    declared = {table: list(columns(table)) for table in RAW_TABLES}
    for make in (ensure_raw_schema, create_raw_schema):
        with duckdb.connect() as con:
            make(con)
            made: dict[str, list[str]] = {}
            for table, column in con.execute(
                "select table_name, column_name from duckdb_columns() "
                "where schema_name = 'raw' order by table_name, column_index"
            ).fetchall():
                if table not in VIEWS:
                    made.setdefault(table, []).append(column)
        assert made == declared, make.__name__
    assert {table: list(frame_schema(table).names()) for table in RAW_TABLES} == declared
