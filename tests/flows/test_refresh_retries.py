"""Retries (issue 6): the refresh flow's file-writing steps retry with backoff only when
another process holds the warehouse's lock; bad input and parser failures are not retried."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.parse_landed import ParseError


class _State:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error

    def result(self) -> None:
        if self.error is not None:
            raise self.error


def _lock_error(tmp_path: Path) -> duckdb.IOException:
    """The error DuckDB raises when another process holds the file for writing."""
    db = str(tmp_path / "locked.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, db], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException) as refused:
            duckdb.connect(db)
        return refused.value
    finally:
        holder.kill()
        holder.wait()


HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_only_lock_conflicts_are_retried(tmp_path: Path) -> None:
    from flows.refresh import _RETRY_ON_LOCK, _transient

    assert _transient(None, None, _State(_lock_error(tmp_path)))
    assert not _transient(None, None, _State(ParseError("the parser failed on document x")))
    assert not _transient(None, None, _State(ValueError("bad input")))
    assert not _transient(None, None, _State(None))
    delays = _RETRY_ON_LOCK["retry_delay_seconds"]
    assert delays(4) == [2, 4, 8, 16] and _RETRY_ON_LOCK["retries"] == 4


@pytest.mark.parametrize("name", ["land", "plan"])
def test_file_writing_steps_carry_the_retry_policy(name: str) -> None:
    import flows.refresh as refresh

    step = getattr(refresh, name)
    assert step.retries == 4
    assert step.retry_condition_fn is refresh._transient
