"""Extraction in worker processes, so a file that hangs or explodes a parser can be stopped.

Plain text is decoded in-process (its size is capped before reading). PDF, DOCX and HTML go
through third-party parsers: they run in a pool of worker processes (one per CPU by default,
XXGK_EXTRACT_WORKERS; started on first use, `forkserver` so nothing of the parent's threads or
open database is inherited). :meth:`ExtractionWorker.extract_in_order` keeps a few files per
worker in flight and hands the results back in the order the files came in. A file that takes
longer than the limit is quarantined with that reason: the pool is killed, and the other files
that were in flight are submitted again to a new pool, each with its full time limit.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
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
    data: bytes | None  # None: nothing to extract
    suffix: str
    pending: AsyncResult | None = None  # set while a worker process extracts it
    outcome: Outcome | None = None

    @property
    def holds_content(self) -> bool:
        return self.data is not None or self.outcome is not None


class _Window(Generic[K]):
    """The files read ahead, in order, and how many of them hold bytes or an outcome.

    An item's :attr:`_InFlight.holds_content` never changes while it is in the window (its
    bytes give way to its outcome), so the count is kept as items enter and leave."""

    def __init__(self) -> None:
        self.items: deque[_InFlight[K]] = deque()
        self.holding = 0

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[_InFlight[K]]:
        return iter(self.items)

    def append(self, item: _InFlight[K]) -> None:
        self.items.append(item)
        self.holding += item.holds_content

    def popleft(self) -> _InFlight[K]:
        item = self.items.popleft()
        self.holding -= item.holds_content
        return item


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
        read ahead by at most ``IN_FLIGHT_PER_WORKER * workers`` files with content.
        """
        window: _Window[K] = _Window()
        source = iter(files)
        try:
            while self._fill(window, source) or window:
                head = window.popleft()
                yield head.key, self._outcome(head, window)
        finally:
            if any(item.pending is not None for item in window):
                self.close(kill=True)  # abandoned early: nobody will collect these

    def _fill(self, window: _Window[K], source: Iterator[tuple[K, bytes | None, str]]) -> bool:
        """Read ``source`` into the window while there is room; False once it is exhausted."""
        limit = IN_FLIGHT_PER_WORKER * self.workers
        while len(window) < MAX_WINDOW and window.holding < limit:
            try:
                key, data, suffix = next(source)
            except StopIteration:
                return False
            window.append(self._submit(_InFlight(key, data, suffix)))
        return True

    def _submit(self, item: _InFlight[K]) -> _InFlight[K]:
        """Hand the file to a worker process, unless it has nothing for one to do."""
        if item.data is not None and item.suffix.lower() not in IN_PROCESS:
            args = (item.data, item.suffix, self.limits)
            item.pending = self._worker().apply_async(_extract, args)
        return item

    def _outcome(self, head: _InFlight[K], window: _Window[K]) -> Outcome | None:
        """The head file's outcome, waiting at most the time limit for a worker's.

        Every file before the head is finished, and the pool starts its tasks in order, so
        the head's extraction has started by now: the limit counts from here.
        """
        if head.pending is None:
            if head.data is not None:
                return _extract_here(head.data, head.suffix, self.limits)
            return head.outcome
        try:
            return head.pending.get(timeout=self.limits.extraction_timeout_s)
        except multiprocessing.TimeoutError:
            self._restart(window)
            return ExtractionError(
                f"extraction did not finish within {self.limits.extraction_timeout_s:g} s "
                "(limit XXGK_EXTRACT_TIMEOUT_S); the worker was stopped"
            )
        except Exception as exc:  # raised by the parser in the worker
            return exc

    def _restart(self, window: _Window[K]) -> None:
        """Kill the pool (a file hangs in it); submit the files it had not finished again."""
        for item in window:
            if item.pending is not None and item.pending.ready():
                item.outcome, item.data, item.pending = _finished(item.pending), None, None
        self.close(kill=True)
        for item in window:
            if item.pending is not None:
                item.pending = None
                self._submit(item)

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
