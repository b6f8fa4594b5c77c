"""Every DuckDB connection xxgk opens honours XXGK_DUCKDB_MEMORY_LIMIT (ingest/db.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.db import MEMORY_LIMIT_VARIABLE, connect


def _limit(db: Path, read_only: bool = False) -> str:
    with connect(db, read_only=read_only) as con:
        return str(con.execute("select current_setting('memory_limit')").fetchone()[0])


def test_the_memory_limit_applies_to_writing_and_reading_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    monkeypatch.delenv(MEMORY_LIMIT_VARIABLE, raising=False)
    unbounded = _limit(db)
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "300MB")
    assert _limit(db) == _limit(db, read_only=True) == "286.1 MiB"  # DuckDB shows MiB
    assert unbounded != "286.1 MiB"


def test_an_unreadable_memory_limit_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "lots")
    with pytest.raises(ValueError, match=f"{MEMORY_LIMIT_VARIABLE}='lots' is not a memory size"):
        _limit(tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()
