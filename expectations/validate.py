"""The Great Expectations gate: one checkpoint per layer over the built warehouse, results
stored in audit.ge_validations under a run id, Data Docs rebuilt.

GE's SQL datasource does not work on DuckDB, so each suite's relation is first written to a
Parquet snapshot (one read-only connection, a temporary directory) and GE validates the
snapshots through a pandas filesystem datasource: every suite becomes a validation
definition, and the suites of a layer form one checkpoint (`raw`, `staging`, `marts`).
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations.suites import LAYERS, Rule, SuiteSpec, build_suites
from ingest.db import connect
from xxgk.paths import data_docs_dir

AUDIT_DDL = """
create table if not exists audit.ge_validations (
    run_at timestamp not null,
    suite varchar not null,
    table_name varchar not null,
    expectation varchar not null,
    kwargs varchar not null,
    success boolean not null,
    observed varchar
)
"""
# added after the first release; older warehouses get them on their next run
AUDIT_COLUMNS = (("run_id", "varchar"), ("checkpoint", "varchar"))
AUDIT_INSERT = (
    "insert into audit.ge_validations "
    "(run_at, suite, table_name, expectation, kwargs, success, observed, run_id, checkpoint) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class ValidationFailed(RuntimeError):
    """At least one expectation failed; the message names them."""


@dataclass(frozen=True)
class Outcome:
    suite: str
    table: str
    expectation: str
    kwargs: str
    success: bool
    observed: str
    checkpoint: str = "marts"

    @property
    def label(self) -> str:
        return f"{self.suite}: {self.expectation}({self.kwargs})"


@dataclass(frozen=True)
class ValidationReport:
    outcomes: list[Outcome]
    data_docs: Path
    run_id: str = ""

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def success(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        suites = len({o.suite for o in self.outcomes})
        checkpoints = len({o.checkpoint for o in self.outcomes})
        passed = len(self.outcomes) - len(self.failures)
        return (
            f"{passed}/{len(self.outcomes)} expectations passed in {suites} suites "
            f"({checkpoints} checkpoints)"
        )

    def raise_for_failures(self) -> None:
        if self.failures:
            lines = "\n".join(f"  - {o.label}: observed {o.observed}" for o in self.failures)
            raise ValidationFailed(
                f"{len(self.failures)} expectation(s) failed:\n{lines}\n"
                f"Data Docs: {self.data_docs / 'index.html'}"
            )


def snapshot(db_path: Path | str, suites: list[SuiteSpec], directory: Path) -> None:
    """Write each suite's relation (its query) to ``directory/<suite>.parquet``."""
    import duckdb

    with connect(db_path, read_only=True) as con:
        for suite in suites:
            target = (directory / f"{suite.name}.parquet").as_posix().replace("'", "''")
            try:
                con.execute(f"copy ({suite.sql}) to '{target}' (format parquet)")
            except duckdb.CatalogException as exc:
                raise ValidationFailed(f"{suite.table} is missing from the warehouse") from exc


def _kwargs_text(rule: Rule) -> str:
    shown = {k: v for k, v in rule.kwargs.items() if k != "value_set"}
    if "value_set" in rule.kwargs:
        shown["value_set"] = f"<{len(rule.kwargs['value_set'])} values>"
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def _observed(result: Any) -> str:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return f"error: {info.get('exception_message')}"
    body = result.result or {}
    keep = ("observed_value", "unexpected_count", "unexpected_percent", "partial_unexpected_list")
    return json.dumps({k: body[k] for k in keep if k in body}, ensure_ascii=False, default=str)


