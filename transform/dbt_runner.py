"""`dbt build` and `dbt docs generate` in-process against the warehouse file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.paths import ROOT
from core.processes import fresh_process, run_in
from core.settings import Settings, load_settings
from transform.build_state import (
    BuildPlan,
    list_changed_reports,
    plan_build,
    record_build,
    report_batches,
)
from transform.invoke import dbt_log_file, dbt_target_dir, invoke_dbt
from transform.parse_ahead import ProjectParse

FAILED = frozenset({"error", "fail", "runtime error"})


class DbtBuildFailed(RuntimeError):
    """dbt build did not succeed; the message names the failing nodes."""


@dataclass(frozen=True)
class DbtSummary:
    statuses: dict[str, int] = field(default_factory=dict)  # node status -> count
    # what was built: "incremental", "table", "view", "seed", "test" -> count of nodes
    built: dict[str, int] = field(default_factory=dict)
    plan: BuildPlan | None = None  # the incremental plan, when the build had one
    batches: int = 1  # dbt invocations of a full refresh built in batches of reports

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        text = f"dbt build ok ({counts or 'nothing to do'})"
        if self.plan is not None:
            text += f"; {self.plan}"
        if self.batches > 1:
            text += f" in {self.batches} batches of reports"
        if self.built:
            text += ": " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.built.items()))
        return text


REFRESH_SELECTOR = "refresh"
INCREMENTAL_SELECTOR = "refresh_incremental"  # the same without the (unchanged) seeds


def _invoke(
    command: list[str],
    db_path: Path | str,
    project_dir: Path,
    parse: ProjectParse | None,
    extra_vars: dict[str, object] | None = None,
) -> Any:
    """:func:`invoke_dbt`, with the project's manifest when it was parsed ahead
    (transform/parse_ahead.py)."""
    manifest = (
        None if parse is None else parse.manifest_for(command, db_path, project_dir, extra_vars)
    )
    return invoke_dbt(command, db_path, project_dir, manifest, extra_vars)


def _kind(node: Any) -> str:
    resource = str(getattr(node.node, "resource_type", ""))
    if resource == "model":
        return str(node.node.config.materialized)
    return resource


def dbt_build(
    db_path: Path | str,
    project_dir: Path = ROOT,
    selector: str | None = REFRESH_SELECTOR,
    *,
    full_refresh: bool = False,
    tests: bool = True,
    report_batch: bool = False,
    unit_tests: bool = False,
    threads: int | None = None,
    select: str | None = None,
    parse: ProjectParse | None = None,
) -> DbtSummary:
    """Run ``dbt build`` on ``project_dir`` with the warehouse at ``db_path``.

    ``selector`` names a selector in selectors.yml: by default `refresh` (every seed and model,
    and the tests on staging and the marts); None builds everything with every test.
    ``tests=False`` leaves the data tests out, ``unit_tests=True`` adds dbt's unit tests;
    ``report_batch`` builds only the reports in
    meta.changed_reports even on a full refresh (macros/report_increment.sql); ``threads``
    overrides profiles.yml's; ``select`` is a node selection used instead of ``selector``;
    ``parse``: the project parsed ahead (transform/parse_ahead.py), reused when it can be.
    Raises :class:`DbtBuildFailed` naming the failing nodes (models, seeds or tests).
    """
    command = ["build"]
    if select:
        command += ["--select", select]
    elif selector:
        command += ["--selector", selector]
    if full_refresh:
        command.append("--full-refresh")
    # dbt's unit tests check the models' logic on their own given rows, not the warehouse's
    # data: as dbt advises, they run where the logic is tested (tests/transform/test_dbt_models.py
    # builds with them; ``unit_tests=True`` here), not in every build of a warehouse
    excluded = ([] if tests else ["test"]) + ([] if unit_tests else ["unit_test"])
    if excluded:
        command += ["--exclude-resource-type", *excluded]
    if not (full_refresh or report_batch) and (dbt_target_dir(db_path) / "manifest.json").exists():
        # an incremental build keeps the last full refresh's manifest (the docs page is made
        # from it; the build fingerprint guarantees the project is the same); writing it and
        # run_results.json costs about 1.5 s. A warehouse moved without its state folder
        # has none: this build writes it
        command.append("--no-write-json")
    if threads:
        command += ["--threads", str(threads)]
    extra_vars: dict[str, object] | None = {"report_batch": True} if report_batch else None
    result = _invoke(command, db_path, project_dir, parse, extra_vars)
    nodes = list(getattr(result.result, "results", None) or [])
    statuses = Counter(str(node.status) for node in nodes)
    if result.success:
        built = Counter(_kind(node) for node in nodes if str(node.status) != "skipped")
        return DbtSummary(statuses=dict(statuses), built=dict(built))
    failed = [
        f"{node.node.unique_id} ({node.status}): {(node.message or '').strip()}"
        for node in nodes
        if str(node.status) in FAILED
    ]
    if failed:
        raise DbtBuildFailed("dbt build failed:\n" + "\n".join(f"  - {f}" for f in failed))
    reason = result.exception or f"see {dbt_log_file(db_path)}"
    raise DbtBuildFailed(f"dbt build failed: {reason}")


def build_warehouse(
    db_path: Path | str, project_dir: Path = ROOT, parse: ProjectParse | None = None
) -> DbtSummary:
    """The refresh build, incremental where it can be (transform/build_state.py): a full refresh
    on the first build or after a change to models, macros, seeds or dbt; otherwise the
    incremental models replace only the changed reports' rows and the seeds are not
    reloaded. The build state is recorded only when dbt succeeded."""
    return build_planned(db_path, project_dir, plan_build(db_path, project_dir), parse)


# memory a full refresh holds per report of a batch: the identity checks' per-instance lists
# (int_check_instances) take about 350 KiB per report (3.5 GB for 10k reports), with room
# for the model dbt builds beside it
BUILD_BYTES_PER_REPORT = 512 * 1024
DEFAULT_BUILD_BATCH = 10_000
_UNITS = {
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}


def memory_bytes(text: str) -> int | None:
    """DuckDB's memory_limit syntax (``1GB``, ``19284MiB``) in bytes; None when unreadable."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?I?B)?\s*", text.upper())
    if not found:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2) or "B"])


