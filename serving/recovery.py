"""What a builder does before it builds: finish what a dead process left, refuse what it
must not build on.

:func:`prepare_build` runs first in every run, holding the build lock (so no other builder
is alive), before the work file is opened or copied:

1. a publication left half done (its journal) is completed or rolled back
   (serving/journal.py);
2. hidden staged files of dead processes are removed (an interrupted work-file copy is as
   large as the warehouse);
3. a WAL beside the serving file (only a writer that should not exist leaves one) is moved
   aside, never replayed into a version;
4. a process holding the serving file open for writing stops the run: publishing over it
   would hand that writer's log to the new file;
5. a damaged serving file stops the run, unless a work file can replace it; a damaged work
   file is moved aside and the run starts again from the served version
   (serving/integrity.py).
"""

from __future__ import annotations

import fcntl
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.paths import dbt_docs_dir, report_dir, work_db_path
from serving.files import discard, leftover_staged_files, set_aside_wal
from serving.integrity import check_serving, check_work, seal_path
from serving.journal import recover


class ServingFileInUse(RuntimeError):
    """A process holds the serving file open for writing."""


class ServingFileDamaged(RuntimeError):
    """The serving file is damaged and no work file can replace it."""


def published_version(db: Path) -> int | None:
    """The last version the DuckDB file ``db`` records as published (None: none, or it
    cannot be read)."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute("select max(version) from meta.published").fetchone()
    except duckdb.Error:
        return None
    return int(row[0]) if row and row[0] is not None else None


_FLOCK = "hhqqi4x"  # struct flock on Linux: type, whence, start, len, pid


def writer_of(path: Path) -> int | None:
    """The pid of a process holding a write lock on ``path`` (a read-write DuckDB
    connection), or None."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        query = struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(descriptor, fcntl.F_GETLK, query))
    finally:
        os.close(descriptor)
    return pid if kind == fcntl.F_WRLCK else None


def in_use_message(serving_db: Path, pid: int) -> str:
    return (
        f"process {pid} has the serving file open for writing: {serving_db}. No process may "
        "write it (open it read-only: duckdb.connect(path, read_only=True)); publishing over "
        "it would hand that process's log to the new version. Close that connection, or end "
        "the process, and run again"
    )


@dataclass(frozen=True)
class Preparation:
    """What :func:`prepare_build` found and did: a sentence each."""

    notes: list[str]
    serving_damaged: bool = False  # the run must publish (from the work file) to repair it


def prepare_build(serving_db: Path) -> Preparation:
    """Steps 1-5 above. Raises :class:`ServingFileInUse` or :class:`ServingFileDamaged`."""
    serving_db = Path(serving_db).resolve()
    work_db = work_db_path(serving_db)
    notes: list[str] = []
    recovered = recover(serving_db, published_version)
    if recovered is not None:
        notes.append(str(recovered))
    leftovers = [
        path
        for folder in {serving_db.parent, report_dir(serving_db), dbt_docs_dir(serving_db)}
        if folder.is_dir()
        for path in leftover_staged_files(folder)
    ]
    if leftovers:
        discard(*leftovers)
        names = ", ".join(path.name for path in leftovers[:3])
        files = "file" if len(leftovers) == 1 else "files"
        notes.append(f"removed {len(leftovers)} {files} a dead process left half written ({names})")
    aside = set_aside_wal(serving_db)
    if aside is not None:
        notes.append(
            f"a write-ahead log was beside the serving file (a process wrote it): moved to "
            f"{aside.name}, not replayed"
        )
    writer = writer_of(serving_db) if serving_db.exists() else None
    if writer is not None:
        raise ServingFileInUse(in_use_message(serving_db, writer))
    damaged = _check_files(serving_db, work_db, notes)
    return Preparation(notes, serving_damaged=damaged)


def _check_files(serving_db: Path, work_db: Path, notes: list[str]) -> bool:
    """Check both files (notes on what was found); True when the serving file is damaged."""
    work = check_work(work_db)
    if work.damaged:
        aside = set_aside_damaged(work_db)
        notes.append(
            f"the work file was damaged ({work.detail}): moved to {aside.name}; this run "
            "starts again from the served version (what it held beyond that is landed again "
            "from the inbox)"
        )
    serving = check_serving(serving_db)
    if serving.damaged:
        if not work_db.exists():
            raise ServingFileDamaged(
                f"the serving file is damaged: {serving.detail}. Nothing was built. "
                f"`xxgk doctor --db {serving_db}` says how to recover (rebuilding it from "
                "the raw tables it carries)"
            )
        notes.append(
            f"the serving file is damaged ({serving.detail}): the version this run publishes "
            "from the work file replaces it"
        )
    return serving.damaged


def set_aside_damaged(db: Path) -> Path:
    """Move a damaged DuckDB file (and its WAL and seal) to ``<name>.damaged<suffix>``,
    replacing an earlier one: kept for a look, out of every run's way."""
    aside = db.with_name(f"{db.stem}.damaged{db.suffix}")
    os.replace(db, aside)
    for path in (db.with_name(db.name + ".wal"), seal_path(db)):
        discard(path)
    return aside
