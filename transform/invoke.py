"""One dbt invocation against the warehouse file: dbt's own runner (``dbtRunner``), with the
warehouse's target path and logs (in its state folder, core/paths.py), the file released when
it returns. The build (transform/dbt_runner.py) and the parse made ahead of it
(transform/parse_ahead.py) both run dbt through :func:`invoke_dbt`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import progress
from core.paths import state_dir
from core.settings import load_settings
from transform.adapters.dbt_duckdb import close_database

DB_PATH_VAR = "db_path"  # the dbt vars profiles.yml reads
MEMORY_LIMIT_VAR = "memory_limit"


def dbt_vars(db_path: Path | str, extra: Mapping[str, object] | None = None) -> dict[str, object]:
    """What every invocation tells dbt through ``--vars``: the warehouse file (absolute) and
    the DuckDB memory limit (XXGK_DUCKDB_MEMORY_LIMIT, core/settings.py), which profiles.yml
    reads, and the ``extra`` vars of the command (e.g. ``report_batch``)."""
    return {
        DB_PATH_VAR: str(Path(db_path).resolve()),
        MEMORY_LIMIT_VAR: load_settings().duckdb_memory_limit,
        **(extra or {}),
    }


def release_warehouse_file() -> None:
    """Close dbt-duckdb's database instance in this process, releasing the file lock.

    profiles.yml sets ``keep_open: true``: one DuckDB instance serves every node of a build
    (reopening the file per node cost about a third of an incremental build's time, and
    between two nodes another process could take the lock and break the build). dbt-duckdb
    would keep it open for the life of the process, so every invocation ends here."""
    close_database()


def dbt_target_dir(db_path: Path | str) -> Path:
    """dbt's target path for builds of ``db_path``: in the warehouse's state folder beside it
    (core/paths.py), so a build writes nothing into the project, and two warehouses keep
    their own manifests and partial parses."""
    return state_dir(Path(db_path)) / "target"


def dbt_log_file(db_path: Path | str) -> Path:
    """dbt.log of builds of ``db_path`` (beside its target path)."""
    return state_dir(Path(db_path)) / "logs" / "dbt.log"


def invoke_dbt(
    command: list[str],
    db_path: Path | str,
    project_dir: Path,
    manifest: Any = None,
    extra_vars: Mapping[str, object] | None = None,
) -> Any:
    """Run a dbt command on ``project_dir`` with the warehouse at ``db_path`` (and the
    ``manifest`` of an earlier parse, if given); the file is released when it returns
    (:func:`release_warehouse_file`). dbt's target/ and logs/ are the warehouse's
    (:func:`dbt_target_dir`); the warehouse and its settings reach dbt as ``--vars``
    (:func:`dbt_vars`), never through the process environment."""
    from dbt.cli.main import dbtRunner

    project = str(Path(project_dir).resolve())
    # the debug-level file log (~100k lines a build) costs time; info keeps one line per node
    args = [*command, "--project-dir", project, "--profiles-dir", project]
    args += ["--log-level-file", "info"]
    args += ["--target-path", str(dbt_target_dir(db_path))]
    args += ["--log-path", str(dbt_log_file(db_path).parent)]
    args += ["--vars", json.dumps(dbt_vars(db_path, extra_vars), sort_keys=True)]
    try:
        return dbtRunner(manifest=manifest, callbacks=[progress.dbt_event]).invoke(args)
    finally:
        release_warehouse_file()