def build_batch_size(settings: Settings | None = None) -> int:
    """Reports per batch of a full refresh: XXGK_BUILD_BATCH, or what the build's memory
    limit (XXGK_DUCKDB_MEMORY_LIMIT) holds at :data:`BUILD_BYTES_PER_REPORT`, or 10,000."""
    settings = settings or load_settings()
    if settings.build_batch is not None:
        return settings.build_batch
    limit = memory_bytes(settings.duckdb_memory_limit)
    if limit is None:
        return DEFAULT_BUILD_BATCH
    return max(100, limit // BUILD_BYTES_PER_REPORT)


def build_planned(
    db_path: Path | str, project_dir: Path, plan: BuildPlan, parse: ProjectParse | None = None
) -> DbtSummary:
    """:func:`build_warehouse` with the plan already made (and written to the warehouse).

    A full refresh of more reports than one batch (:func:`build_batch_size`) is built batch
    by batch: the first batch as a full refresh of only its reports, each further batch as an
    incremental build, and the data tests once, with the last batch. The identity checks keep
    one list per check instance in memory, so a single pass over 100k reports would need GiBs.
    """
    if parse is not None:  # a parse started ahead ends before dbt runs (here or in a batch's)
        parse.wait()
    batches = report_batches(db_path, build_batch_size()) if plan.full_refresh else []
    if len(batches) > 1:
        summary = _build_in_batches(db_path, project_dir, batches)
    else:
        selector = REFRESH_SELECTOR if plan.full_refresh else INCREMENTAL_SELECTOR
        summary = dbt_build(
            db_path, project_dir, selector, full_refresh=plan.full_refresh, parse=parse
        )
    record_build(db_path, plan)
    return replace(summary, plan=plan)


# a middle batch: the incremental models and the models from raw data they read
MIDDLE_BATCH = "+config.materialized:incremental,source:*+"


def _build_in_batches(
    db_path: Path | str, project_dir: Path, batches: list[list[str]]
) -> DbtSummary:
    """The first batch builds every model (its reports only, in the per-report ones), the
    middle ones only the incremental models and what they read from the raw data, and the
    last one the incremental build with its tests, which also rebuilds the other tables.

    Each batch runs in a fresh process (core/processes.py): in one long-lived process
    the memory held between dbt invocations grew from 1.2 to 1.6 GiB over 42 batches at a
    768 MB limit, while a fresh process starts from nothing."""
    statuses: Counter[str] = Counter()
    summary = DbtSummary()
    for number, batch in enumerate(batches):
        list_changed_reports(db_path, batch)
        first, last = number == 0, number == len(batches) - 1
        with fresh_process() as process:
            summary = run_in(
                process,
                f"dbt build, batch {number + 1} of {len(batches)}",
                dbt_build,
                db_path,
                project_dir,
                REFRESH_SELECTOR if first else INCREMENTAL_SELECTOR,
                full_refresh=first,
                tests=last,
                report_batch=True,
                threads=1,  # one model at a time: the batch size assumes the memory is its own
                select=None if first or last else MIDDLE_BATCH,
            )
        statuses.update(summary.statuses)
    return replace(summary, statuses=dict(statuses), batches=len(batches))


def failing_identity_checks(db_path: Path | str) -> int:
    """How many identity check instances fail in the built marts (marts.fct_check_results)."""
    from ingest.db import connect

    with connect(db_path, read_only=True) as con:
        row = con.execute(
            "select count(*) from marts.fct_check_results where status = 'fail'"
        ).fetchone()
    return int(row[0]) if row else 0


def reusable_docs_page(serving_db: Path, plan: BuildPlan) -> Path | None:
    """The published dbt docs page, when an incremental build leaves it valid: the page holds
    the manifest (models, tests, descriptions) and the catalog (relations and columns), and
    neither changes unless the build fingerprint does. None after a full refresh."""
    from core.paths import dbt_docs_dir

    page = dbt_docs_dir(serving_db) / "index.html"
    return page if not plan.full_refresh and page.is_file() else None


def dbt_docs(
    db_path: Path | str, project_dir: Path = ROOT, parse: ProjectParse | None = None
) -> Path:
    """``dbt docs generate --static --no-compile``: the catalog of the warehouse at
    ``db_path`` and the manifest of the last build, in one self-contained page. Returns the
    page (``static_index.html`` in dbt's target path, :func:`dbt_target_dir`).

    ``--no-compile`` reuses the build's compilation (about 2 s instead of 14 s).
    """
    result = _invoke(["docs", "generate", "--static", "--no-compile"], db_path, project_dir, parse)
    page = dbt_target_dir(db_path) / "static_index.html"
    if not result.success or not page.is_file():
        reason = result.exception or f"see {dbt_log_file(db_path)}"
        raise DbtBuildFailed(f"dbt docs generate failed: {reason}")
    return page
