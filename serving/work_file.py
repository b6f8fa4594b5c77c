"""The work file a run builds in: a copy of the serving file, since publishing renames the
last work file into the serving file (serving/publish.py). Light to import: `xxgk run`
starts the copy before it imports anything else.

One process at a time builds a warehouse: :func:`build_lock` holds ``<name>.build.lock``
beside the serving file (an advisory ``flock``, released when the process ends however it
ends) for as long as the process may write the work file: the whole `xxgk run`, `reparse`
or `retire`, the whole life of `xxgk watch`, each run of the scheduled deployment. Another
process that wants to build fails at once with :class:`WarehouseBusy`, naming the holder,
instead of interleaving its steps with the holder's in the same work file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from core.faults import kill_point
from serving.files import discard, staging_name
from serving.integrity import seal_work


class WarehouseBusy(RuntimeError):
    """Another process builds the warehouse (holds its build lock)."""


def build_lock_path(serving_db: Path) -> Path:
    """``<name>.build.lock`` beside the serving file ``<name>.duckdb``."""
    serving_db = Path(serving_db).resolve()
    return serving_db.with_name(f"{serving_db.stem}.build.lock")


@contextmanager
def build_lock(serving_db: Path, holder: str) -> Iterator[None]:
    """Hold the build lock of the warehouse served at ``serving_db`` inside the block;
    ``holder`` (e.g. the command) is written into the lock file for the message another
    process gets. Raises :class:`WarehouseBusy` when another process holds it."""
    path = build_lock_path(serving_db)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held_by = os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
            raise WarehouseBusy(
                f"another process is building this warehouse ({held_by or 'unknown'}); "
                f"wait for it to end, or stop it (lock: {path})"
            ) from None
        since = datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{holder}, pid {os.getpid()}, since {since}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock; the file stays (removing it would race)


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
        # the serving file alone: a WAL beside it is a foreign writer's, never replayed
        # (serving/recovery.py moves it aside)
        shutil.copyfile(serving_db, copy)
        kill_point("during_work_copy")
        _flush(copy)
        os.replace(copy, work_db)
    except BaseException:
        discard(copy)
        raise
    seal_work(work_db)  # as the serving file it copies: the next check need not read it
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
