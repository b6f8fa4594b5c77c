"""The parse step as a Prefect flow, run where the configuration says
(core.settings.ParseSettings: XXGK_TASK_RUNNER, XXGK_DASK_ADDRESS, XXGK_PARSE_WORKERS,
XXGK_PARSE_BATCH, XXGK_WRITE_BATCH).

``local`` (the default) parses in worker processes of this machine (ingest/parse_landed.py);
``dask`` submits a Prefect task per batch of documents to prefect-dask's DaskTaskRunner.
Either way only this process opens the warehouse: it reads a batch's texts, submits the
batch, and stores the rows that come back. The tasks never open the DuckDB file, so they
can run on the machines of a Dask cluster (docs/scaling.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, get_client, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner

from core.settings import ParseSettings
from ingest.parse_landed import (
    LandedDocument,
    ParseSummary,
    parse_batch,
    parse_landed,
    run_parse,
)
from ingest.store_parsed import ParsedBatch


@task(name="parse batch", cache_policy=NO_CACHE, persist_result=False)
def parse_batch_task(documents: list[LandedDocument], timeout_s: float) -> ParsedBatch:
    """Parse a batch of documents where the task runner puts it (``timeout_s`` per
    document); returns their rows."""
    return parse_batch(documents, timeout_s)


@flow(name="parse", validate_parameters=False, log_prints=False)
def parse_documents(db_path: Path, settings: ParseSettings) -> ParseSummary:
    """Parse the pending documents of the warehouse at ``db_path`` and store the results
    as they return: ``local``, in worker processes of this machine (ingest.parse_landed);
    otherwise a task per batch on the flow's task runner, two batches per worker in flight."""
    if settings.task_runner == "local":
        return parse_landed(db_path, settings)
    return run_parse(
        db_path,
        lambda documents: parse_batch_task.submit(documents, settings.timeout_s),
        settings,
        in_flight=2 * settings.workers,
    )


def dask_task_runner(settings: ParseSettings) -> TaskRunner:
    """The Dask cluster at ``settings.dask_address``, or else a LocalCluster of
    ``settings.workers`` single-threaded worker processes."""
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "silence_logs": logging.ERROR,
        }
    )


@contextmanager
def api_for_workers() -> Iterator[None]:
    """Give the tasks' worker processes this process's Prefect API. Without PREFECT_API_URL
    Prefect runs a temporary server per process, and every worker would start its own
    (about 10 s and 200 MiB each); the URL travels to the workers with the task's context."""
    if PREFECT_API_URL.value():
        yield
        return
    api_url = get_client(sync_client=True).api_url  # starts the temporary server if needed
    with temporary_settings({PREFECT_API_URL: str(api_url)}):
        yield


def parse_step(db_path: Path, settings: ParseSettings | None = None) -> ParseSummary:
    """The refresh flow's parse step: parse what the current parser has not parsed yet
    (ingest.parse_landed.pending_documents) where the configuration says (ParseSettings)."""
    settings = settings or ParseSettings.from_env()
    if settings.task_runner == "local":
        return parse_documents(db_path, settings)
    with api_for_workers():
        runner = dask_task_runner(settings)
        # Prefect types with_options for PrefectFuture runners; Dask's futures are concurrent
        return parse_documents.with_options(task_runner=runner)(db_path, settings)  # type: ignore[arg-type]
