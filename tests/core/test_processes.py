"""Steps in fresh processes (core/processes.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.processes import StepProcessDied, fresh_process, preload, run_in


def test_a_step_runs_in_a_fresh_process_with_its_module_loaded() -> None:
    with fresh_process() as process:
        preload(process, "json").result()
        assert run_in(process, "pid", os.getpid) != os.getpid()
        assert run_in(process, "sum", sum, [1, 2, 3]) == 6


def test_a_step_s_error_comes_back_as_it_is() -> None:
    with fresh_process() as process, pytest.raises(ZeroDivisionError):
        run_in(process, "divide", divmod, 1, 0)


def test_a_process_that_dies_names_the_step() -> None:
    with fresh_process() as process, pytest.raises(StepProcessDied, match="^validate: its process"):
        run_in(process, "validate", os._exit, 9)


def test_a_worker_ends_with_a_parent_that_exits_without_shutting_it_down() -> None:
    """The CLI exits with os._exit: a worker left waiting for calls would hold the parent's
    stdout open, and whoever reads it (a test, a scheduler) would wait forever."""
    import subprocess
    import sys

    parent = (
        "import os, sys\n"
        "from core.processes import fresh_process, run_in\n"
        "if __name__ == '__main__':\n"
        "    process = fresh_process()\n"
        "    print(run_in(process, 'pid', os.getpid), flush=True)\n"
        "    os._exit(0)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", parent], capture_output=True, text=True, timeout=60
    )
    worker = int(finished.stdout.split()[0])  # the parent printed its worker's pid
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)


EXIT_AFTER_FAILURE = (
    "import os, time\n"
    "from core.processes import fresh_process, release\n"
    "from xxgk.adapters.exit_handlers import run_exit_handlers\n"
    "if __name__ == '__main__':\n"
    "    process = fresh_process()\n"
    "    process.submit(time.sleep, 3)  # a step fails while the worker still works\n"
    "    release(process, failed={failed})\n"
    "    time.sleep(0.3)  # the run reports its failure\n"
    "    run_exit_handlers()  # as the CLI exits (xxgk/cli.py _exit_now)\n"
    "    os._exit(1)\n"
)


def test_a_run_that_fails_while_its_worker_works_still_exits() -> None:
    """With failed=False (shut down without waiting) this process never exits: the pool
    queues the worker's stop signal after the exit handlers closed its call queue."""
    import subprocess
    import sys

    finished = subprocess.run(
        [sys.executable, "-c", EXIT_AFTER_FAILURE.format(failed=True)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert finished.returncode == 1, finished.stderr


def _running(pid: int) -> bool:
    """True while ``pid`` runs (an ended process nobody has reaped yet counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "\nState:\tZ" not in status
