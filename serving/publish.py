"""Publish a validated build to the serving file that analysts and BI tools open.

`xxgk run` builds in a work file beside the serving file (``<name>.build.duckdb``, see
:func:`core.paths.work_db_path`); only the run opens it. Publishing a build takes three steps:

1. :func:`reserve_version` checkpoints and closes the work file and numbers the next version;
2. :func:`stage` reads the work file: the version's row counts (for ``meta.published``, so a
   reader can check in one statement that what it reads is one version), its marts in
   Parquet and its HTML report, each written beside what it will replace. It only reads the
   work file, so it can run while the Great Expectations gate reads it too;
3. once the gate passed, :func:`commit` writes the publication's journal (serving/journal.py:
   every rename to come), stamps the version into the work file (the commit point), makes
   it read-only (mode 0444) and renames it over the serving file (``os.replace``): the build
   *becomes* the served version, no copy of the warehouse is written. Then it switches the
   Parquet folder (the ``<name>.parquet`` link, and the ``<name>.parquet.current`` pointer
   that readers follow to the version's folder and its manifest, serving/reader.py) and
   replaces the report and dbt docs pages the same way, seals the
   serving file (its checksum, serving/integrity.py) and removes the journal. A process
   that dies on the way leaves the journal: the next builder completes the version, or
   rolls it back if it was not stamped. :func:`discard_staged` removes a staged version the
   gate refused.

:func:`publish` does the three at once. A reader therefore opens either the old complete
file or the new one, and never waits: no process ever opens the serving file for writing
(it is read-only, and a run refuses to publish while one holds it open for writing,
serving/recovery.py). If anything fails before the stamp, the staged files are removed and
the served version stays as it was. After a swap there is no work file: the next run
starts one as a copy of the serving file (serving/work_file.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core import __version__
from core.environment import ReportLanguage
from core.faults import kill_point
from core.paths import dbt_docs_dir, parquet_dir, parquet_pointer, report_dir
from ingest.db import connect
from serving.files import discard, staging_name, write_whole
from serving.integrity import seal_path
from serving.journal import Journal, begin, finish, run_steps
from serving.parquet import export_marts
from serving.report import render_report
from transform.build_state import record_publication

SERVED_MODE = 0o444  # the serving file is never written: an accidental writer fails at once

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


def what_is_served(serving_db: Path) -> str:
    """After a failed run: the serving file was not touched; say which version it holds."""
    version = served_version(serving_db)
    if version:
        return f"serving file left at version {version}: {serving_db}"
    if serving_db.exists():
        return f"serving file left unchanged: {serving_db}"
    return f"nothing published yet: no serving file at {serving_db}"


def _checkpoint(work_db: Path) -> int:
    """Flush the WAL into the file (its readers, the gate and staging, see one complete
    file); returns the last version the work file records as published."""
    with connect(work_db) as con:
        con.execute("checkpoint")
        return _last_version(con)


StampHook = Callable[[duckdb.DuckDBPyConnection, int], None]


def _version_row(con: duckdb.DuckDBPyConnection, version: int, source_dir: Path | None) -> tuple:
    """``version``'s meta.published row, with the row counts of the warehouse ``con`` reads."""
    counts = con.execute(COUNTS_SQL).fetchone() or ()
    source = str(source_dir) if source_dir else "(no new files: landed documents)"
    row = (version, datetime.now(UTC).replace(tzinfo=None), source, *counts)
    return row + (__version__,)


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


def reserve_version(work_db: Path, serving_db: Path) -> int:
    """Checkpoint the work file, so that its readers see one complete file, and return the
    number the next version will have. The work file must not change again until
    :func:`commit` (the flow's last write to it before staging)."""
    return max(_checkpoint(Path(work_db)), served_version(Path(serving_db)) or 0) + 1


@dataclass(frozen=True)
class StagedVersion:
    """A version written beside what it will replace, not yet served: :func:`commit` serves
    it, :func:`discard_staged` removes it. Each staged path is a hidden sibling of its target
    named after this process (serving/files.py ``staging_name``)."""

    version: int
    work_db: Path  # becomes the serving file at :func:`commit`
    serving_db: Path
    with_docs: bool  # a dbt docs page is staged too
    row: tuple = ()  # its meta.published row (counted at staging, written at commit)

    @property
    def parquet_link(self) -> Path:
        """What readers open: a link to the version's Parquet folder."""
        return parquet_dir(self.serving_db)

    @property
    def parquet_folder(self) -> Path:
        link = self.parquet_link
        return link.with_name(f"{link.name}.v{self.version}")

    @property
    def served_report(self) -> Path:
        return report_dir(self.serving_db) / "index.html"

    @property
    def served_docs(self) -> Path:
        return dbt_docs_dir(self.serving_db) / "index.html"

    @property
    def served_pointer(self) -> Path:
        """What file readers read first: the name of the version's Parquet folder."""
        return parquet_pointer(self.serving_db)

    @property
    def parquet(self) -> Path:
        return staging_name(self.parquet_folder, "new")

    @property
    def pointer(self) -> Path:
        return staging_name(self.served_pointer, "new")

    @property
    def report(self) -> Path:
        return staging_name(self.served_report, "new")

    @property
    def docs(self) -> Path | None:
        return staging_name(self.served_docs, "new") if self.with_docs else None


