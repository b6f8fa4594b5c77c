from pathlib import Path

import pytest

from transform.dbt_runner import DbtBuildFailed, dbt_build
from transform.invoke import DB_PATH_VAR

PROFILES = f"""
tiny:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{{{ var('{DB_PATH_VAR}') }}}}"
      keep_open: true
      threads: 1
"""


def tiny_project(root: Path, model_sql: str) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: tiny\nversion: '1.0'\nconfig-version: 2\nprofile: tiny\n", encoding="utf-8"
    )
    (root / "profiles.yml").write_text(PROFILES, encoding="utf-8")
    (root / "models" / "m.sql").write_text(model_sql, encoding="utf-8")
    (root / "models" / "m.yml").write_text(
        "models:\n  - name: m\n    columns:\n      - name: id\n        data_tests: [unique]\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.slow
def test_the_warehouse_file_is_released_when_dbt_returns(tmp_path: Path) -> None:
    """keep_open: true holds one DuckDB instance through the build; it is closed after it,
    so another process (here: a read-only connection, which DuckDB refuses beside an open
    read-write instance of the same file) can open the file."""
    import subprocess
    import sys

    import duckdb

    project = tiny_project(tmp_path / "p", "select 1 as id")
    db = tmp_path / "w.duckdb"
    dbt_build(db, project_dir=project, selector=None)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from main.m").fetchone() == (1,)
    code = f"import duckdb; duckdb.connect({str(db)!r}).execute('create table t2 as select 1')"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_build_summary_and_failing_nodes_named(tmp_path: Path) -> None:
    good = tiny_project(tmp_path / "good", "select 1 as id union all select 2")
    summary = dbt_build(tmp_path / "good.duckdb", project_dir=good, selector=None)
    assert summary.statuses == {"success": 1, "pass": 1}

    bad = tiny_project(tmp_path / "bad", "select 1 as id union all select 1")
    with pytest.raises(DbtBuildFailed, match=r"test\.tiny\.unique_m_id\S* \(fail\)"):
        dbt_build(tmp_path / "bad.duckdb", project_dir=bad, selector=None)


def test_full_refresh_batches_follow_the_memory_limit() -> None:
    from core.settings import Settings
    from transform.dbt_runner import BUILD_BYTES_PER_REPORT, build_batch_size, memory_bytes

    assert memory_bytes("1GB") == 10**9
    assert memory_bytes("19284MiB") == 19284 * 2**20
    assert memory_bytes("1.5 GiB") == 3 * 2**29
    assert memory_bytes("lots") is None
    assert build_batch_size(Settings(duckdb_memory_limit="unreadable")) == 10_000
    limited = Settings(duckdb_memory_limit="1GB")
    assert build_batch_size(limited) == 10**9 // BUILD_BYTES_PER_REPORT
    assert build_batch_size(Settings(duckdb_memory_limit="1GB", build_batch="7")) == 7
