import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import paths
from core.environment import configure_environment
from core.paths import work_db_path
from serving.work_file import WarehouseBusy, build_lock, build_lock_path
from xxgk.cli import main


def test_paths_do_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    """The project's paths are the same when the package is imported from another folder."""
    assert (paths.ROOT / "pyproject.toml").is_file()
    assert sorted(p.suffix for p in paths.SAMPLE_DIR.iterdir()) == [".txt"] * 5
    assert paths.DEFAULT_DB == paths.ROOT / "warehouse" / "xxgk.duckdb"
    assert paths.data_docs_dir(Path("/x/y/w.duckdb")) == Path("/x/y/w.data_docs")
    elsewhere = subprocess.run(
        [
            sys.executable,
            "-c",
            "from core import paths; "
            "print(paths.ROOT, paths.SAMPLE_DIR, paths.DEFAULT_DB, sep='\\n')",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(paths.ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert elsewhere.stdout.split("\n")[:3] == [
        str(paths.ROOT),
        str(paths.SAMPLE_DIR),
        str(paths.DEFAULT_DB),
    ]


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


# --- the command's edges: one line each, no traceback ------------------------------------


def _one_xxgk_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xxgk: "), text
    return lines[0]


def test_an_input_that_is_a_file_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = next(paths.SAMPLE_DIR.iterdir())
    assert main(["run", "--input", str(report), "--db", str(tmp_path / "w.duckdb")]) == 2
    line = _one_xxgk_line(capsys.readouterr().err)
    assert "names a file, not a folder" in line and str(report) in line


def test_a_warehouse_folder_that_cannot_be_written_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """sysfs refuses new files even to root (a chmod 555 folder would not stop root)."""
    for db in (Path("/sys/w.duckdb"), Path("/sys/xxgk-no-such-folder/w.duckdb")):
        assert main(["run", "--db", str(db)]) == 2
        line = _one_xxgk_line(capsys.readouterr().err)
        assert "cannot write in the warehouse's folder" in line and "choose another --db" in line


def test_version_and_the_help_of_serve_and_history(capsys: pytest.CaptureFixture[str]) -> None:
    from core import __version__
    from flows.schedule import DEPLOYMENT

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"xxgk {__version__}"
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert f"deployment `{DEPLOYMENT}`" in " ".join(capsys.readouterr().out.split())
    assert DEPLOYMENT == "refresh-inbox/inbox"
    with pytest.raises(SystemExit):
        main(["history", "--help"])
    assert "Print the last runs of the warehouse" in capsys.readouterr().out


def test_the_report_language_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.environment import REPORT_LANGUAGE_VARIABLE
    from core.settings import report_language

    monkeypatch.delenv(REPORT_LANGUAGE_VARIABLE, raising=False)
    assert report_language() == "both"
    monkeypatch.setenv(REPORT_LANGUAGE_VARIABLE, "EN")
    assert report_language() == "en"
    monkeypatch.setenv(REPORT_LANGUAGE_VARIABLE, "fr")
    with pytest.raises(ValueError, match="XXGK_REPORT_LANG: input should be 'zh', 'en' or 'both'"):
        report_language()
    monkeypatch.delenv(REPORT_LANGUAGE_VARIABLE)
    with pytest.raises(SystemExit):
        main(["run", "--lang", "fr"])
