"""Test-wide environment: Prefect/dbt/GE settings before anything imports them.

No test runs a Prefect flow in this process (the end-to-end test runs the `xxgk` command in
a subprocess), so no prefect_test_harness is needed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.environment import configure_environment

# the two pytest-xdist workers (pyproject.toml addopts) share the user's Prefect home, as two
# users' runs of xxgk on one machine do: each run's temporary server is its own process
configure_environment()

TOOL_MISSING = "needs the system tool"  # the only reason a test may be skipped for


def needs_tool(name: str, found: object, why: str) -> pytest.MarkDecorator:
    """Skip when the system tool ``name`` is missing (``found`` is falsy), saying so: the
    one kind of skip this suite allows (:func:`pytest_sessionfinish`)."""
    return pytest.mark.skipif(
        not found, reason=f"{TOOL_MISSING} {name} (apt-get install -y {name}): {why}"
    )


_wrong_skips: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if TOOL_MISSING not in reason:
            _wrong_skips.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A test skipped for anything but a missing system tool (a missing file, an
    environment switch) fails the run: the repository must hold all its tests need."""
    if _wrong_skips and exitstatus == 0:
        print("\nskipped, but not for a missing system tool:\n  " + "\n  ".join(_wrong_skips))
        session.exitstatus = 1


os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "CRITICAL")


@pytest.fixture(scope="session")
def bundled_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample and the dev corpus together (data/sample + data/corpus, 16 documents),
    built once by `xxgk run` into ``<tmp>/warehouse/xxgk.duckdb``: the warehouse
    docs/queries.md shows, and the one the corpus is scored on."""
    from core.paths import CORPUS_DIR, SAMPLE_DIR
    from tests.e2e.test_end_to_end import run_pipeline

    base = tmp_path_factory.mktemp("bundled")
    inbox = base / "inbox"
    inbox.mkdir()
    for folder in (SAMPLE_DIR, CORPUS_DIR):
        for report in folder.iterdir():
            shutil.copy(report, inbox / report.name)
    db = base / "warehouse" / "xxgk.duckdb"
    run_pipeline(db, cwd=base, input_dir=inbox)
    return db