def _quiet_great_expectations() -> None:
    """GE sets some of its loggers to INFO (e.g. "Created temporary directory ...")."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


def _context(docs_dir: Path) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    site = {
        "class_name": "SiteBuilder",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    for name in list(context.get_site_names()):
        context.delete_data_docs_site(name)
    context.add_data_docs_site("local_site", site)
    return context


def run_checkpoints(
    snapshot_dir: Path, suites: list[SuiteSpec], docs_dir: Path, run_id: str
) -> list[Outcome]:
    """Validate the snapshots, one checkpoint per layer; build Data Docs in ``docs_dir``."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    _quiet_great_expectations()
    context = _context(docs_dir)
    source = context.data_sources.add_pandas_filesystem("warehouse", base_directory=snapshot_dir)
    by_name = {spec.name: spec for spec in suites}
    definitions: dict[str, list[Any]] = {}
    for spec in suites:
        asset = source.add_parquet_asset(spec.name)
        batch_definition = asset.add_batch_definition_path("all", path=f"{spec.name}.parquet")
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=spec.name,
                expectations=[
                    getattr(gxe, rule.expectation)(**rule.kwargs, meta={"rule": index})
                    for index, rule in enumerate(spec.rules)
                ],
            )
        )
        definitions.setdefault(spec.layer, []).append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=spec.name, data=batch_definition, suite=suite)
            )
        )
    outcomes: list[Outcome] = []
    run = RunIdentifier(run_name=run_id)
    for layer in (layer for layer in LAYERS if layer in definitions):
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=layer, validation_definitions=definitions[layer], actions=[])
        )
        result = checkpoint.run(run_id=run)
        for validation in result.run_results.values():
            spec = by_name[validation.suite_name]
            # GE orders results its own way; the rule index travels in each expectation's meta
            for item in validation.results:
                rule = spec.rules[item.expectation_config.meta["rule"]]
                outcomes.append(
                    Outcome(
                        suite=spec.name,
                        table=spec.table,
                        expectation=rule.expectation,
                        kwargs=_kwargs_text(rule),
                        success=bool(item.success),
                        observed=_observed(item),
                        checkpoint=layer,
                    )
                )
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    context.build_data_docs()
    return outcomes


def record(db_path: Path | str, outcomes: list[Outcome], run_at: datetime, run_id: str) -> None:
    """Append the outcomes to audit.ge_validations (the history of every run)."""
    with connect(db_path) as con:
        con.execute("create schema if not exists audit")
        con.execute(AUDIT_DDL)
        for name, kind in AUDIT_COLUMNS:
            con.execute(f"alter table audit.ge_validations add column if not exists {name} {kind}")
        con.executemany(
            AUDIT_INSERT,
            [
                [run_at, o.suite, o.table, o.expectation, o.kwargs, o.success, o.observed]
                + [run_id, o.checkpoint]
                for o in outcomes
            ],
        )


def _run_id() -> str:
    """The Prefect flow run's id inside a flow run, a fresh UUID otherwise."""
    flow_run_id = None
    if "prefect" in sys.modules:  # importing Prefect only to learn there is no run costs 2 s
        from prefect.runtime import flow_run

        flow_run_id = flow_run.id
    return str(flow_run_id or uuid.uuid4())


def validate_warehouse(
    db_path: Path | str,
    suites: list[SuiteSpec] | None = None,
    layers: tuple[str, ...] = LAYERS,
) -> ValidationReport:
    """Validate the warehouse at ``db_path`` (by default every layer); the caller decides
    what a failure means (see :meth:`ValidationReport.raise_for_failures`)."""
    suites = build_suites(layers=layers) if suites is None else suites
    run_at = datetime.now(UTC).replace(tzinfo=None)
    run_id = _run_id()
    docs_dir = data_docs_dir(Path(db_path))
    with tempfile.TemporaryDirectory(prefix="xxgk-ge-") as tmp:
        snapshot(db_path, suites, Path(tmp))
        outcomes = run_checkpoints(Path(tmp), suites, docs_dir, run_id)
    record(db_path, outcomes, run_at, run_id)
    return ValidationReport(outcomes=outcomes, data_docs=docs_dir, run_id=run_id)


def validate_marts(db_path: Path | str, suites: list[SuiteSpec] | None = None) -> ValidationReport:
    """The marts layer alone (see :func:`validate_warehouse`)."""
    return validate_warehouse(db_path, suites, layers=("marts",))
