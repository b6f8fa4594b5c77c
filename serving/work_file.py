"""The work file a run builds in: a copy of the serving file, since publishing renames the
last work file into the serving file (serving/publish.py). Light to import: `xxgk run`
starts the copy before it imports anything else."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from serving.files import discard, staging_name


def adopt_serving_file(work_db: Path, serving_db: Path) -> bool:
    """Start the work file as a copy of the serving file (publishing renamed the last work
    file into it), so the next build continues from what is served and its raw.* keep runs
    incremental. True when copied; nothing happens when a work file exists or nothing is
    served. The copy is written under a hidden name and renamed into place, so an
    interrupted copy never leaves a partial work file."""
    work_db, serving_db = Path(work_db), Path(serving_db)
    if work_db.exists() or not serving_db.is_file():
        return False
    copy = staging_name(work_db, "copy")
    try:
        shutil.copyfile(serving_db, copy)
        wal = serving_db.with_name(serving_db.name + ".wal")
        if wal.exists():  # left by a writer from before builds had a work file: its changes
            shutil.copyfile(wal, copy.with_name(work_db.name + ".wal"))  # belong to the copy
        _flush(copy)
        os.replace(copy, work_db)
    except BaseException:
        discard(copy)
        raise
    return True


def _flush(path: Path) -> None:
    """Write ``path`` through to the disk. The rename that follows then never names a file
    whose data a crash could lose; and the run's first commit to the work file does not wait
    for the copy's writeback (ext4 writes a file's pending data with the next journal commit),
    which happens here instead, while Prefect's server starts."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def adopt_serving_file_ahead(
    work_db: Path, serving_db: Path, after: Callable[[], None] | None = None
) -> Future[bool]:
    """:func:`adopt_serving_file` in a thread, once ``after()`` returns: the copy mostly
    waits for the disk, so `xxgk run` makes it while Prefect's server starts, after its own
    imports (the copy's memory traffic then takes no core from them). Wait for the result
    before anything opens the work file (and before the process exits: an interrupted copy
    leaves a hidden file)."""

    def copy() -> bool:
        if after is not None:
            after()
        return adopt_serving_file(work_db, serving_db)

    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="adopt serving file")
    adopted = thread.submit(copy)
    thread.shutdown(wait=False)
    return adopted
