from pathlib import Path

import pytest

from xxgk.transform import DB_PATH_VARIABLE, DbtBuildFailed, dbt_build

PROFILES = f"""
tiny:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{{{ env_var('{DB_PATH_VARIABLE}') }}}}"
      keep_open: false
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


def test_build_summary_and_failing_nodes_named(tmp_path: Path) -> None:
    good = tiny_project(tmp_path / "good", "select 1 as id union all select 2")
    summary = dbt_build(tmp_path / "good.duckdb", project_dir=good, selector=None)
    assert summary.statuses == {"success": 1, "pass": 1}

    bad = tiny_project(tmp_path / "bad", "select 1 as id union all select 1")
    with pytest.raises(DbtBuildFailed, match=r"test\.tiny\.unique_m_id\S* \(fail\)"):
        dbt_build(tmp_path / "bad.duckdb", project_dir=bad, selector=None)
