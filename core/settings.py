"""Process environment for Prefect, dbt and Great Expectations.

Call :func:`configure_environment` before importing prefect, dbt or great_expectations:
their settings are read at import time. Every value is a default (``setdefault``), so a
user's own environment wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast


def user_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """This user's state folder for xxgk: ``$XDG_STATE_HOME/xxgk``, by default
    ``~/.local/state/xxgk`` (XDG Base Directory). Never in the source or install tree."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME", "").strip()
    home = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return home / "xxgk"


def default_environment() -> dict[str, str]:
    return {
        # Prefect's home (the temporary server's database, profiles) is the user's, not the
        # project's; telemetry and analytics are off: the client's (DO_NOT_TRACK, which also
        # silences its first-run notice) and the local server's
        "PREFECT_HOME": str(user_state_dir() / "prefect"),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_QUIET": "true",
        "DBT_PRINTER_WIDTH": "100",
        "GX_ANALYTICS_ENABLED": "false",
        "DASK_LOGGING__DISTRIBUTED": "warning",  # a Dask cluster's start/stop chatter
        "XXGK_DUCKDB_MEMORY_LIMIT": default_memory_limit(),  # every DuckDB connection's
    }


def default_memory_limit() -> str:
    """DuckDB's own default, 80 % of this machine's RAM, in MiB."""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(ram * 0.8) // 2**20}MiB"


def configure_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Set the defaults above in ``environ`` (the process environment by default). For the
    process environment, also create the Prefect home: Prefect makes the folder on import
    but not its parents."""
    env = os.environ if environ is None else environ
    for key, value in default_environment().items():
        env.setdefault(key, value)
    if environ is None:
        Path(env["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


ReportLanguage = Literal["zh", "en", "both"]
REPORT_LANGUAGES: tuple[ReportLanguage, ...] = ("zh", "en", "both")
REPORT_LANGUAGE_VARIABLE = "XXGK_REPORT_LANG"  # `--lang` of the commands that publish


def report_language(environ: Mapping[str, str] | None = None) -> ReportLanguage:
    """The published HTML report's language: XXGK_REPORT_LANG (``zh``, ``en``), by default
    ``both`` (Chinese first, English beside it)."""
    env = os.environ if environ is None else environ
    value = (env.get(REPORT_LANGUAGE_VARIABLE) or "both").strip().lower()
    if value not in REPORT_LANGUAGES:
        raise ValueError(
            f"{REPORT_LANGUAGE_VARIABLE} must be one of {', '.join(REPORT_LANGUAGES)}, "
            f"got {value!r}"
        )
    return cast(ReportLanguage, value)


TaskRunnerName = Literal["local", "dask"]
TASK_RUNNERS: tuple[TaskRunnerName, ...] = ("local", "dask")


@dataclass(frozen=True)
class ParseSettings:
    """How the parse step runs (docs/scaling.md).

    ``workers``: parser processes on this machine (1 = in the calling process);
    ``batch_size``: documents per batch (one Prefect task);
    ``write_batch``: documents per write transaction (parsed batches are stored together
    until they reach it: DuckDB commits of fewer documents cost 3-4 times more per document);
    ``task_runner``: ``local`` (a process pool here) or ``dask`` (prefect-dask);
    ``dask_address``: scheduler of an existing Dask cluster; without one, ``dask`` starts a
    LocalCluster of ``workers`` processes.
    """

    workers: int
    batch_size: int = 250
    write_batch: int = 2000
    task_runner: TaskRunnerName = "local"
    dask_address: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ParseSettings:
        """XXGK_PARSE_WORKERS (default: the CPU count), XXGK_PARSE_BATCH (250),
        XXGK_WRITE_BATCH (2000), XXGK_TASK_RUNNER (``local`` or ``dask``),
        XXGK_DASK_ADDRESS."""
        env = os.environ if environ is None else environ
        runner = (env.get("XXGK_TASK_RUNNER") or "local").strip().lower()
        if runner not in TASK_RUNNERS:
            raise ValueError(f"XXGK_TASK_RUNNER must be one of {TASK_RUNNERS}, got {runner!r}")
        address = (env.get("XXGK_DASK_ADDRESS") or "").strip() or None
        return cls(
            workers=_positive_int(env, "XXGK_PARSE_WORKERS", os.cpu_count() or 1),
            batch_size=_positive_int(env, "XXGK_PARSE_BATCH", cls.batch_size),
            write_batch=_positive_int(env, "XXGK_WRITE_BATCH", cls.write_batch),
            task_runner=cast(TaskRunnerName, runner),
            dask_address=address,
        )


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {raw!r}")
    return value
