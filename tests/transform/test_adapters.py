"""What the adapters to dependencies' internals rely on (transform/adapters/): an upgrade
that changes it fails here, not in a run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.transform.test_transform import tiny_project
from transform.adapters.dbt_duckdb import close_database, database_open
from transform.invoke import dbt_vars


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
