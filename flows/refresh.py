"""The refresh flow: land → parse → dbt build → dbt docs → validate and stage → publish.

Every step up to dbt docs works on the work file beside the serving file (a copy of it,
made when the run starts). Then the Great Expectations gate (in a process of its own) and
the staging of the next served version (in this one) both read it at once; publish renames
the work file over the serving file only if the gate passed, and discards what was staged
otherwise (serving/publish.py). Each run is recorded in audit.runs (flows/run_history.py).

Before anything, the run finishes what a dead process left and checks the files it builds
on (serving/recovery.py). A run that finds nothing new (no document landed, parsed,
superseded or newly quarantined, no report changed, the last build published and the
serving file current) stops after the build plan: the served version stays. Without an
input directory (`xxgk reparse`, `xxgk retire`) the run starts from the landed documents.

**One bad document does not stop publishing.** When the gate fails and every failed
expectation is broken by the rows of some reports (expectations/validate.py
``offending_reports``), those documents are held back (raw.quarantine, with the failed
expectation as the reason; ingest/hold.py), the build is redone without them and validated
again, and the rest is published. A failure no report accounts for (a pipeline fault) fails
the run, and nothing is published; the next run validates again what was not published
(transform/build_state.py).
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from core import progress
from core.faults import kill_point
from core.paths import reviews_store_path, state_dir
from core.processes import KeptProcess, fresh_process, preload, release, run_in
from core.safe_output import for_terminal
from core.settings import ParseSettings
from expectations.validate import (
    ValidationReport,
    record_validation,
    validate_and_attribute,
)
from flows.context import RunContext
from flows.parse import parse_step
from flows.run_history import (
    RunRecord,
    announced_run,
    close_run,
    fail_announced,
    mark_published,
    save_run,
    start_run,
)
from ingest.db import connect, is_lock_conflict
from ingest.hold import Hold, hold_back
from ingest.land import LandingSummary, land_documents
from ingest.limits import IngestLimits
from ingest.parse_landed import ParseSummary
from ingest.reviews import ReviewsLanding, land_reviews
from serving.integrity import seal_work
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
from serving.recovery import prepare_build
from serving.work_file import adopt_serving_file
from transform.build_state import BuildPlan, plan_build, validation_scope
from transform.dbt_runner import (
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
_RETRY_ON_LOCK: dict[str, Any] = {
    "retries": 4,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.3,
    "retry_condition_fn": _transient,
}


@task(name="land", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def land(input_dir: Path, context: RunContext, min_age_s: float = 0.0) -> LandingSummary:
    """Retried on lock conflicts only."""
    limits = IngestLimits.from_settings(context.settings)
    return land_documents(context.work_db, input_dir, limits, min_age_s=min_age_s)


@task(name="land reviews", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def take_reviews(context: RunContext) -> ReviewsLanding:  # the store may be busy
    return land_reviews(context.work_db, reviews_store_path(context.serving_db))


@task(name="plan build", cache_policy=NO_CACHE, **_RETRY_ON_LOCK)
def plan(context: RunContext) -> BuildPlan:
    return plan_build(context.work_db, context.project_dir)


@task(name="dbt build", cache_policy=NO_CACHE)
def build(context: RunContext, build_plan: BuildPlan) -> DbtSummary:
    return build_planned(context.work_db, context.project_dir, build_plan, context.parse)


GATE_MODULE = "great_expectations.expectations"  # what the gate's process loads first


@task(name="validate", cache_policy=NO_CACHE)
def validate(
    db_path: Path, reports: list[str] | None, gate: ProcessPoolExecutor, chunk_rows: int
) -> ValidationReport:
    """The suites over every row (``reports`` None), or over the listed reports' rows of the
    per-report relations and the rest whole (after an incremental build), in the ``gate``
    process: the memory the validation holds goes with it, not into publishing. After a
    failure, the reports whose rows break it. It only reads ``db_path``; the flow records
    the outcomes once the next version is staged. The gate writes the suites it validated
    to a count file this process shows."""
    run_id = str(flow_run.id)  # audit.ge_validations names this flow run
    counts = progress.CountFile(state_dir(db_path) / "validated.count")
    counts.path.parent.mkdir(parents=True, exist_ok=True)
    with progress.following(counts, "validate"):
        return run_in(
            gate,
            "validate",
            validate_and_attribute,
            db_path,
            reports,
            run_id,
            progress=counts,
            chunk_rows=chunk_rows,
        )


@task(name="dbt docs", cache_policy=NO_CACHE)
def document(context: RunContext) -> Path:
    return dbt_docs(context.work_db, context.project_dir, context.parse)


@task(name="stage version", cache_policy=NO_CACHE)
def stage_version(
    context: RunContext, version: int, input_dir: Path | None, docs_page: Path
) -> StagedVersion:
    return stage(
        context.work_db,
        context.serving_db,
        version,
        source_dir=input_dir,
        dbt_docs_page=docs_page,
        lang=context.settings.report_lang,
    )


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
    """Nothing to build or publish: no document landed, superseded or parsed, no quarantine
    row added or changed (a file quarantined again for the same reason changes nothing),
    and the last build was published (transform/build_state.py)."""
    landed = landing is not None and (
        landing.landed or landing.quarantine_changed or landing.superseded
    )
    return not (landed or parsing.parsed) and build_plan.nothing_to_publish


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
    input_dir: Path | None,
    db_path: Path,
    kind: str = "run",
    run_id: str | None = None,
    settle_s: float = 0.0,
    prepared: bool = False,
    context: RunContext | None = None,
) -> RefreshResult:
    """Bring the warehouse served at ``db_path`` up to date with the reports under
    ``input_dir`` (None: with the documents already landed): build in its work file,
    publish only what passed dbt and the suites. ``run_id``: the run the command announced
    in the run journal (flows/run_history.py), else a new one; ``settle_s``: a file changed
    more recently is left for the next run (`xxgk watch`); ``prepared``: the caller ran
    serving/recovery.py's checks and printed what they found (they run again here, quietly);
    ``context``: what the caller made for the run (flows/context.py), by default this
    process's settings and nothing prepared ahead."""
    context = context or RunContext.of(db_path)
    if context.serving_db.resolve() != Path(db_path).resolve():
        raise ValueError(f"the run's context is for {context.serving_db}, not {db_path}")
    work_db = context.work_db
    record = announced_run(db_path, run_id, kind, input_dir)
    try:
        preparation = prepare_build(db_path)
    except Exception as exc:
        fail_announced(db_path, record, f"{type(exc).__name__}: {exc}")
        raise
    for note in [] if prepared else preparation.notes:
        print(f"recover:  {for_terminal(note)}", flush=True)
    adopt_serving_file(work_db, db_path)  # publishing renamed the last one into db_path
    run = start_run(work_db, db_path, record)
    try:
        result = _refresh(run, input_dir, context, settle_s, preparation.serving_damaged)
    except BaseException as exc:
        if work_db.exists():  # not once published: the work file is the serving file then
            close_run(work_db, run, "failed", error=f"{type(exc).__name__}: {exc}")
            seal_work(work_db)
        raise
    if result.publication is None:
        seal_work(work_db)
    return result


