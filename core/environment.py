"""The process environment a command starts with, and the settings' plain names.

:func:`configure_environment` is the one place the process environment is written: once, at
the start of a command, before prefect, dbt or great_expectations are imported (they read
their settings at import). Every value is a default (``setdefault``), so a user's own
environment wins. The settings themselves (every ``XXGK_*`` variable, typed) are
core/settings.py's; this module imports no pydantic, so that a command starts quickly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Literal


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
    }


def default_memory_limit() -> str:
    """DuckDB's own default, 80 % of this machine's RAM, in MiB."""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(ram * 0.8) // 2**20}MiB"


def configure_environment(
    environ: MutableMapping[str, str] | None = None, *, verbose: bool | None = None
) -> None:
    """Set the defaults above in ``environ`` (the process environment by default). For the
    process environment, also create the Prefect home: Prefect makes the folder on import
    but not its parents. ``verbose``: a command's ``-v`` (True: dbt's own logs; False: none
    of Prefect's tracebacks, the command line reports a failed step itself); None leaves
    the logs as they are (library use)."""
    env = os.environ if environ is None else environ
    for key, value in default_environment().items():
        env.setdefault(key, value)
    if verbose:
        env["DBT_QUIET"] = "false"
    elif verbose is not None:
        for logger in ("FLOW_RUNS", "TASK_RUNS"):
            env.setdefault(f"PREFECT_LOGGING_LOGGERS_PREFECT_{logger}_LEVEL", "CRITICAL")
    if environ is None:
        Path(env["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


ReportLanguage = Literal["zh", "en", "both"]
REPORT_LANGUAGES: tuple[ReportLanguage, ...] = ("zh", "en", "both")
REPORT_LANGUAGE_VARIABLE = "XXGK_REPORT_LANG"  # `--lang` of the commands that publish

TaskRunnerName = Literal["local", "dask"]
TASK_RUNNERS: tuple[TaskRunnerName, ...] = ("local", "dask")
