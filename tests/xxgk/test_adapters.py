"""What the adapters to dependencies' internals rely on (xxgk/adapters/): an upgrade that
changes it fails here, not in a run."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from watchfiles import Change

from xxgk.adapters.watchfiles_notify import Notifier


@pytest.mark.parametrize("force_polling", [False, True])
def test_the_notifier_reports_changes_timeouts_and_stops(
    tmp_path: Path, force_polling: bool
) -> None:
    stop = threading.Event()
    timing = {"quiet_ms": 100, "timeout_ms": 300, "longest_ms": 5000, "stop": stop}
    notifier = Notifier(tmp_path, force_polling=force_polling, poll_delay_ms=50)
    try:
        (tmp_path / "a.txt").write_text("报告", encoding="utf-8")  # before the first wait
        changes = notifier.wait(**timing)
        assert isinstance(changes, set)
        assert (Change.added, str(tmp_path / "a.txt")) in changes
        assert notifier.wait(**timing) == "timeout"
        stop.set()
        assert notifier.wait(**timing) == "stop"
    finally:
        notifier.close()


def test_exit_handlers_run_in_reverse_order_before_a_hard_exit() -> None:
    code = (
        "import atexit, os\n"
        "from xxgk.adapters.exit_handlers import run_exit_handlers\n"
        "atexit.register(print, 'registered first', flush=True)\n"
        "atexit.register(print, 'registered last', flush=True)\n"
        "run_exit_handlers()\n"
        "os._exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout.splitlines() == ["registered last", "registered first"]