class _Progress:
    """Prints each step's outcome with the seconds it took."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def say(self, step: str, outcome: object) -> None:
        now = time.monotonic()
        print(f"{step + ':':<9} {for_terminal(outcome)} ({now - self.last:.1f} s)", flush=True)
        self.last = now


@dataclass(frozen=True)
class _Attempt:
    """A build and its validation, with the next version staged meanwhile."""

    built: DbtSummary
    validation: ValidationReport
    staged: StagedVersion
    whole: bool  # the gate validated every row


def _refresh(
    run: RunRecord,
    input_dir: Path | None,
    context: RunContext,
    settle_s: float,
    must_publish: bool,
) -> RefreshResult:
    work_db, db_path = context.work_db, context.serving_db
    steps = _Progress()
    progress.end("start")  # the command's start-up (xxgk/cli.py) is over
    landing = None
    if input_dir is not None:
        with progress.step("land", "files landed or accounted for"):
            landing = land(input_dir, context, settle_s)
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
        # a subflow: batches on the configured task runner
        parsing = parse_step(work_db, ParseSettings.from_settings(context.settings))
    steps.say("parse", parsing)
    with progress.step("reviews", "copying the reviews store (xxgk review)"):
        reviews = take_reviews(context)
    steps.say("reviews", reviews)
    with progress.step("plan", "planning the build (what changed since the last one)"):
        build_plan = plan(context)
    save_run(
        work_db,
        run,
        documents_parsed=parsing.parsed,
        reports_changed=build_plan.changed_reports,
        documents_held_back=parsing.held,
    )
    current = published_is_current(work_db, db_path) and not must_publish
    if _nothing_new(landing, parsing, build_plan) and current:
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
    # `xxgk watch` keeps the gate's process across runs
    kept = context.gate if context.gate and context.gate.module == GATE_MODULE else None
    gate = fresh_process() if kept is None else kept.process
    try:
        if kept is None:
            preload(gate, GATE_MODULE)  # Great Expectations loads there while dbt builds here
        attempt = _build_and_validate(run, context, input_dir, build_plan, gate, steps)
        held = 0 if attempt.validation.success else _hold_offenders(work_db, attempt, steps)
        if held:
            save_run(work_db, run, documents_held_back=parsing.held + held)
            build_plan = plan(context)  # without them: their rows go
            attempt = _build_and_validate(run, context, input_dir, build_plan, gate, steps)
    except BaseException as exc:  # maybe while the gate still loads Great Expectations
        # an interrupt ends the watch too, which closes its kept process: no fresh one
        _end_gate(gate, kept, failed=True, renew=isinstance(exc, Exception))
        raise
    _end_gate(gate, kept, failed=False, renew=attempt.whole)
    if not attempt.validation.success:
        discard_staged(attempt.staged)
        attempt.validation.raise_for_failures()  # a failed expectation: nothing is published
    kill_point("after_gate")
    with progress.step("publish", f"publishing version {attempt.staged.version}"):
        published = publish(attempt.staged, run)  # the work file is the serving file from here on
    steps.say("publish", published)
    return RefreshResult(run, landing, parsing, attempt.built, attempt.validation, published)


def _build_and_validate(
    run: RunRecord,
    context: RunContext,
    input_dir: Path | None,
    build_plan: BuildPlan,
    gate: ProcessPoolExecutor,
    steps: _Progress,
) -> _Attempt:
    """Build what the plan says, then validate it in the ``gate`` process while the next
    version is staged here; the validation's outcomes are recorded in the work file."""
    work_db, db_path = context.work_db, context.serving_db
    # the reports to validate, read before the build clears meta.changed_reports
    scope = None if build_plan.validate_everything else validation_scope(work_db)
    if build_plan.full_refresh or build_plan.changed_reports:
        with progress.step("build", "dbt nodes built or tested"):
            built = build(context, build_plan)
        steps.say("build", built)
    else:  # a build was recorded and nothing changed since: it is validated and published
        built = DbtSummary(plan=build_plan)
        steps.say("build", f"{build_plan}: the last build is whole, nothing to rebuild")
    save_run(
        work_db,
        run,
        build=str(build_plan),
        models_incremental=built.built.get("incremental", 0),
        models_rebuilt=built.built.get("table", 0) + built.built.get("view", 0),
        tests_run=built.built.get("test", 0),
        checks_failed=failing_identity_checks(work_db),
    )
    kill_point("after_build")
    docs_page = reusable_docs_page(db_path, build_plan)
    if docs_page is None:
        with progress.step("dbt docs", "generating the dbt docs page"):
            docs_page = document(context)
        steps.say("dbt docs", docs_page)
    # the last write to the work file until the gate is done: from here on the gate
    # (in its process) and the staging of the next version (here) only read it
    version = reserve_version(work_db, db_path)
    with progress.step("validate", "Great Expectations suites validated"):
        checking = validate.submit(work_db, scope, gate, context.settings.ge_chunk_rows)
        staging_started = time.monotonic()
        try:
            with progress.step("stage", f"staging version {version}: Parquet, report"):
                staged = stage_version(context, version, input_dir, docs_page)
            staging_s = time.monotonic() - staging_started
        finally:
            checking.wait()  # never leave the gate reading while the run ends
    try:
        validation = checking.result()
    except BaseException:
        discard_staged(staged)
        raise
    steps.say(
        "validate",
        f"{validation} in {validation.seconds:.1f} s; "
        f"version {version} staged meanwhile in {staging_s:.1f} s",
    )
    record_validation(work_db, validation)
    save_run(work_db, run, expectations_failed=len(validation.failures))
    return _Attempt(built, validation, staged, whole=scope is None)


def _hold_offenders(work_db: Path, attempt: _Attempt, steps: _Progress) -> int:
    """After a failed gate: hold back the reports whose rows break the failed expectations
    when they account for every failure, and return how many; otherwise hold nothing."""
    validation = attempt.validation
    if not validation.offenders or validation.unattributed:
        return 0
    discard_staged(attempt.staged)
    from ingest.parse import PARSER_VERSION

    holds = [
        Hold(report_id, "its rows fail the expectation " + "; ".join(labels))
        for report_id, labels in validation.offenders.items()
    ]
    with connect(work_db) as con:
        con.begin()
        hold_back(con, holds, PARSER_VERSION)
        con.commit()
    steps.say(
        "hold",
        f"{len(holds)} held back (raw.quarantine): their rows fail "
        f"{len(validation.failures)} expectations; building and validating the rest again",
    )
    return len(holds)
