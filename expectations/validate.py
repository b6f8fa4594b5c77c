"""Run the suites over the built marts, record the outcome, build Data Docs."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations.suites import Rule, SuiteSpec, build_suites
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

    @property
    def label(self) -> str:
        return f"{self.suite}: {self.expectation}({self.kwargs})"


@dataclass(frozen=True)
class ValidationReport:
    outcomes: list[Outcome]
    data_docs: Path

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def success(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        suites = len({o.suite for o in self.outcomes})
        passed = len(self.outcomes) - len(self.failures)
        return f"{passed}/{len(self.outcomes)} expectations passed in {suites} suites"

    def raise_for_failures(self) -> None:
        if self.failures:
            lines = "\n".join(f"  - {o.label}: observed {o.observed}" for o in self.failures)
            raise ValidationFailed(
                f"{len(self.failures)} expectation(s) failed on the marts:\n{lines}\n"
                f"Data Docs: {self.data_docs / 'index.html'}"
            )


def load_frames(db_path: Path | str, suites: list[SuiteSpec]) -> dict[str, Any]:
    """Each suite's mart as a prepared pandas frame (read-only connection, closed after)."""
    import duckdb

    frames = {}
    with connect(db_path, read_only=True) as con:
        for suite in suites:
            try:
                frame = con.execute(f"select * from {suite.table}").df()
            except duckdb.CatalogException as exc:
                raise ValidationFailed(f"{suite.table} is missing from the warehouse") from exc
            frames[suite.name] = suite.prepare(frame)
    return frames


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


def run_suites(frames: dict[str, Any], suites: list[SuiteSpec], docs_dir: Path) -> list[Outcome]:
    """Validate each frame with its suite; build Data Docs in ``docs_dir``."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    _quiet_great_expectations()
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("marts")
    outcomes: list[Outcome] = []
    for spec in suites:
        asset = source.add_dataframe_asset(spec.name)
        batch_definition = asset.add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=spec.name,
                expectations=[
                    getattr(gxe, rule.expectation)(**rule.kwargs, meta={"rule": index})
                    for index, rule in enumerate(spec.rules)
                ],
            )
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch_definition, suite=suite)
        )
        result = definition.run(batch_parameters={"dataframe": frames[spec.name]})
        # GE orders results its own way; the rule index travels in each expectation's meta
        for item in result.results:
            rule = spec.rules[item.expectation_config.meta["rule"]]
            outcomes.append(
                Outcome(
                    suite=spec.name,
                    table=spec.table,
                    expectation=rule.expectation,
                    kwargs=_kwargs_text(rule),
                    success=bool(item.success),
                    observed=_observed(item),
                )
            )
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    context.build_data_docs()
    return outcomes


def record(db_path: Path | str, outcomes: list[Outcome], run_at: datetime) -> None:
    """Append the outcomes to audit.ge_validations."""
    with connect(db_path) as con:
        con.execute("create schema if not exists audit")
        con.execute(AUDIT_DDL)
        con.executemany(
            "insert into audit.ge_validations values (?, ?, ?, ?, ?, ?, ?)",
            [
                [run_at, o.suite, o.table, o.expectation, o.kwargs, o.success, o.observed]
                for o in outcomes
            ],
        )


def validate_marts(db_path: Path | str, suites: list[SuiteSpec] | None = None) -> ValidationReport:
    """Validate the marts of the warehouse at ``db_path``; the caller decides what a failure
    means (see :meth:`ValidationReport.raise_for_failures`)."""
    suites = build_suites() if suites is None else suites
    run_at = datetime.now(UTC).replace(tzinfo=None)
    docs_dir = data_docs_dir(Path(db_path))
    outcomes = run_suites(load_frames(db_path, suites), suites, docs_dir)
    record(db_path, outcomes, run_at)
    return ValidationReport(outcomes=outcomes, data_docs=docs_dir)
