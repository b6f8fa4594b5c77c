"""Reading a built warehouse's tables for comparisons between warehouses."""

from __future__ import annotations

from pathlib import Path

import duckdb


def table_names(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def mart_rows(db: Path) -> dict[str, list[tuple]]:
    """Every mart, row for row in a stable order (landing times aside: they differ between
    warehouses built from the same files)."""
    with duckdb.connect(str(db), read_only=True) as con:
        marts = {}
        for table in table_names(con, "marts"):
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns where "
                    "table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if name != "landed_at"
            ]
            query = f"select {', '.join(columns)} from marts.{table} order by all"
            marts[table] = con.execute(query).fetchall()
    return marts