def stage(
    work_db: Path,
    serving_db: Path,
    version: int,
    *,
    source_dir: Path | None,
    dbt_docs_page: Path | None = None,
    lang: ReportLanguage | None = None,
) -> StagedVersion:
    """Write ``version`` beside its targets: its marts in Parquet, its HTML report (in
    ``lang``, by default XXGK_REPORT_LANG's) and the dbt docs page; count its rows for
    meta.published. Only reads the work file (another
    process may be reading it too, e.g. the Great Expectations gate). Nothing is served;
    on failure nothing is left behind."""
    work_db, serving_db = Path(work_db).resolve(), Path(serving_db).resolve()
    staged = StagedVersion(version, work_db, serving_db, with_docs=dbt_docs_page is not None)
    for folder in (serving_db.parent, staged.served_report.parent, staged.served_docs.parent):
        folder.mkdir(parents=True, exist_ok=True)
    try:
        with connect(work_db, read_only=True) as con:
            row = _version_row(con, version, source_dir)
            previous = _served_folder(staged.parquet_link)
            export_marts(con, staged.parquet, previous=previous, version=version)
            published = {"version": version, "published_at": row[1]}
            page = render_report(con, published, serving_db=serving_db, lang=lang)
            staged.report.write_text(page, encoding="utf-8")
        if dbt_docs_page and staged.docs:
            shutil.copyfile(dbt_docs_page, staged.docs)
        write_whole(staged.pointer, staged.parquet_folder.name + "\n")
    except BaseException:
        discard_staged(staged)
        raise
    return replace(staged, row=row)


def discard_staged(staged: StagedVersion) -> None:
    """Remove what :func:`stage` wrote; the served version stays as it was."""
    docs = [staged.docs] if staged.docs else []
    discard(staged.parquet, staged.pointer, staged.report, *docs)


def _journal(staged: StagedVersion) -> Journal:
    """The renames that serve ``staged``, in order: the database first."""
    journal = Journal(staged.version, str(staged.serving_db), str(staged.work_db))
    journal.replace(staged.work_db, staged.serving_db)
    link, folder = staged.parquet_link, staged.parquet_folder
    journal.replace(staged.parquet, folder)
    journal.link(link, folder)
    journal.replace(staged.pointer, staged.served_pointer)
    # the previous export stays one version longer for readers in the middle of a scan
    journal.prune(link.parent, f"{link.name}.v", [folder.name, _previous_folder(link) or ""])
    journal.replace(staged.report, staged.served_report)
    if staged.docs:
        journal.replace(staged.docs, staged.served_docs)
    journal.seal()
    return journal


def _between_swaps(step: int) -> None:
    if step == 0:  # the work file is the serving file now
        kill_point("between_db_and_parquet_swap")


def commit(staged: StagedVersion, stamp_hook: StampHook | None = None) -> Publication:
    """Serve a staged version, as one recoverable transaction (serving/journal.py). The
    journal is written first; then the work file records the version in meta.published, its
    builds as published (transform/build_state.py) and what ``stamp_hook(con, version)`` writes
    (e.g. the run's row), in one transaction: the commit point. Then the renames: the work
    file becomes the serving file, and a reader opens the old complete file or the new one."""
    journal = _journal(staged)
    try:
        begin(journal)
        with connect(staged.work_db) as con:
            con.begin()  # closing the connection rolls back a failed stamp
            _insert_version(con, staged.row)
            record_publication(con)
            if stamp_hook is not None:
                stamp_hook(con, staged.version)
            con.commit()
            con.execute("checkpoint")  # the renamed file holds everything, no WAL beside it
    except BaseException:
        discard_staged(staged)
        finish(staged.serving_db)
        raise
    os.chmod(staged.work_db, SERVED_MODE)
    run_steps(journal, after_step=_between_swaps)
    seal_path(staged.work_db).unlink(missing_ok=True)  # the work file is the serving file now
    finish(staged.serving_db)
    return Publication(
        version=staged.version,
        published_at=staged.row[1],
        serving_db=staged.serving_db,
        parquet=staged.parquet_link,
        report=staged.served_report,
        dbt_docs=staged.served_docs if staged.docs else None,
    )


def publish(
    work_db: Path,
    serving_db: Path,
    *,
    source_dir: Path | None,
    dbt_docs_page: Path | None = None,
    stamp_hook: StampHook | None = None,
) -> Publication:
    """Publish the work file's current (validated) state as the next served version:
    :func:`reserve_version`, :func:`stage` and :func:`commit` in one go."""
    version = reserve_version(work_db, serving_db)
    staged = stage(work_db, serving_db, version, source_dir=source_dir, dbt_docs_page=dbt_docs_page)
    return commit(staged, stamp_hook)
