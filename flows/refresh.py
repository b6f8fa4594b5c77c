"""The refresh flow: land → parse → dbt build → validate → dbt docs → publish.

Every step up to dbt docs works on the work file beside the serving file; publish swaps the
validated result in as the next served version (serving/publish.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from expectations.validate import ValidationReport, validate_warehouse
from ingest.db import is_lock_conflict
from ingest.land import LandingSummary, land_documents
from ingest.parse_landed import ParseSummary, parse_landed
from serving.publish import Publication, adopt_serving_file
from serving.publish import publish as publish_version
from xxgk.paths import ROOT, work_db_path
from xxgk.transform import DbtSummary, dbt_build, dbt_docs


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
    report = validate_warehouse(db_path)
    report.raise_for_failures()
    return report


@task(name="dbt docs", cache_policy=NO_CACHE)
def document(db_path: Path, project_dir: Path) -> Path:
    return dbt_docs(db_path, project_dir)


@task(name="publish", cache_policy=NO_CACHE)
def publish(work_db: Path, serving_db: Path, input_dir: Path, docs_page: Path) -> Publication:
    return publish_version(work_db, serving_db, source_dir=input_dir, dbt_docs_page=docs_page)


@dataclass(frozen=True)
class RefreshResult:
    landing: LandingSummary
    parsing: ParseSummary
    build: DbtSummary
    validation: ValidationReport
    publication: Publication


@flow(name="refresh", log_prints=False, validate_parameters=False)
def refresh(input_dir: Path, db_path: Path, project_dir: Path = ROOT) -> RefreshResult:
    """Bring the warehouse served at ``db_path`` up to date with the reports under
    ``input_dir``: build in its work file, publish only what passed dbt and the suites."""
    work_db = work_db_path(db_path)
    if adopt_serving_file(work_db, db_path):
        print(f"work:     started {work_db.name} from the existing {db_path.name}", flush=True)
    landing = land(input_dir, work_db)
    print(f"land:     {landing}", flush=True)
    parsing = parse(work_db)
    print(f"parse:    {parsing}", flush=True)
    built = build(work_db, project_dir)
    print(f"build:    {built}", flush=True)
    validation = validate(work_db)
    print(f"validate: {validation}", flush=True)
    docs_page = document(work_db, project_dir)
    published = publish(work_db, db_path, input_dir, docs_page)
    print(f"publish:  {published}", flush=True)
    return RefreshResult(landing, parsing, built, validation, published)
