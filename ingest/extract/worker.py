"""Extraction in a worker process, so a file that hangs or explodes a parser can be stopped.

Plain text is decoded in-process (its size is capped before reading). PDF, DOCX and HTML go
through third-party parsers: they run in one reusable worker process (started on first use,
`forkserver` so nothing of the parent's threads or open database is inherited), and a file
that takes longer than the limit has its worker killed and is quarantined with that reason.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.pool import Pool
from types import TracebackType

from ingest.extract import Extraction, ExtractionError, extract_bytes
from ingest.limits import IngestLimits

IN_PROCESS = frozenset({".txt"})


def _extract(data: bytes, suffix: str, limits: IngestLimits) -> Extraction:
    return extract_bytes(data, suffix, limits)


class ExtractionWorker:
    def __init__(self, limits: IngestLimits) -> None:
        self.limits = limits
        self._pool: Pool | None = None

    def __enter__(self) -> ExtractionWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def extract(self, data: bytes, suffix: str) -> Extraction:
        if suffix.lower() in IN_PROCESS:
            return extract_bytes(data, suffix, self.limits)
        pending = self._worker().apply_async(_extract, (data, suffix, self.limits))
        try:
            return pending.get(timeout=self.limits.extraction_timeout_s)
        except multiprocessing.TimeoutError:
            self.close(kill=True)
            raise ExtractionError(
                f"extraction did not finish within {self.limits.extraction_timeout_s:g} s "
                "(limit XXGK_EXTRACT_TIMEOUT_S); the worker was stopped"
            ) from None

    def _worker(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = context.Pool(processes=1, maxtasksperchild=200)
        return self._pool

    def close(self, kill: bool = False) -> None:
        if self._pool is None:
            return
        if kill:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()
        self._pool = None
