"""`xxgk doctor`: the state of a warehouse's files, and how to recover from what is wrong.

It looks at everything a run builds on (serving/recovery.py does the same before each
run): the serving file (its seal, mode, a writer holding it, a WAL beside it), what is
published beside it (the Parquet link, the report), the work file, an interrupted
publication, files dead processes left, the build lock, runs that died before recording
themselves, and the documents held back. Each finding says what to do.

``--repair`` does it, holding the build lock: it completes or rolls back an interrupted
publication, removes what dead processes left, moves a WAL or a damaged work file aside,
and rebuilds a damaged serving file **from its own raw tables** (every fact in the marts
is derived from them): the raw tables, the landed-file index, the version history and the
audit tables that still read are copied into a new work file, the parse tables are
recomputed from the landed text when one of them does not read, and a full build is
validated and published as the next version.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.paths import dbt_docs_dir, parquet_dir, report_dir, work_db_path
from core.safe_output import for_terminal
from flows.run_history import announced_runs
from serving.files import leftover_staged_files, staging_name
from serving.integrity import Health, check_serving, check_work, is_damage, seal_work
from serving.journal import Journal, journal_path
from serving.recovery import published_version, writer_of
from serving.work_file import build_lock_path


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was looked at, its state, and what to do (if anything)."""

    subject: str
    state: str
    advice: str = ""

    @property
    def ok(self) -> bool:
        return not self.advice


def _lock_holder(serving_db: Path) -> str | None:
    """Who holds the build lock (the text the holder wrote), or None when it is free."""
    import fcntl

    path = build_lock_path(serving_db)
    if not path.exists():
        return None
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip() or "unknown"
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    finally:
        os.close(descriptor)


REBUILD = "`xxgk doctor --repair` rebuilds it from the raw tables it carries"


def _serving(serving_db: Path, health: Health) -> list[Finding]:
    if health.status == "missing":
        return [Finding("serving file", "none yet (nothing published)")]
    findings = []
    if health.damaged:
        findings.append(Finding("serving file", f"DAMAGED: {health.detail}", REBUILD))
    else:
        version = published_version(serving_db)
        findings.append(Finding("serving file", f"version {version}, {health.status}"))
    mode = stat.S_IMODE(os.stat(serving_db).st_mode)
    if mode & 0o222:
        findings.append(
            Finding(
                "mode",
                f"{mode:o}: writable",
                "the next publication makes it read-only (0444); `chmod 444` it meanwhile",
            )
        )
    writer = writer_of(serving_db)
    if writer is not None:
        findings.append(
            Finding(
                "writer",
                f"process {writer} holds it open for writing",
                "close that connection: a run will not publish while it is open",
            )
        )
    wal = serving_db.with_name(serving_db.name + ".wal")
    if wal.exists():
        findings.append(
            Finding(
                "WAL",
                f"{wal.name} beside it: a process wrote the serving file",
                "`xxgk doctor --repair` (or the next run) moves it aside; it is never replayed",
            )
        )
    return findings


def _sidecars(serving_db: Path, version: int | None) -> list[Finding]:
    link = parquet_dir(serving_db)
    target = os.readlink(link) if link.is_symlink() else None
    expected = f"{link.name}.v{version}"
    if version is None:
        return []
    state = f"parquet -> {target}" if target else "parquet: missing"
    advice = "" if target == expected else f"expected {expected}: the next publication writes it"
    report = report_dir(serving_db) / "index.html"
    found = [Finding("published files", state, advice)]
    if not report.is_file():
        found.append(Finding("report", "missing", "the next publication writes it"))
    return found


def _work(work_db: Path) -> list[Finding]:
    health = check_work(work_db)
    if health.status == "missing":
        return [Finding("work file", "none (the next run copies the serving file)")]
    if health.damaged:
        return [
            Finding(
                "work file",
                f"DAMAGED: {health.detail}",
                "`xxgk doctor --repair` (or the next run) moves it aside and starts again "
                "from the served version",
            )
        ]
    return [Finding("work file", f"{health} (kept by a failed or unchanged run)")]


def _leftovers(serving_db: Path, publishing: set[Path]) -> list[Finding]:
    """Staged files of dead processes (not those an interrupted publication moves in)."""
    folders = {serving_db.parent, report_dir(serving_db), dbt_docs_dir(serving_db)}
    found = [
        path
        for folder in folders
        if folder.is_dir()
        for path in leftover_staged_files(folder)
        if path not in publishing
    ]
    if not found:
        return []
    names = ", ".join(path.name for path in found[:3])
    return [
        Finding(
            "leftovers",
            f"{len(found)} files dead processes left half written ({names})",
            "`xxgk doctor --repair` (or the next run) removes them",
        )
    ]


def _held_back(db: Path) -> list[Finding]:
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute("select count(*) from raw.held_back").fetchone()
    except duckdb.Error:
        return []
    count = int(row[0]) if row else 0
    if not count:
        return []
    return [
        Finding(
            "held back",
            f"{count} documents (select * from raw.held_back): a new version of the file, "
            "or another parser version, ends a hold",
        )
    ]


