"""The refresh flow: land → parse → dbt build → validate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from expectations.validate import ValidationReport, validate_marts
from ingest.db import is_lock_conflict
from ingest.land import LandingSummary, land_documents
from ingest.parse_landed import ParseSummary, parse_landed
from xxgk.paths import ROOT
from xxgk.transform import DbtSummary, dbt_build


def _transient(task: object, task_run: object, state: object) -> bool:
    """Retry only when another process holds the warehouse file."""
    try:
        state.result()  # type: ignore[attr-defined]
    except Exception as exc:
        return is_lock_conflict(exc)
    return False


_RETRY_ON_LOCK = {"retries": 3, "retry_delay_seconds": 2, "retry_condition_fn": _transient}


@task(name="land", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def land(input_dir: Path, db_path: Path) -> LandingSummary:
    return land_documents(db_path, input_dir)


@task(name="parse", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def parse(db_path: Path) -> ParseSummary:
    return parse_landed(db_path)


@task(name="dbt build", cache_policy=NO_CACHE)
def build(db_path: Path, project_dir: Path) -> DbtSummary:
    return dbt_build(db_path, project_dir)


@task(name="validate", cache_policy=NO_CACHE)
def validate(db_path: Path) -> ValidationReport:
    report = validate_marts(db_path)
    report.raise_for_failures()
    return report


@dataclass(frozen=True)
class RefreshResult:
    landing: LandingSummary
    parsing: ParseSummary
    build: DbtSummary
    validation: ValidationReport


@flow(name="refresh", log_prints=False, validate_parameters=False)
def refresh(input_dir: Path, db_path: Path, project_dir: Path = ROOT) -> RefreshResult:
    """Bring the warehouse at ``db_path`` up to date with the reports under ``input_dir``."""
    landing = land(input_dir, db_path)
    print(f"land:     {landing}", flush=True)
    parsing = parse(db_path)
    print(f"parse:    {parsing}", flush=True)
    built = build(db_path, project_dir)
    print(f"build:    {built}", flush=True)
    validation = validate(db_path)
    print(f"validate: {validation}", flush=True)
    return RefreshResult(landing, parsing, built, validation)
