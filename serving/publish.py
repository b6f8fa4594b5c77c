"""Publish a validated build to the serving file that analysts and BI tools open.

`xxgk run` builds in a work file beside the serving file (``<name>.build.duckdb``, see
:func:`xxgk.paths.work_db_path`); only the run opens it. After the gate (dbt build and Great
Expectations) passed, :func:`publish`

1. checkpoints and closes the work file, and copies it beside the serving file;
2. stamps the copy with the next version in ``meta.published`` (with row counts, so a reader
   can check in one statement that what it reads is one version);
3. exports the copy's marts to Parquet and renders its HTML report;
4. renames the copy over the serving file (``os.replace``), then switches the Parquet folder
   and replaces the report and dbt docs pages the same way.

A reader therefore opens either the old complete file or the new one, and never waits: no
process ever opens the serving file for writing. If anything fails before step 4, the staged
files are removed and the served version stays as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.db import connect
from serving.files import discard, prune_versions, staging_name, switch_link
from serving.parquet import export_marts
from serving.report import render_report
from xxgk import __version__
from xxgk.paths import dbt_docs_dir, parquet_dir, report_dir

PUBLISHED_DDL = """
create table if not exists meta.published (
    version integer primary key,
    published_at timestamp not null,
    source_dir varchar not null,
    document_count bigint not null,
    report_count bigint not null,
    metric_row_count bigint not null,
    harmonised_row_count bigint not null,
    failed_check_count bigint not null,
    xxgk_version varchar not null
)
"""
CURRENT_VERSION_VIEW = """
create or replace view meta.current_version as
select * from meta.published order by version desc limit 1
"""
COUNTS_SQL = """
select
    (select count(*) from raw.documents),
    (select count(*) from marts.dim_report),
    (select count(*) from marts.fct_report_metrics),
    (select count(*) from marts.fct_harmonised_metrics),
    (select count(*) from marts.fct_check_results where status = 'fail')
"""


@dataclass(frozen=True)
class Publication:
    version: int
    published_at: datetime
    serving_db: Path
    parquet: Path
    report: Path
    dbt_docs: Path | None

    def __str__(self) -> str:
        return f"version {self.version} served at {self.serving_db}"


def _last_version(con: duckdb.DuckDBPyConnection) -> int:
    try:
        row = con.execute("select max(version) from meta.published").fetchone()
    except duckdb.CatalogException:  # a file from before versioning
        return 0
    return int(row[0]) if row and row[0] is not None else 0


def _insert_version(con: duckdb.DuckDBPyConnection, row: tuple) -> None:
    con.execute("create schema if not exists meta")
    con.execute(PUBLISHED_DDL)
    con.execute(CURRENT_VERSION_VIEW)
    con.execute("insert into meta.published values (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


def served_version(serving_db: Path) -> int | None:
    """The version the serving file holds: 0 for a file from before versioning, None when
    there is no file or it cannot be read."""
    if not serving_db.is_file():
        return None
    try:
        with connect(serving_db, read_only=True) as con:
            return _last_version(con)
    except duckdb.Error:
        return None


def adopt_serving_file(work_db: Path, serving_db: Path) -> bool:
    """Start the work file from an existing serving file (a warehouse built before builds
    had a work file), so its raw.* keep re-runs incremental. True when copied."""
    if work_db.exists() or not serving_db.is_file():
        return False
    shutil.copyfile(serving_db, work_db)
    wal = serving_db.with_name(serving_db.name + ".wal")
    if wal.exists():  # changes the old writer did not checkpoint belong to the copy now
        shutil.copyfile(wal, work_db.with_name(work_db.name + ".wal"))
    return True


def _checkpoint(work_db: Path) -> int:
    """Flush the WAL into the file (the copy must be complete); returns the last version
    the work file records as published."""
    with connect(work_db) as con:
        con.execute("checkpoint")
        return _last_version(con)


StampHook = Callable[[duckdb.DuckDBPyConnection, int], None]


def _stamp(db: Path, version: int, source_dir: Path | None, hook: StampHook | None) -> tuple:
    """Record ``version`` with ``db``'s row counts in its meta.published (and let ``hook``
    write what else the served copy should say, e.g. the run's row); returns the row."""
    with connect(db) as con:
        counts = con.execute(COUNTS_SQL).fetchone() or ()
        source = str(source_dir) if source_dir else "(no new files: landed documents)"
        row = (version, datetime.now(UTC).replace(tzinfo=None), source, *counts)
        row += (__version__,)
        _insert_version(con, row)
        if hook is not None:
            hook(con, version)
        con.execute("checkpoint")
    return row


