"""The marts as Parquet, for tools that prefer files to a DuckDB database.

One folder per mart. Marts with a report year (their own, or their report's through
``report_id``) are partitioned Hive-style (``report_year=2019/data_0.parquet``); the
dimensions without one, and empty marts (so their columns are still there), are a single
``<mart>.parquet``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ?",
        [table],
    ).fetchall()
    return {name for (name,) in rows}


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def _export_query(con: duckdb.DuckDBPyConnection, mart: str) -> tuple[str, bool]:
    """The query to export and whether it carries a report_year to partition by."""
    columns = _columns(con, mart)
    if "report_year" in columns:
        return f'select * from marts."{mart}"', True
    if "report_id" in columns:
        return (
            f'select m.*, r.report_year from marts."{mart}" as m '
            "left join marts.dim_report as r on m.report_id = r.report_id",
            True,
        )
    return f'select * from marts."{mart}"', False


def export_marts(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[str]:
    """Write every mart under ``out_dir``; returns the marts written."""
    marts = mart_names(con)
    for mart in marts:
        query, by_year = _export_query(con, mart)
        folder = out_dir / mart
        folder.mkdir(parents=True, exist_ok=True)
        (rows,) = con.execute(f"select count(*) from ({query})").fetchone()
        if by_year and rows:
            con.execute(
                f"copy ({query}) to {_sql_string(str(folder))} "
                "(format parquet, partition_by (report_year), overwrite_or_ignore)"
            )
        else:
            target = _sql_string(str(folder / f"{mart}.parquet"))
            con.execute(f"copy ({query}) to {target} (format parquet)")
    return marts
