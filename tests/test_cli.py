from pathlib import Path

import pytest

from xxgk import paths
from xxgk.cli import main
from xxgk.settings import configure_environment


def test_paths_do_not_depend_on_the_working_directory() -> None:
    assert (paths.ROOT / "pyproject.toml").is_file()
    assert sorted(p.suffix for p in paths.SAMPLE_DIR.iterdir()) == [".txt"] * 5
    assert paths.DEFAULT_DB == paths.ROOT / "warehouse" / "xxgk.duckdb"
    assert paths.data_docs_dir(Path("/x/y/w.duckdb")) == Path("/x/y/data_docs")


def test_environment_defaults_never_override_the_user() -> None:
    env = {"PREFECT_HOME": "/mine"}
    configure_environment(env)
    assert env["PREFECT_HOME"] == "/mine"
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
