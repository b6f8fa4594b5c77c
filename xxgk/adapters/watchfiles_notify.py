"""watchfiles' notifier, used directly: `xxgk watch` needs what its public ``watch()``
generator does not give.

``watchfiles.watch()`` starts watching on its first ``next()``, so changes made between
opening the watch and asking for the first batch (while the catch-up run works) would be
lost; and it fixes the timeout for the whole loop, while the watch waits either for changes
or for a retry's deadline. ``RustNotify`` (``watchfiles._rust_notify``) watches from the
moment it is made and takes the timing per call. tests/xxgk/test_adapters.py pins what this relies
on (watchfiles 1.x): the constructor's arguments, and ``watch()``'s answers.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

from watchfiles._rust_notify import RustNotify

Changes = set[tuple[int, str]]  # (watchfiles.Change, path)
Outcome = Changes | Literal["signal", "stop", "timeout"]


class Notifier:
    """Changes under ``folder`` (recursively), watched from now on: inotify, or scanning
    every ``poll_delay_ms`` when ``force_polling``. Raises OSError or RuntimeError when the
    folder cannot be watched (e.g. no inotify watches left)."""

    def __init__(self, folder: Path, *, force_polling: bool, poll_delay_ms: int) -> None:
        self._notify = RustNotify([str(folder)], False, force_polling, poll_delay_ms, True, False)

    def wait(
        self, *, quiet_ms: int, timeout_ms: int, longest_ms: int, stop: threading.Event
    ) -> Outcome:
        """The changes once none came for ``quiet_ms`` (grouped over ``longest_ms`` at
        most); ``"timeout"`` after ``timeout_ms`` without one, ``"stop"`` once ``stop`` is
        set, ``"signal"`` on Ctrl-C."""
        return self._notify.watch(longest_ms, quiet_ms, timeout_ms, stop)

    def close(self) -> None:
        self._notify.close()
