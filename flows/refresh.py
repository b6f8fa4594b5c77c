"""The refresh flow: land → parse → dbt build → dbt docs → validate and stage → publish.

Every step up to dbt docs works on the work file beside the serving file (a copy of it,
made when the run starts). Then the Great Expectations gate (in a process of its own) and
the staging of the next served version (in this one) both read it at once; publish renames
the work file over the serving file only if the gate passed, and discards what was staged
otherwise (serving/publish.py). Each run is recorded in
audit.runs (xxgk/run_history.py). A run that finds nothing new (no document landed or
parsed, no report changed, the serving file current) stops after the build plan: the served
version stays. Without an input directory (`xxgk reparse`, `xxgk retire`) the run starts
from the landed documents.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from expectations.validate import (
    ValidationReport,
    changed_reports,
    record_validation,
    validate_warehouse,
)
from flows.parse import parse_step
from ingest.db import connect, is_lock_conflict
from ingest.land import LandingSummary, land_documents
from ingest.parse_landed import ParseSummary
from ingest.reviews import ReviewsLanding, land_reviews
from serving.publish import (
    Publication,
    StagedVersion,
    commit,
    discard_staged,
    published_is_current,
    reserve_version,
    served_version,
    stage,
)
from serving.work_file import adopt_serving_file
from xxgk import progress
from xxgk.build_state import BuildPlan, plan_build
from xxgk.paths import ROOT, reviews_store_path, state_dir, work_db_path
from xxgk.processes import KeptProcess, fresh_process, kept_in_context, preload, release, run_in
from xxgk.run_history import RunRecord, close_run, mark_published, save_run, start_run
from xxgk.transform import (
    DbtSummary,
    build_planned,
    dbt_docs,
    failing_identity_checks,
    reusable_docs_page,
)


def _transient(task: object, task_run: object, state: object) -> bool:
    """Retry only when another process holds the warehouse file."""
    try:
        state.result()  # type: ignore[attr-defined]
    except Exception as exc:
        return is_lock_conflict(exc)
    return False


# another writer (a concurrent run, a user's read-write session) holds the work file: wait
# 2, 4, 8, 16 s (±30 %). Bad input is never retried: it is quarantined or names the document.
_RETRY_ON_LOCK = {
    "retries": 4,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.3,
    "retry_condition_fn": _transient,
}


@task(name="land", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def land(input_dir: Path, db_path: Path) -> LandingSummary:  # retried on lock conflicts only
    return land_documents(db_path, input_dir)


@task(name="land reviews", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def take_reviews(db_path: Path, serving_db: Path) -> ReviewsLanding:  # the store may be busy
    return land_reviews(db_path, reviews_store_path(serving_db))


@task(name="plan build", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def plan(db_path: Path, project_dir: Path) -> BuildPlan:
    return plan_build(db_path, project_dir)


@task(name="dbt build", cache_policy=NO_CACHE)
def build(db_path: Path, project_dir: Path, build_plan: BuildPlan) -> DbtSummary:
    return build_planned(db_path, project_dir, build_plan)


GATE_MODULE = "great_expectations.expectations"  # what the gate's process loads first


@task(name="validate", cache_policy=NO_CACHE)
def validate(
    db_path: Path, reports: list[str] | None, gate: ProcessPoolExecutor
) -> ValidationReport:
    """The suites over every row (``reports`` None), or over the listed reports' rows of the
    per-report relations and the rest whole (after an incremental build), in the ``gate``
    process: the memory the validation holds goes with it, not into publishing. It only
    reads ``db_path``; the flow records the outcomes once the next version is staged. The
    gate writes the suites it validated to a count file this process shows."""
    run_id = flow_run.id  # audit.ge_validations names this flow run
    counts = progress.CountFile(state_dir(db_path) / "validated.count")
    counts.path.parent.mkdir(parents=True, exist_ok=True)
    with progress.following(counts, "validate"):
        return run_in(
            gate,
            "validate",
            validate_warehouse,
            db_path,
            reports=reports,
            run_id=run_id,
            audit=False,
            progress=counts,
        )


@task(name="dbt docs", cache_policy=NO_CACHE)
def document(db_path: Path, project_dir: Path) -> Path:
    return dbt_docs(db_path, project_dir)


@task(name="stage version", cache_policy=NO_CACHE)
def stage_version(
    work_db: Path, serving_db: Path, version: int, input_dir: Path | None, docs_page: Path
) -> StagedVersion:
    return stage(work_db, serving_db, version, source_dir=input_dir, dbt_docs_page=docs_page)


@task(name="publish", cache_policy=NO_CACHE)
def publish(staged: StagedVersion, run: RunRecord) -> Publication:
    """Serve the staged version: the work file, with this run's row closed as published,
    becomes the serving file (its validation outcomes are recorded in it already)."""

    def close_as_published(con: duckdb.DuckDBPyConnection, version: int) -> None:
        mark_published(con, run, version)

    return commit(staged, stamp_hook=close_as_published)


def _end_gate(
    gate: ProcessPoolExecutor, kept: KeptProcess | None, *, failed: bool, renew: bool
) -> None:
    """A run's own gate process exits (while publishing goes on). A kept one stays for the
    next run unless ``renew`` (this run failed, or validated every row: the process may be
    broken, or hold the memory of it): a fresh one replaces it."""
    if kept is None:
        release(gate, failed=failed)
    elif renew:
        kept.renew()


@dataclass(frozen=True)
class RefreshResult:
    run: RunRecord
    landing: LandingSummary | None
    parsing: ParseSummary
    build: DbtSummary | None
    validation: ValidationReport | None
    publication: Publication | None  # None when nothing changed and nothing was published


def _nothing_new(
    landing: LandingSummary | None, parsing: ParseSummary, build_plan: BuildPlan
) -> bool:
    landed = landing is not None and (landing.landed or landing.quarantined)
    return not (landed or parsing.parsed or build_plan.full_refresh or build_plan.changed_reports)


def _has_documents(work_db: Path) -> bool:
    """Whether any document was ever landed in the work file (an empty inbox lands none)."""
    with connect(work_db, read_only=True) as con:
        try:
            row = con.execute("select count(*) from raw.documents").fetchone()
        except duckdb.CatalogException:  # nothing was landed: no raw schema yet
            return False
    return bool(row and row[0])


@flow(name="refresh", log_prints=False, validate_parameters=False)
def refresh(
    input_dir: Path | None, db_path: Path, project_dir: Path = ROOT, kind: str = "run"
) -> RefreshResult:
    """Bring the warehouse served at ``db_path`` up to date with the reports under
    ``input_dir`` (None: with the documents already landed): build in its work file,
    publish only what passed dbt and the suites."""
    work_db = work_db_path(db_path)
    adopt_serving_file(work_db, db_path)  # publishing renamed the last one into db_path
    run = start_run(work_db, kind, input_dir)
    try:
        return _refresh(run, input_dir, work_db, db_path, project_dir)
    except BaseException as exc:
        if work_db.exists():  # not once published: the work file is the serving file then
            close_run(work_db, run, "failed", error=f"{type(exc).__name__}: {exc}")
        raise


class _Progress:
    """Prints each step's outcome with the seconds it took."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def say(self, step: str, outcome: object) -> None:
        now = time.monotonic()
        print(f"{step + ':':<9} {outcome} ({now - self.last:.1f} s)", flush=True)
        self.last = now


