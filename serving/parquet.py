"""The marts as Parquet, for tools that prefer files to a DuckDB database.

One folder per mart. Marts with a report year (their own, or their report's through
``report_id``) are partitioned Hive-style (``report_year=2019/data_0.parquet``); the
dimensions without one, and empty marts (so their columns are still there), are a single
``<mart>.parquet``. Every mart keyed by report carries ``is_canonical`` (its own, or its
report's from dim_report): a report published in several versions counts once, by its
canonical version.

Each export is a new folder (serving/publish.py switches readers to it). It writes only the
partitions whose content changed since the previous export: every partition's digest (row
count and the sum of the rows' hashes, with the mart's columns and the DuckDB version) is
kept in ``_partitions.json``, and a partition whose digest is unchanged is hard-linked from
the previous folder instead of written again. Adding one report to a warehouse of 10,000
rewrites one year of each per-report mart.

``report_year`` is written in the files too (INTEGER), not only in the folder names, so
every reader gets the same type without Hive partitioning. ``_manifest.json`` says what the
folder holds: the version, and per mart its row count, columns with their DuckDB types and
its files. It is written last; serving/publish.py serves the folder whole.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

DIGESTS_FILE = "_partitions.json"
MANIFEST_FILE = "_manifest.json"
# what the files hold besides the mart's columns: a digest from another layout is not reused
LAYOUT = "report_year in the files"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # DuckDB's folder name for a NULL report_year


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Each mart's column names, marts in name order (one catalog query for all)."""
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'marts' and not internal order by table_name"
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def _export_query(mart: str, columns: set[str]) -> tuple[str, bool]:
    """The query to export and whether it carries a report_year to partition by. A mart
    keyed by report carries its report's year and whether the document is the report's
    canonical version (dim_report.is_canonical: count reports on it)."""
    if "report_id" not in columns:
        return f'select * from marts."{mart}"', "report_year" in columns
    added = [f"r.{name}" for name in ("report_year", "is_canonical") if name not in columns]
    if not added:
        return f'select * from marts."{mart}"', True
    return (
        f'select m.*, {", ".join(added)} from marts."{mart}" as m '
        "left join marts.dim_report as r on m.report_id = r.report_id",
        True,
    )


@dataclass(frozen=True)
class ExportSummary:
    marts: list[str]
    written: int  # partitions (or single files) written
    linked: int  # partitions unchanged since the previous export, hard-linked from it

    def __str__(self) -> str:
        return (
            f"{len(self.marts)} marts as Parquet: {self.written} partitions written, "
            f"{self.linked} unchanged"
        )


def _partition_digests(con: duckdb.DuckDBPyConnection, query: str, by_year: bool) -> dict[str, str]:
    """Partition folder (``report_year=2019``, or ``""`` for an unpartitioned mart) → digest."""
    year = "m.report_year" if by_year else "null"
    rows = con.execute(
        f"select {year} as report_year, count(*), sum(hash(m)::hugeint)::varchar "
        f"from ({query}) as m group by all"
    ).fetchall()
    return {
        (f"report_year={NULL_PARTITION if y is None else y}" if by_year else ""): f"{n}:{total}"
        for y, n, total in rows
    }


def _schema(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"describe {query}").fetchall()]


def _schema_key(con: duckdb.DuckDBPyConnection, query: str) -> str:
    columns = ",".join(f"{name} {kind}" for name, kind in _schema(con, query))
    return f"duckdb {duckdb.__version__}; {LAYOUT}; {columns}"


def _previous_digests(previous: Path | None) -> dict:
    if previous is None:
        return {}
    try:
        return json.loads((previous / DIGESTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no or unreadable digests: write everything
        return {}


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link every file under ``source`` to the same place under ``target`` (a copy where
    the file system has no hard links)."""
    for path in source.rglob("*"):
        if path.is_dir():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copyfile(path, destination)


def _year_condition(partitions: list[str]) -> str:
    years = [p.removeprefix("report_year=") for p in partitions]
    terms = [f"report_year = {year}" for year in years if year != NULL_PARTITION]
    if NULL_PARTITION in years:
        terms.append("report_year is null")
    return " or ".join(terms)


def _manifest_entry(
    con: duckdb.DuckDBPyConnection, query: str, folder: Path, partitions: dict[str, str]
) -> dict:
    rows = sum(int(digest.split(":", 1)[0]) for digest in partitions.values())
    files = sorted(str(f.relative_to(folder.parent)) for f in folder.rglob("*.parquet"))
    columns = [{"name": name, "type": kind} for name, kind in _schema(con, query)]
    return {"rows": rows, "columns": columns, "files": files}


def write_manifest(out_dir: Path, version: int | None, marts: dict[str, dict]) -> None:
    manifest = {"version": version, "marts": marts}
    text = json.dumps(manifest, indent=1, ensure_ascii=False)
    (out_dir / MANIFEST_FILE).write_text(text, encoding="utf-8")


def export_marts(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    previous: Path | None = None,
    version: int | None = None,
) -> ExportSummary:
    """Write every mart under ``out_dir`` (a new folder) and its manifest for ``version``;
    partitions unchanged since the export in ``previous`` are hard-linked from it."""
    columns = mart_columns(con)
    marts = list(columns)
    before = _previous_digests(previous)
    digests: dict[str, dict] = {}
    manifest: dict[str, dict] = {}
    written = linked = 0
    for mart in marts:
        query, by_year = _export_query(mart, columns[mart])
        folder = out_dir / mart
        folder.mkdir(parents=True, exist_ok=True)
        current = _partition_digests(con, query, by_year)
        schema = _schema_key(con, query)
        digests[mart] = {"schema": schema, "by_year": by_year, "partitions": current}
        old = before.get(mart, {})
        same_layout = old.get("schema") == schema and old.get("by_year") == by_year
        unchanged = [
            part
            for part, digest in current.items()
            if same_layout and old.get("partitions", {}).get(part) == digest
        ]
        if previous is not None:
            for part in unchanged:
                _link_tree(previous / mart / part, folder / part)
        linked += len(unchanged)
        if by_year and current:
            changed = [part for part in current if part not in unchanged]
            if changed:
                con.execute(
                    f"copy (select * from ({query}) where {_year_condition(changed)}) "
                    f"to {_sql_string(str(folder))} "
                    "(format parquet, partition_by (report_year), write_partition_columns, "
                    "overwrite_or_ignore)"
                )
            written += len(changed)
        elif not unchanged:  # a single file (a dimension, or an empty mart)
            target = _sql_string(str(folder / f"{mart}.parquet"))
            con.execute(f"copy ({query}) to {target} (format parquet)")
            written += 1
        manifest[mart] = _manifest_entry(con, query, folder, current)
    (out_dir / DIGESTS_FILE).write_text(json.dumps(digests, indent=1), encoding="utf-8")
    write_manifest(out_dir, version, manifest)
    return ExportSummary(marts=marts, written=written, linked=linked)
