"""The scheduled deployment: the refresh flow over an inbox directory, served by Prefect.

`xxgk serve --inbox DIR` serves :func:`refresh_inbox` as the deployment ``refresh-inbox/inbox``
on a cron schedule (or an interval). Prefect schedules runs only with a real API server: the
command uses the one at PREFECT_API_URL, or starts ``prefect server start`` on 127.0.0.1 for
as long as it serves (its UI shows the deployment, its runs and their logs). prefect.yaml
describes the same deployment for `prefect deploy` with a work pool (docs/operations.md).

One run at a time (DuckDB has one writer): the deployment's concurrency limit is 1, and a run
that finds the work file locked waits and retries (flows/refresh.py). A run while another
process builds the warehouse (`xxgk run`, `xxgk watch`) fails at once, naming it
(serving/work_file.py's build lock).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import flow

from core.environment import ReportLanguage
from flows.context import RunContext
from flows.refresh import refresh
from flows.runtime import api_healthy, stop_server, wait_for_api
from flows.schedule import DEPLOYMENT, DEPLOYMENT_FLOW, DEPLOYMENT_NAME
from serving.work_file import build_lock


@flow(name=DEPLOYMENT_FLOW, log_prints=True)
def refresh_inbox(inbox: str, db: str, lang: str | None = None) -> dict[str, object]:
    """One scheduled refresh of the warehouse at ``db`` from the reports under ``inbox``
    (``lang``: the report's language, over XXGK_REPORT_LANG); returns the run's row of
    audit.runs (as a dict, for Prefect's UI and API). Plain types: Prefect builds the
    parameters' schema from them."""
    context = RunContext.of(Path(db), report_lang=lang)
    with build_lock(Path(db), f"xxgk serve (deployment {DEPLOYMENT})"):
        result = refresh(Path(inbox), Path(db), kind="scheduled", context=context)
    print(f"summary: {result.run.summary()}")
    return {
        "run_id": result.run.run_id,
        "status": result.run.status,
        "documents_landed": result.run.documents_landed,
        "served_version": result.run.served_version,
    }


@contextmanager
def local_prefect_server(
    port: int, timeout_s: float = 120, environ: Mapping[str, str] | None = None
) -> Iterator[str]:
    """``prefect server start`` on 127.0.0.1:``port`` for the duration (with ``environ``,
    default this process's environment); yields its API URL."""
    api_url = f"http://127.0.0.1:{port}/api"
    if api_healthy(api_url, timeout_s=2):  # already running (started by hand?): use it
        yield api_url
        return
    base = os.environ if environ is None else environ
    env = {**base, "PREFECT_UI_ENABLED": "true", "PREFECT_API_URL": api_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        + ["--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_api(server, api_url, timeout_s, "prefect server start", poll_s=0.5)
        yield api_url
    finally:
        stop_server(server, timeout_s=20)


def serve_inbox(
    inbox: Path,
    db: Path,
    *,
    cron: str,
    interval: float | None = None,
    port: int = 4200,
    lang: ReportLanguage | None = None,
) -> int:
    """Serve the scheduled deployment until interrupted (Ctrl-C)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    inbox, db = inbox.expanduser().resolve(), db.expanduser().resolve()
    if not inbox.is_dir():
        print(f"xxgk: inbox not found: {inbox}", file=sys.stderr)
        return 2
    schedule: dict[str, Any] = {"interval": interval} if interval else {"cron": cron}
    parameters = {"inbox": str(inbox), "db": str(db), "lang": lang}
    configured = PREFECT_API_URL.value()
    server = _existing(configured) if configured else local_prefect_server(port)
    with server as api_url, temporary_settings(updates={PREFECT_API_URL: api_url}):
        print(f"xxgk serve: {inbox} -> {db}, {schedule}; Prefect API {api_url}", flush=True)
        refresh_inbox.serve(
            name=DEPLOYMENT_NAME,
            parameters=parameters,
            global_limit=1,
            description="Refresh the warehouse from the inbox (xxgk serve).",
            **schedule,
        )
    return 0


@contextmanager
def _existing(api_url: str) -> Iterator[str]:
    yield api_url
