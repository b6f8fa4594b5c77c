"""A time limit on a block of Python code in this process (the parse of one document).

The limit is a real-time interval timer (``setitimer``): when it expires, SIGALRM raises
:class:`TimeLimitExceeded` in the block, wherever it is, even inside a long regular-
expression match (CPython's ``re`` checks for signals as it goes). Signals reach only the
main thread, so the limit holds in the main thread of a process (``xxgk run``, the parse
worker processes); elsewhere (a Dask worker's task thread) the block runs without one.

A process that has loaded OpenVINO (the OCR runtime, ingest/extract/ocr_engine.py) must not
take the signal: a SIGALRM interrupting Python code there crashed the process (a segfault in
the main thread's eval loop, about one run in two). The pipeline keeps the two apart (only
extraction workers load the runtime; parsing runs elsewhere), and :func:`time_limit` refuses
to arm in such a process rather than risk it.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# native runtimes under whose threads a SIGALRM can crash the process
SIGNAL_UNSAFE_RUNTIMES = ("openvino",)


class TimeLimitExceeded(Exception):
    """The block ran longer than its limit."""


class TimeLimitUnsafe(RuntimeError):
    """This process has loaded a runtime that a SIGALRM can crash (SIGNAL_UNSAFE_RUNTIMES)."""


def _expired(signum: int, frame: FrameType | None) -> None:
    raise TimeLimitExceeded


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in the block once it has run ``seconds`` (real time);
    no limit outside the main thread, or for ``seconds`` <= 0. :class:`TimeLimitUnsafe` in a
    process that has loaded a runtime of SIGNAL_UNSAFE_RUNTIMES."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    loaded = [name for name in SIGNAL_UNSAFE_RUNTIMES if name in sys.modules]
    if loaded:
        raise TimeLimitUnsafe(
            f"xxgk: this process has loaded {loaded[0]}, whose threads a SIGALRM time limit "
            "can crash; parse in a process that does not run OCR (ingest/time_limit.py)"
        )
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
