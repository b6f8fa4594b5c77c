"""Extraction in worker processes, so a file that hangs or explodes a parser can be stopped.

Plain text is decoded in-process (its size is capped before reading). PDF, DOCX and HTML go
through third-party parsers: they run in a pool of worker processes (one per CPU by default,
XXGK_EXTRACT_WORKERS; started on first use, `forkserver` so nothing of the parent's threads or
open database is inherited). :meth:`ExtractionWorker.extract_in_order` keeps a few files per
worker in flight (a worker that finishes a file gets the next at once) and hands the results
back in the order the files came in. A file that takes
longer than the limit is quarantined with that reason: the pool is killed, and the other files
that were in flight are submitted again to a new pool, each with its full time limit.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import Generic, TypeVar

from ingest.extract import Extraction, ExtractionError, extract_bytes
from ingest.limits import IngestLimits

IN_PROCESS = frozenset({".txt"})
IN_FLIGHT_PER_WORKER = 2  # files read ahead per worker process (their bytes stay in memory)
MAX_WINDOW = 256  # files read ahead in all, counting those with nothing to extract

K = TypeVar("K")
Outcome = Extraction | Exception  # a file's text, or why there is none


def _extract(data: bytes, suffix: str, limits: IngestLimits) -> Extraction:
    return extract_bytes(data, suffix, limits)


def _extract_here(data: bytes, suffix: str, limits: IngestLimits) -> Outcome:
    """Extraction in this process; a failure is returned, not raised."""
    try:
        return extract_bytes(data, suffix, limits)
    except Exception as exc:  # a damaged file can break a parser in any way
        return exc


def _finished(pending: AsyncResult) -> Outcome:
    """The outcome of a task known to be ready."""
    try:
        return pending.get(timeout=0)
    except Exception as exc:  # raised by the parser in the worker
        return exc


@dataclass
class _InFlight(Generic[K]):
    """A file read ahead: its bytes until its outcome is known, then the outcome."""

    key: K
    data: bytes | None  # None: nothing to extract, or its outcome is known
    suffix: str
    pending: AsyncResult | None = None  # set while a worker process extracts it
    outcome: Outcome | None = None


class _Window(Generic[K]):
    """The files read ahead from ``source``, in order, and how many of them hold their bytes.

    A file holds its bytes until its outcome is known: a worker process's task has settled
    (:meth:`settle`), or the file reaches the head (extracted here). Only the files holding
    bytes count against the read-ahead limit, so a worker that finishes a file gets the next
    one at once, however long the file at the head takes. Workers' tasks set
    :attr:`settled` as they finish."""

    def __init__(self, source: Iterator[tuple[K, bytes | None, str]]) -> None:
        self.items: deque[_InFlight[K]] = deque()
        self.source = source
        self.exhausted = False
        self.holding = 0
        self.settled = threading.Event()

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[_InFlight[K]]:
        return iter(self.items)

    def fill(self, submit: Callable[[_InFlight[K]], _InFlight[K]], limit: int) -> None:
        """Read ``source`` while fewer than ``limit`` files hold their bytes (and fewer than
        MAX_WINDOW are read ahead), handing each to ``submit``."""
        while not self.exhausted and len(self.items) < MAX_WINDOW and self.holding < limit:
            try:
                key, data, suffix = next(self.source)
            except StopIteration:
                self.exhausted = True
                return
            self.items.append(submit(_InFlight(key, data, suffix)))
            self.holding += data is not None

    def settle(self) -> None:
        """Keep the outcome of every task that has finished, and let go of its bytes."""
        self.settled.clear()  # a task finishing from here on wakes the next wait
        for item in self.items:
            if item.pending is not None and item.pending.ready():
                item.outcome, item.pending = _finished(item.pending), None
                self.forget(item)

    def forget(self, item: _InFlight[K]) -> None:
        """Let go of ``item``'s bytes (its outcome is known, or it left the window)."""
        if item.data is not None:
            item.data = None
            self.holding -= 1

    def popleft(self) -> _InFlight[K]:
        return self.items.popleft()


class ExtractionWorker:
    """Extracts files' text: txt here, other types in a pool of ``workers`` processes."""

    def __init__(self, limits: IngestLimits, workers: int | None = None) -> None:
        self.limits = limits
        self.workers = max(1, workers or limits.extraction_workers)
        self._pool: Pool | None = None

    def __enter__(self) -> ExtractionWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(kill=exc is not None)

    def extract_in_order(
        self, files: Iterable[tuple[K, bytes | None, str]]
    ) -> Iterator[tuple[K, Outcome | None]]:
        """``(key, outcome)`` for each ``(key, data, suffix)`` of ``files``, in their order.

        The outcome is the :class:`Extraction`, or the exception that says why there is none
        (an :class:`ExtractionError` for a file over the time limit). ``data`` None means
        there is nothing to extract: the key comes back in its turn with None. ``files`` is
        read ahead while fewer than ``IN_FLIGHT_PER_WORKER * workers`` files read hold their
        bytes; a worker is given the next file as soon as it finishes one.
        """
        window: _Window[K] = _Window(iter(files))
        try:
            while True:
                self._fill(window)
                if not window:
                    return
                head = window.popleft()
                yield head.key, self._outcome(head, window)
        finally:
            if any(item.pending is not None for item in window):
                self.close(kill=True)  # abandoned early: nobody will collect these

    def _fill(self, window: _Window[K]) -> None:
        window.fill(lambda item: self._submit(item, window), IN_FLIGHT_PER_WORKER * self.workers)

    def _submit(self, item: _InFlight[K], window: _Window[K]) -> _InFlight[K]:
        """Hand the file to a worker process, unless it has nothing for one to do."""
        if item.data is not None and item.suffix.lower() not in IN_PROCESS:
            args = (item.data, item.suffix, self.limits)

            def settled(_: object) -> None:
                window.settled.set()

            item.pending = self._worker().apply_async(
                _extract, args, callback=settled, error_callback=settled
            )
        return item

    def _outcome(self, head: _InFlight[K], window: _Window[K]) -> Outcome | None:
        """The head file's outcome, waiting at most the time limit for a worker's; while it
        waits, the files that finish make room for the next ones.

        Every file before the head is finished, and the pool starts its tasks in order, so
        the head's extraction has started by now: the limit counts from here.
        """
        data = head.data
        window.forget(head)  # out of the window: its bytes count no more
        if head.pending is None:
            if data is not None:
                return _extract_here(data, head.suffix, self.limits)
            return head.outcome
        deadline = time.monotonic() + self.limits.extraction_timeout_s
        while not head.pending.ready():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._restart(window)
                return ExtractionError(
                    f"extraction did not finish within {self.limits.extraction_timeout_s:g} s "
                    "(limit XXGK_EXTRACT_TIMEOUT_S); the worker was stopped"
                )
            window.settled.wait(remaining)
            window.settle()
            self._fill(window)
        return _finished(head.pending)

    def _restart(self, window: _Window[K]) -> None:
        """Kill the pool (a file hangs in it); submit the files it had not finished again."""
        window.settle()
        self.close(kill=True)
        for item in window:
            if item.pending is not None:
                item.pending = None
                self._submit(item, window)

    def _worker(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = context.Pool(processes=self.workers, maxtasksperchild=200)
        return self._pool

    def close(self, kill: bool = False) -> None:
        """Stop the worker processes: let them finish their tasks, or kill them."""
        if self._pool is None:
            return
        if kill:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()
        self._pool = None
