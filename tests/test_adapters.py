"""What the adapters to dependencies' internals rely on (transform/adapters/,
xxgk/adapters/): an upgrade that changes it fails here, not in a run."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from watchfiles import Change

from tests.test_transform import tiny_project
from transform.adapters.dbt_duckdb import close_database, database_open
from transform.invoke import dbt_vars
from xxgk.adapters.watchfiles_notify import Notifier


@pytest.mark.slow
def test_dbt_duckdb_keeps_the_database_open_until_it_is_closed(tmp_path: Path) -> None:
    import json

    from dbt.cli.main import dbtRunner

    project = tiny_project(tmp_path / "p", "select 1 as id")
    db = tmp_path / "w.duckdb"
    args = ["run", "--project-dir", str(project), "--profiles-dir", str(project)]
    args += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    result = dbtRunner().invoke([*args, "--vars", json.dumps(dbt_vars(db)), "--quiet"])
    assert result.success
    try:
        assert database_open()  # keep_open: dbt-duckdb holds the instance after dbt returns
        with pytest.raises(duckdb.ConnectionException, match="different configuration"):
            duckdb.connect(str(db), config={"threads": 1})  # the file is still its
    finally:
        close_database()
    assert not database_open()
    with duckdb.connect(str(db), config={"threads": 1}) as con:  # released
        assert con.execute("select id from main.m").fetchall() == [(1,)]


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


def test_a_merged_docx_cell_has_one_element_at_every_position_it_covers() -> None:
    from docx import Document

    from ingest.adapters.python_docx import cell_element

    table = Document().add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0))  # a vertical merge
    top, below = table.rows[0].cells[0], table.rows[1].cells[0]
    assert top is not below  # python-docx makes a cell object per row it covers
    assert cell_element(top) is cell_element(below)
    assert cell_element(table.rows[0].cells[1]) is not cell_element(table.rows[1].cells[1])