def _previous_folder(link: Path) -> str | None:
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _served_folder(link: Path) -> Path | None:
    """The Parquet folder readers see now (its unchanged partitions are reused)."""
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def published_is_current(work_db: Path, serving_db: Path) -> bool:
    """True when the serving file holds the last version published from the work file."""
    with connect(work_db, read_only=True) as con:
        last = _last_version(con)
    return last > 0 and served_version(serving_db) == last


def publish(
    work_db: Path,
    serving_db: Path,
    *,
    source_dir: Path | None,
    dbt_docs_page: Path | None = None,
    stamp_hook: StampHook | None = None,
) -> Publication:
    """Publish the work file's current (validated) state as the next served version.
    ``stamp_hook(con, version)`` runs on the staged copy before it is served."""
    work_db, serving_db = Path(work_db).resolve(), Path(serving_db).resolve()
    version = max(_checkpoint(work_db), served_version(serving_db) or 0) + 1
    parquet_link = parquet_dir(serving_db)
    parquet_folder = parquet_link.with_name(f"{parquet_link.name}.v{version}")
    report = report_dir(serving_db) / "index.html"
    docs = dbt_docs_dir(serving_db) / "index.html"
    for folder in (serving_db.parent, report.parent, docs.parent):
        folder.mkdir(parents=True, exist_ok=True)

    # everything is written beside its target before the first rename
    staged_db = staging_name(serving_db, f"v{version}")
    staged_parquet = staging_name(parquet_folder, "new")
    staged_report = staging_name(report, "new")
    staged_docs = staging_name(docs, "new")
    try:
        shutil.copyfile(work_db, staged_db)
        row = _stamp(staged_db, version, source_dir, stamp_hook)
        with connect(staged_db, read_only=True) as con:
            export_marts(con, staged_parquet, previous=_served_folder(parquet_link))
            staged_report.write_text(render_report(con), encoding="utf-8")
        if dbt_docs_page:
            shutil.copyfile(dbt_docs_page, staged_docs)
    except BaseException:
        discard(staged_db, staged_parquet, staged_report, staged_docs)
        raise

    # the swap: renames only. A WAL beside the serving file can only be left by a crashed
    # writer from before builds had a work file; DuckDB would replay it onto the new file.
    serving_db.with_name(serving_db.name + ".wal").unlink(missing_ok=True)
    os.replace(staged_db, serving_db)
    previous = _previous_folder(parquet_link)
    discard(parquet_folder)  # left by an interrupted earlier run
    os.replace(staged_parquet, parquet_folder)
    switch_link(parquet_link, parquet_folder)
    # the previous export stays one version longer for readers in the middle of a scan
    keep = {parquet_folder.name, previous or parquet_folder.name}
    prune_versions(parquet_link.parent, f"{parquet_link.name}.v", keep)
    os.replace(staged_report, report)
    if dbt_docs_page:
        os.replace(staged_docs, docs)
    with connect(work_db) as con:  # the work file numbers the next version
        _insert_version(con, row)
    return Publication(
        version=version,
        published_at=row[1],
        serving_db=serving_db,
        parquet=parquet_link,
        report=report,
        dbt_docs=docs if dbt_docs_page else None,
    )