def _refresh(
    run: RunRecord, input_dir: Path | None, work_db: Path, db_path: Path, project_dir: Path
) -> RefreshResult:
    steps = _Progress()
    progress.end("start")  # the command's start-up (xxgk/cli.py) is over
    landing = None
    if input_dir is not None:
        with progress.step("land", "files landed or accounted for"):
            landing = land(input_dir, work_db)
        steps.say("land", landing)
        save_run(
            work_db,
            run,
            documents_seen=landing.offered,
            documents_landed=landing.landed,
            documents_skipped=landing.already_landed + landing.duplicates,
            documents_quarantined=landing.quarantined,
        )
    with progress.step("parse", "documents parsed"):
        parsing = parse_step(work_db)  # a subflow: batches on the configured task runner
    steps.say("parse", parsing)
    with progress.step("reviews", "copying the reviews store (xxgk review)"):
        reviews = take_reviews(work_db, db_path)
    steps.say("reviews", reviews)
    with progress.step("plan", "planning the build (what changed since the last one)"):
        build_plan = plan(work_db, project_dir)
    save_run(
        work_db, run, documents_parsed=parsing.parsed, reports_changed=build_plan.changed_reports
    )
    if _nothing_new(landing, parsing, build_plan) and published_is_current(work_db, db_path):
        steps.say("build", "nothing new: no document landed or parsed, no report changed")
        close_run(
            work_db, run, "unchanged", build="skipped", served_version=served_version(db_path)
        )
        return RefreshResult(run, landing, parsing, None, None, None)
    if not _has_documents(work_db):  # an empty inbox: an empty warehouse is not published
        steps.say("build", "nothing to build: no report file was found, nothing is published")
        close_run(
            work_db, run, "unchanged", build="skipped", served_version=served_version(db_path)
        )
        return RefreshResult(run, landing, parsing, None, None, None)
    # the reports this build changes, read before the build clears meta.changed_reports
    scope = None if build_plan.full_refresh else changed_reports(work_db)
    kept = kept_in_context(GATE_MODULE)  # `xxgk watch` keeps the gate's process across runs
    gate = fresh_process() if kept is None else kept.process
    try:
        if kept is None:
            preload(gate, GATE_MODULE)  # Great Expectations loads there while dbt builds here
        with progress.step("build", "dbt nodes built or tested"):
            built = build(work_db, project_dir, build_plan)
        steps.say("build", built)
        save_run(
            work_db,
            run,
            build=str(build_plan),
            models_incremental=built.built.get("incremental", 0),
            models_rebuilt=built.built.get("table", 0) + built.built.get("view", 0),
            tests_run=built.built.get("test", 0),
            checks_failed=failing_identity_checks(work_db),
        )
        docs_page = reusable_docs_page(db_path, build_plan)
        if docs_page is None:
            with progress.step("dbt docs", "generating the dbt docs page"):
                docs_page = document(work_db, project_dir)
            steps.say("dbt docs", docs_page)
        # the last write to the work file until the gate is done: from here on the gate
        # (in its process) and the staging of the next version (here) only read it
        version = reserve_version(work_db, db_path)
        with progress.step("validate", "Great Expectations suites validated"):
            checking = validate.submit(work_db, scope, gate)
            staging_started = time.monotonic()
            try:
                with progress.step("stage", f"staging version {version}: Parquet, report"):
                    staged = stage_version(work_db, db_path, version, input_dir, docs_page)
                staging_s = time.monotonic() - staging_started
            finally:
                checking.wait()  # never leave the gate reading while the run ends
        try:
            validation = checking.result()
        except BaseException:
            discard_staged(staged)
            raise
    except BaseException as exc:  # maybe while the gate still loads Great Expectations
        # an interrupt ends the watch too, which closes its kept process: no fresh one
        _end_gate(gate, kept, failed=True, renew=isinstance(exc, Exception))
        raise
    _end_gate(gate, kept, failed=False, renew=scope is None)
    steps.say(
        "validate",
        f"{validation} in {validation.seconds:.1f} s; "
        f"version {version} staged meanwhile in {staging_s:.1f} s",
    )
    record_validation(work_db, validation)
    save_run(work_db, run, expectations_failed=len(validation.failures))
    if not validation.success:
        discard_staged(staged)
        validation.raise_for_failures()  # a failed expectation: nothing is published
    with progress.step("publish", f"publishing version {version}"):
        published = publish(staged, run)  # the work file is the serving file from here on
    steps.say("publish", published)
    return RefreshResult(run, landing, parsing, built, validation, published)
