"""Process environment for Prefect, dbt and Great Expectations.

Call :func:`configure_environment` before importing prefect, dbt or great_expectations:
their settings are read at import time. Every value is a default (``setdefault``), so a
user's own environment wins.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from xxgk.paths import ROOT


def default_environment() -> dict[str, str]:
    return {
        "PREFECT_HOME": str(ROOT / ".prefect"),
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
    }


def configure_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Set the defaults above in ``environ`` (the process environment by default)."""
    env = os.environ if environ is None else environ
    for key, value in default_environment().items():
        env.setdefault(key, value)
