"""Named kill points, for the fault-injection tests (tests/e2e/test_faults.py) and
bench/random_kills.py.

A run reaching the kill point named by ``XXGK_KILL_AT`` dies there at once (SIGKILL: no
exit handler, no ``finally``), as a power cut or the OOM killer would end it. Unset (always,
outside tests), a kill point costs one reading of the settings (core/settings.py).
"""

from __future__ import annotations

import os
import signal

from core.settings import load_settings, variable

KILL_VARIABLE = variable("kill_at")
KILL_POINTS = (
    "during_work_copy",  # the serving file copied to the work file's hidden name, not renamed
    "after_build",  # dbt built and the build recorded, before the gate
    "after_gate",  # the gate passed, before the version is stamped
    "between_db_and_parquet_swap",  # the work file is the serving file, Parquet not switched
)


def kill_point(name: str) -> None:
    """Die here if ``XXGK_KILL_AT`` names this point."""
    if name not in KILL_POINTS:
        raise ValueError(f"unknown kill point {name!r}")
    if load_settings().kill_at == name:
        os.kill(os.getpid(), signal.SIGKILL)
