from pathlib import Path

import pytest

from serving.work_file import WarehouseBusy, build_lock, build_lock_path
from xxgk import paths
from xxgk.cli import main
from xxgk.paths import work_db_path
from xxgk.settings import configure_environment


def test_paths_do_not_depend_on_the_working_directory() -> None:
    assert (paths.ROOT / "pyproject.toml").is_file()
    assert sorted(p.suffix for p in paths.SAMPLE_DIR.iterdir()) == [".txt"] * 5
    assert paths.DEFAULT_DB == paths.ROOT / "warehouse" / "xxgk.duckdb"
    assert paths.data_docs_dir(Path("/x/y/w.duckdb")) == Path("/x/y/w.data_docs")


def test_sidecars_are_named_by_the_serving_file() -> None:
    """Two warehouses in one folder never share a report, Parquet, docs or state; the
    work file has its serving file's sidecars."""
    names = {
        kind: [f(Path(db)).name for db in ("/w/a.duckdb", "/w/b.duckdb", "/w/a.build.duckdb")]
        for kind, f in {
            "report": paths.report_dir,
            "parquet": paths.parquet_dir,
            "dbt_docs": paths.dbt_docs_dir,
            "data_docs": paths.data_docs_dir,
            "state": paths.state_dir,
        }.items()
    }
    for kind, (a, b, a_work) in names.items():
        assert (a, b, a_work) == (f"a.{kind}", f"b.{kind}", f"a.{kind}")


def test_environment_defaults_never_override_the_user() -> None:
    env = {"PREFECT_HOME": "/mine", "DO_NOT_TRACK": "0"}
    configure_environment(env)
    assert env["PREFECT_HOME"] == "/mine" and env["DO_NOT_TRACK"] == "0"
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"


def test_missing_input_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--input", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "input directory not found" in capsys.readouterr().err


def test_run_requires_a_command() -> None:
    with pytest.raises(SystemExit):
        main([])


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--input", str(paths.SAMPLE_DIR)],
        ["reparse"],
        ["retire", "some-document"],
        ["watch", "--input", str(paths.SAMPLE_DIR)],
    ],
    ids=["run", "reparse", "retire", "watch"],
)
def test_a_second_builder_of_a_warehouse_is_refused_naming_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "w.duckdb"
    with build_lock(db, "xxgk watch"):
        assert main([*command, "--db", str(db)]) == 1
    error = capsys.readouterr().err
    assert "another process is building this warehouse (xxgk watch, pid" in error
    assert str(build_lock_path(db)) in error
    assert not db.exists() and not work_db_path(db).exists()  # nothing was started


def test_the_build_lock_is_free_again_once_released(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with (
        build_lock(db, "first"),
        pytest.raises(WarehouseBusy, match=r"\(first, pid \d+, since "),
        build_lock(db, "second"),
    ):
        pass
    with build_lock(db, "third"):
        assert build_lock_path(db).read_text().startswith("third, pid ")
