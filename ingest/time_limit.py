"""A time limit on a block of Python code in this process (the parse of one document).

The limit is a real-time interval timer (``setitimer``): when it expires, SIGALRM raises
:class:`TimeLimitExceeded` in the block, wherever it is, even inside a long regular-
expression match (CPython's ``re`` checks for signals as it goes). Signals reach only the
main thread, so the limit holds in the main thread of a process (``xxgk run``, the parse
worker processes); elsewhere (a Dask worker's task thread) the block runs without one.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TimeLimitExceeded(Exception):
    """The block ran longer than its limit."""


def _expired(signum: int, frame: FrameType | None) -> None:
    raise TimeLimitExceeded


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in the block once it has run ``seconds`` (real time);
    no limit outside the main thread, or for ``seconds`` <= 0."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
