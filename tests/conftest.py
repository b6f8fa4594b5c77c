"""Test-wide environment: Prefect/dbt/GE settings before anything imports them.

No test runs a Prefect flow in this process (the end-to-end test runs the `xxgk` command in
a subprocess), so no prefect_test_harness is needed.
"""

from __future__ import annotations

import os

from xxgk.settings import configure_environment

configure_environment()
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "CRITICAL")
