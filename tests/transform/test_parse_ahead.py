"""The dbt project parsed ahead of the build (transform/parse_ahead.py): used when it is the
parse the build would make, never when the project changed meanwhile."""

from pathlib import Path

import duckdb
import pytest

from tests.transform.test_transform import tiny_project
from transform.dbt_runner import dbt_build
from transform.parse_ahead import parsed_ahead, reuses_a_parse


@pytest.fixture
def manifests_given(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The manifest each dbtRunner of the test was given (None: dbt parses itself)."""
    from dbt.cli import main

    given: list[object] = []
    original = main.dbtRunner.__init__

    def record(self: object, manifest: object = None, **kwargs: object) -> None:
        given.append(manifest)
        original(self, manifest=manifest, **kwargs)  # type: ignore[misc]

    monkeypatch.setattr(main.dbtRunner, "__init__", record)
    return given


def _rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select count(*) from main.m").fetchone()
    return int(row[0]) if row else -1


def _built(tmp_path: Path, model_sql: str, db_name: str = "w.duckdb") -> tuple[Path, Path]:
    """A tiny project and its warehouse after a full build: (project, warehouse)."""
    project = tiny_project(tmp_path / "p", model_sql)
    db = tmp_path / db_name
    dbt_build(db, project_dir=project, selector=None, full_refresh=True)
    return project, db


@pytest.mark.slow
def test_an_incremental_build_uses_the_manifest_parsed_ahead(
    tmp_path: Path, manifests_given: list[object]
) -> None:
    project, db = _built(tmp_path, "select 1 as id union all select 2")
    with parsed_ahead(db, project) as parse:
        summary = dbt_build(db, project_dir=project, selector=None, parse=parse)
    assert summary.statuses == {"success": 1, "pass": 1}
    assert parse.result.exception() is None
    # the parse ahead, then the build on its manifest
    assert manifests_given[-2] is None
    assert manifests_given[-1] is parse.result.result()
    assert _rows(db) == 2


@pytest.mark.slow
def test_a_project_changed_after_the_parse_is_parsed_again(
    tmp_path: Path, manifests_given: list[object]
) -> None:
    project, db = _built(tmp_path, "select 1 as id")
    with parsed_ahead(db, project) as parse:
        parse.wait()
        (project / "models" / "m.sql").write_text("select 1 as id union all select 2", "utf-8")
        dbt_build(db, project_dir=project, selector=None, parse=parse)
    assert manifests_given[-1] is None
    assert _rows(db) == 2  # the model as it is now, not as it was parsed


@pytest.mark.slow
def test_a_long_lived_block_parses_again_once_the_project_changed(
    tmp_path: Path, manifests_given: list[object]
) -> None:
    project, db = _built(tmp_path, "select 1 as id")
    with parsed_ahead(db, project) as first:
        assert first.renewed() is first  # nothing changed: the same parse
        (project / "models" / "m.sql").write_text("select 1 as id union all select 2", "utf-8")
        second = first.renewed()
        assert second is not first
        dbt_build(db, project_dir=project, selector=None, parse=second)
        assert second.renewed() is second
    renewed = manifests_given[-1]
    assert renewed is second.result.result() and renewed is not first.result.result()
    assert _rows(db) == 2  # built on the new parse, as the model is now


@pytest.mark.slow
def test_another_warehouse_file_is_parsed_again(
    tmp_path: Path, manifests_given: list[object]
) -> None:
    project, other = _built(tmp_path, "select 1 as id", "other.duckdb")
    with parsed_ahead(tmp_path / "w.duckdb", project) as parse:
        dbt_build(other, project_dir=project, selector=None, parse=parse)
    assert manifests_given[-1] is None
    assert _rows(other) == 1


@pytest.mark.slow
def test_a_failed_parse_leaves_the_build_to_report_the_error(tmp_path: Path) -> None:
    project = tiny_project(tmp_path / "p", "select 1 as id")
    (project / "models" / "m.yml").write_text("models: [unclosed", encoding="utf-8")
    with parsed_ahead(tmp_path / "w.duckdb", project) as parse:
        parse.wait()
        assert parse.result.exception() is not None
        with pytest.raises(Exception, match="dbt build failed"):
            dbt_build(tmp_path / "w.duckdb", project_dir=project, selector=None, parse=parse)


def test_only_builds_that_write_no_manifest_and_set_no_vars_reuse_a_parse() -> None:
    assert reuses_a_parse(["build", "--selector", "refresh_incremental", "--no-write-json"])
    assert not reuses_a_parse(["build", "--selector", "refresh", "--full-refresh"])
    assert not reuses_a_parse(["build", "--no-write-json"], {"report_batch": True})
    assert not reuses_a_parse(["docs", "generate", "--static", "--no-compile"])
