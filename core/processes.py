"""Fresh worker processes for the steps whose memory must not stay in the run's process.

A step run in :func:`fresh_process` gives all its memory back when the process exits: each
batch of a batched dbt full refresh (transform/dbt_runner.py), and the Great Expectations gate of
a refresh (flows/refresh.py), which at 100k reports holds about 1.2 GiB that Python keeps
after the step (the gate then publishing in one process peaked at 1.9 GiB, publishing
alone at 0.9 GiB).

A long-lived caller (`xxgk watch`, xxgk/watch.py) keeps one such process for the runs it
makes (:func:`kept_process`, handed to each run in its RunContext), with its module loaded
once instead of once per run; it is renewed after a run that may have left it large or
broken (:meth:`KeptProcess.renew`).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

R = TypeVar("R")


class StepProcessDied(RuntimeError):
    """The process running a step ended without an answer (killed, or out of memory)."""


PARENT_CHECK_SECONDS = 0.2


def _end_with_parent(parent: int) -> None:
    """Exit this worker once the process that started it has ended. A pool's worker waits for
    its next call as long as the pipe it reads from is open, and it holds that pipe's other
    end itself: without this, a worker whose parent exited without shutting the pool down
    (``os._exit``, a kill) would wait forever, holding the parent's stdout open."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="end with parent", daemon=True).start()


def fresh_process() -> ProcessPoolExecutor:
    """One worker process, a fresh interpreter (spawn: no copy of this process's memory)
    with this process's current environment (XXGK_DUCKDB_MEMORY_LIMIT, dbt's and Prefect's
    settings). It starts with the first submitted call, and ends with this process if it
    is not shut down first."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_end_with_parent,
        initargs=(os.getpid(),),
    )


def release(process: ProcessPoolExecutor, *, failed: bool) -> None:
    """Shut ``process`` down: at once after a run's steps went well (it exits on its own
    while the run goes on), but after a failure wait for the call it may still be running
    (a :func:`preload`). Exiting while the worker is busy can end in a hang: the exit
    handlers close the pool's call queue before the pool queues the worker's stop signal,
    and then wait for a worker that never gets it."""
    process.shutdown(wait=failed, cancel_futures=True)


def preload(process: ProcessPoolExecutor, module: str) -> Future[object]:
    """Start ``process`` now and import ``module`` in it, so a later call finds it loaded
    (the import runs beside whatever this process does meanwhile)."""
    return process.submit(_import, module)


def run_in(
    process: ProcessPoolExecutor, step: str, call: Callable[..., R], *args: Any, **kwargs: Any
) -> R:
    """``call(*args, **kwargs)`` in ``process``; its exceptions come back as they are, and a
    process that dies names the ``step`` (:class:`StepProcessDied`)."""
    try:
        return process.submit(call, *args, **kwargs).result()
    except BrokenProcessPool as exc:
        raise StepProcessDied(
            f"{step}: its process ended without an answer (killed, or out of memory? "
            "XXGK_DUCKDB_MEMORY_LIMIT bounds DuckDB's share)"
        ) from exc


def _import(module: str) -> None:
    importlib.import_module(module)


class KeptProcess:
    """A :func:`fresh_process` kept across runs, with ``module`` preloaded in it."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.process = self._start()

    def _start(self) -> ProcessPoolExecutor:
        process = fresh_process()
        preload(process, self.module)
        return process

    def renew(self) -> None:
        """Replace the process by a fresh one (its memory goes back to the system), after a
        step that held much memory in it or failed while it ran there."""
        release(self.process, failed=True)
        self.process = self._start()

    def close(self) -> None:
        release(self.process, failed=True)


@contextmanager
def kept_process(module: str) -> Iterator[KeptProcess]:
    """A process with ``module`` loaded, started now, for the runs the caller hands it to
    (``RunContext.gate``, flows/context.py); shut down on exit."""
    kept = KeptProcess(module)
    try:
        yield kept
    finally:
        kept.close()
