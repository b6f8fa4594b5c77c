"""The whole pipeline on the seed reports, scored against their hand-checked truth.

Runs the `xxgk` command as a user would (a subprocess, from another working directory).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core.paths import ROOT, SAMPLE_DIR, TRUTH_DIR, data_docs_dir, parquet_dir, report_dir

SCORER = ROOT / "bench" / "score.py"


def xxgk_command() -> list[str]:
    script = Path(sys.executable).parent / "xxgk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "xxgk.cli"]


def run_pipeline(
    db: Path, cwd: Path, input_dir: Path = SAMPLE_DIR
) -> subprocess.CompletedProcess[str]:
    """`xxgk run` as a user runs it (a subprocess from ``cwd``); asserts it exits 0."""
    result = subprocess.run(
        [*xxgk_command(), "run", "--input", str(input_dir), "--db", str(db)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"xxgk run failed:\n{result.stdout}\n{result.stderr}"
    return result


def snapshot(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts') order by all"
        ).fetchall()
        return {
            f"{schema}.{name}": con.execute(
                f'select * from "{schema}"."{name}" order by all'
            ).fetchall()
            for schema, name in tables
        }


STATE_NAMES = ("target", "logs", ".prefect")  # what dbt and Prefect would write by default


def _state_in_the_project() -> dict[str, int]:
    """When each of dbt's and Prefect's default state folders in the project last changed."""
    found = [ROOT / name for name in STATE_NAMES]
    return {path.name: path.stat().st_mtime_ns for path in found if path.exists()}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    work = tmp_path_factory.mktemp("e2e")
    db = work / "seeds.duckdb"
    state_before = _state_in_the_project()
    first = run_pipeline(db, cwd=work)
    assert "land:" in first.stdout and "validate:" in first.stdout
    assert "summary:  run " in first.stdout and "published" in first.stdout
    _the_end_says_what_is_true(first.stdout)
    before = snapshot(db)
    second = run_pipeline(db, cwd=work)
    assert "nothing new" in second.stdout and "served version 1" in second.stdout
    assert f"unchanged: version 1 stays served: {db}" in second.stdout
    assert "left at version" not in second.stdout + second.stderr  # a failure's wording
    # state lives beside the warehouse, nothing in the project (or an installed copy)
    assert (db.parent / "seeds.state" / "target" / "manifest.json").is_file()
    assert (db.parent / "seeds.state" / "logs" / "dbt.log").is_file()
    assert _state_in_the_project() == state_before
    return db, before, snapshot(db)


def _the_end_says_what_is_true(stdout: str) -> None:
    """One duration is the summary's (the refresh flow), the last line adds the start-up;
    every path listed at the end exists."""
    flow_s = re.search(r"; ([\d.]+) s in the refresh flow\n", stdout)
    done = re.search(r"done in ([\d.]+) s \(([\d.]+) s in the refresh flow, ([\d.]+) s", stdout)
    assert flow_s and done, stdout
    assert done.group(2) == flow_s.group(1)
    total, flow, start = (float(g) for g in done.groups())
    assert abs(total - flow - start) < 0.16  # each rounded to 0.1 s
    end = stdout[stdout.index("\nWarehouse: ") :]
    listed = re.findall(r"^(?:Warehouse|Report|dbt docs|Data Docs):\s+(\S+)", end, re.M)
    assert len(listed) == 4 and all(Path(path).exists() for path in listed), listed
    assert "Work file:" not in stdout


@pytest.mark.slow
@pytest.mark.e2e
def test_an_empty_inbox_publishes_nothing_and_says_so(tmp_path: Path) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "w" / "w.duckdb"
    inbox.mkdir()
    result = subprocess.run(
        [*xxgk_command(), "run", "--input", str(inbox), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"nothing published: no report file under {inbox}; no warehouse at {db}" in (
        result.stdout
    )
    assert not db.exists() and not report_dir(db).exists() and not parquet_dir(db).exists()


def score(db: Path, truth: str) -> subprocess.CompletedProcess[str]:
    """bench/score.py on ``db`` against ``data/truth/<truth>_cells.csv`` and
    ``<truth>_reports.csv``; asserts it exits 0."""
    result = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            "--db",
            str(db),
            "--cells",
            str(TRUTH_DIR / f"{truth}_cells.csv"),
            "--reports",
            str(TRUTH_DIR / f"{truth}_reports.csv"),
            "-v",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.slow
@pytest.mark.e2e
def test_seed_reports_match_their_truth(warehouse: tuple[Path, dict, dict]) -> None:
    db, _, _ = warehouse
    score(db, "seed")


@pytest.mark.slow
@pytest.mark.e2e
def test_a_second_run_changes_nothing(warehouse: tuple[Path, dict, dict]) -> None:
    _, before, after = warehouse
    assert {"marts.dim_report", "marts.fct_report_metrics", "raw.documents"} <= set(before)
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} changed on the second run"


@pytest.mark.slow
@pytest.mark.e2e
def test_quality_marts_and_validation_history(warehouse: tuple[Path, dict, dict]) -> None:
    db, _, _ = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        grades = dict(
            con.execute(
                "select r.source_file, q.quality_grade from marts.fct_report_quality q "
                "join marts.dim_report r using (report_id)"
            ).fetchall()
        )
        # the only seed with a broken identity (t4.lit_after_review_sum) is graded C
        assert grades.pop("002_3c99cf29d2b59166.txt") == "C"
        assert set(grades.values()) == {"A"}
        # no check of any family fails on the other seeds
        failing = con.execute(
            "select distinct r.source_file, c.check_code from marts.fct_quality_checks c "
            "join marts.dim_report r using (report_id) where c.status = 'fail'"
        ).fetchall()
        assert failing == [("002_3c99cf29d2b59166.txt", "t4.lit_after_review_sum")]
        # each of the two runs validated every layer, under its own run id
        runs = con.execute(
            "select run_id, string_agg(distinct checkpoint, ' ' order by checkpoint), "
            "bool_and(success) from audit.ge_validations group by run_id"
        ).fetchall()
    # the first run validated every layer; the second found nothing new and stopped early
    assert len(runs) == 1 and {r[1:] for r in runs} == {("marts raw staging", True)}
    assert (data_docs_dir(db) / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.e2e
def test_history_and_retire_from_the_command_line(
    warehouse: tuple[Path, dict, dict], tmp_path: Path
) -> None:
    db, _, _ = warehouse
    history = subprocess.run(
        [*xxgk_command(), "history", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert len(lines) == 2 and " unchanged;" in lines[0] and " published;" in lines[1]

    # retire one seed in a copy of the warehouse (same file names, so the same catalog name
    # in its staging views): rebuilt without it, its history kept
    copy = tmp_path / db.name
    for suffix in ("", ".build"):
        name = f"{db.stem}{suffix}.duckdb"
        (tmp_path / name).write_bytes((db.parent / name).read_bytes())
    retired = subprocess.run(
        [*xxgk_command(), "retire", "000_c6cbb6b884b800f8.txt", "--db", str(copy)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert retired.returncode == 0, retired.stdout + retired.stderr
    assert "1 retired" in retired.stdout and "incremental (1 changed reports)" in retired.stdout
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_report").fetchone() == (4,)
        assert con.execute("select count(*) from raw.documents").fetchone() == (5,)
        runs = con.execute("select kind, status from audit.runs order by started_at").fetchall()
    assert runs[-1] == ("retire", "published")
