"""bench/marts_fingerprint.py: row order and run-varying columns do not count, facts do."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from bench.marts_fingerprint import differences, fingerprint, main


def _warehouse(path: Path, rows: list[tuple[str, int, str]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.f (report_id varchar, n integer, landed_at varchar)")
        con.executemany("insert into marts.f values (?, ?, ?)", rows)
        con.execute("create view marts.v as select report_id from marts.f")
    return path


def test_order_and_run_varying_columns_do_not_count(tmp_path: Path) -> None:
    a = _warehouse(tmp_path / "a.duckdb", [("r1", 1, "08:00"), ("r2", 2, "08:00")])
    b = _warehouse(tmp_path / "b.duckdb", [("r2", 2, "09:30"), ("r1", 1, "09:31")])
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a)["f"]["rows"] == 2


def test_a_changed_fact_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _warehouse(tmp_path / "a.duckdb", [("r1", 1, "08:00"), ("r2", 2, "08:00")])
    b = _warehouse(tmp_path / "b.duckdb", [("r1", 1, "08:00"), ("r2", 3, "08:00")])
    assert differences(fingerprint(a), fingerprint(b)) == ["f: differs (2 rows saved, 2 now)"]
    saved = tmp_path / "a.json"
    assert main([str(a), "--save", str(saved)]) == 0
    assert set(json.loads(saved.read_text())) == {"f", "v"}
    assert main([str(a), "--check", str(saved)]) == 0
    assert main([str(b), "--check", str(saved)]) == 1
    assert "f: differs" in capsys.readouterr().out