def examine(serving_db: Path, *, holding_lock: bool = False) -> list[Finding]:
    """Every finding about the warehouse served at ``serving_db`` (``holding_lock``: this
    process holds the build lock, as after a repair)."""
    serving_db = Path(serving_db).resolve()
    work_db = work_db_path(serving_db)
    findings: list[Finding] = []
    holder = None if holding_lock else _lock_holder(serving_db)
    if holder:
        findings.append(Finding("build lock", f"held: {holder} (a build is in progress)"))
    journal = journal_path(serving_db)
    switching = Journal.read(journal) if journal.exists() else None
    if switching is not None:
        findings.append(
            Finding(
                "publication",
                f"of version {switching.version} interrupted ({journal.name})",
                "`xxgk doctor --repair` (or the next run) completes it or rolls it back",
            )
        )
        # half switched: the serving file may be the new version, not yet sealed
        health = Health("intact", "being switched") if serving_db.exists() else Health("missing")
    else:
        health = check_serving(serving_db)
    findings += _serving(serving_db, health)
    if not health.damaged:
        findings += _sidecars(serving_db, published_version(serving_db))
    findings += _work(work_db)
    findings += _leftovers(serving_db, set(switching.staged()) if switching else set())
    pending = announced_runs(serving_db)
    if pending:
        findings.append(
            Finding(
                "runs",
                f"{len(pending)} not recorded in audit.runs yet (they failed or died before "
                "writing their row): the next run records them",
            )
        )
    readable = work_db if work_db.exists() else serving_db
    if not health.damaged or readable == work_db:
        findings += _held_back(readable)
    return findings


def report(findings: list[Finding], say: Callable[[str], None]) -> bool:
    """Print the findings; True when nothing needs doing."""
    width = max((len(f.subject) for f in findings), default=10)
    for finding in findings:
        say(f"{finding.subject:<{width}}  {for_terminal(finding.state)}")
        if finding.advice:
            say(f"{'':<{width}}  -> {for_terminal(finding.advice)}")
    healthy = all(f.ok for f in findings)
    say("healthy" if healthy else "needs attention (see ->)")
    return healthy


# what a rebuild copies out of a damaged serving file: everything not derived by dbt
KEPT_SCHEMAS = ("raw", "audit")
KEPT_META = ("landed_files", "published")
PARSE_TABLES = ("report_attributes", "cells", "unmapped_labels", "prose_numbers")


def rebuild_work_file(serving_db: Path, say: Callable[[str], None]) -> Path:
    """A new work file holding what the damaged serving file's raw tables, landed-file
    index, version history and audit still read; the marts are rebuilt from them by the
    next run (a full refresh: no build state is copied)."""
    from ingest.db import ensure_raw_schema

    serving_db = Path(serving_db).resolve()
    work_db = work_db_path(serving_db)
    staged = staging_name(work_db, "rebuild")
    staged.unlink(missing_ok=True)
    with duckdb.connect(str(staged)) as con:
        source = "damaged_serving_file"
        literal = "'" + str(serving_db).replace("'", "''") + "'"
        try:
            con.execute(f"attach {literal} as {source} (read_only)")
        except duckdb.Error as exc:
            raise RuntimeError(
                f"the damaged serving file cannot be opened ({exc}): rebuild from the inbox "
                f"instead (move {serving_db.name} aside, then `xxgk run --input INBOX`)"
            ) from exc
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ? "
            "and (schema_name in (select unnest(?)) "
            "or (schema_name = 'meta' and table_name in (select unnest(?))))",
            [source, list(KEPT_SCHEMAS), list(KEPT_META)],
        ).fetchall()
        unreadable = []
        for schema, table in tables:
            con.execute(f'create schema if not exists "{schema}"')
            try:
                con.execute(
                    f'create table "{schema}"."{table}" as '
                    f'select * from {source}."{schema}"."{table}"'
                )
            except duckdb.Error as exc:
                if not is_damage(exc):
                    raise
                unreadable.append(f"{schema}.{table}")
        if "raw.documents" in unreadable:
            raise RuntimeError(
                "raw.documents cannot be read from the damaged serving file: rebuild from the "
                f"inbox instead (move {serving_db.name} aside, then `xxgk run --input INBOX`)"
            )
        if any(f"raw.{table}" in unreadable for table in PARSE_TABLES):
            for table in PARSE_TABLES:  # parsed again from the landed text, all together
                con.execute(f"drop table if exists raw.{table}")
        con.execute("detach " + source)
        ensure_raw_schema(con)
        if unreadable:
            say(f"not readable, rebuilt instead: {', '.join(unreadable)}")
    os.replace(staged, work_db)
    seal_work(work_db)
    return work_db


def repair(serving_db: Path, say: Callable[[str], None], run: Callable[[], int]) -> int:
    """Do what the findings advise (the caller holds the build lock): the checks before a
    run (serving/recovery.py), and a damaged serving file rebuilt from its raw tables and
    published by ``run()`` (a refresh without an input directory)."""
    from serving.recovery import ServingFileDamaged, prepare_build

    serving_db = Path(serving_db).resolve()
    try:
        preparation = prepare_build(serving_db)
    except ServingFileDamaged as exc:
        say(f"repair:   {exc}")
        work = rebuild_work_file(serving_db, say)
        say(f"repair:   a new work file from the raw tables: {work.name}; building it in full")
        return run()
    for note in preparation.notes:
        say(f"repair:   {note}")
    if preparation.serving_damaged:  # the work file is whole: publishing it replaces it
        return run()
    say("repair:   done")
    return 0
