"""The Great Expectations gate: one checkpoint per layer over the built warehouse, results
stored in audit.ge_validations under a run id, Data Docs rebuilt.

GE's SQL datasource does not work on DuckDB, so each suite's relation is first written to a
Parquet snapshot (one read-only connection, a temporary directory) and GE validates the
snapshots through a pandas filesystem datasource: every chunk of every suite becomes a
validation definition, and the suites of a layer form one checkpoint (`raw`, `staging`,
`marts`).

Bounded memory. A snapshot holds only the columns the suite's rules read (and the report
key), and a relation of more than ``chunk_rows`` rows (default 500,000;
``XXGK_GE_CHUNK_ROWS``) is written as several Parquet chunks of about that many rows each:
bucket ``hash(report_key) % chunks``, so all the rows of one report share a chunk. GE loads
one chunk at a time. The rule that keeps the outcomes exact: a uniqueness rule in a chunked
suite must include the report key (:class:`~expectations.suites.SuiteSpec` enforces it), so
duplicates always meet in one chunk; a relation with no report key (or whose relation lacks
that column) is one chunk whatever its size, so its uniqueness rules are checked globally.
An expectation succeeds when it succeeds on every chunk; its observed counts are summed over
the chunks (:func:`combine`), and audit.ge_validations keeps one row per expectation per run.

Changed reports only. ``validate_warehouse(..., reports=ids)`` validates the per-report suites
(``SuiteSpec.per_report``: raw tables, staging views, incremental marts) on the rows of those
reports alone, and every other suite whole. After an incremental build the ids are the
reports of meta.changed_reports (:func:`changed_reports`); read them **before** the build,
since a successful build clears that table. ``reports=None`` validates everything.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from core.paths import data_docs_dir
from core.settings import default, load_settings, variable
from expectations.dbt_tests import warehouse_manifest
from expectations.ge_adapter import keep_latest_batch, skip_batch_fingerprint
from expectations.offline_docs import make_offline
from expectations.suites import LAYERS, Rule, SuiteSpec, build_suites
from ingest.db import connect

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
AUDIT_COLUMNS = (("run_id", "varchar"), ("checkpoint", "varchar"), ("scope", "varchar"))
AUDIT_INSERT = (
    "insert into audit.ge_validations (run_at, suite, table_name, expectation, kwargs, "
    "success, observed, run_id, checkpoint, scope) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CHUNK_ROWS_VARIABLE = variable("ge_chunk_rows")
DEFAULT_CHUNK_ROWS: int = default("ge_chunk_rows")
SNAPSHOT_MEMORY = "256MB"  # DuckDB's memory limit while it writes the snapshots
SCOPE_VIEW = "xxgk_validation_scope"  # the reports a changed-only run validates
HELD_BACK = "raw.held_back"  # documents held back from the marts (ingest/db.py)
OBSERVED_KEYS = (
    "observed_value",
    "unexpected_count",
    "unexpected_percent",
    "partial_unexpected_list",
)
PARTIAL_VALUES = 20  # GE's own length of partial_unexpected_list
NARROW_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER")


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
    scope: str = "all reports"  # or "<n> changed reports" (per-report suites only)
    run_at: datetime | None = None  # when the validation started
    seconds: float = 0.0  # how long it took (snapshots, checkpoints, Data Docs)
    # after a failure: report id -> the failed expectations its rows break (offending_reports)
    offenders: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def unattributed(self) -> list[Outcome]:
        """Failures no report's rows account for: a fault of the pipeline, not of a report."""
        named = {label for labels in self.offenders.values() for label in labels}
        return [o for o in self.failures if o.label not in named]

    @property
    def success(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        suites = len({o.suite for o in self.outcomes})
        checkpoints = len({o.checkpoint for o in self.outcomes})
        passed = len(self.outcomes) - len(self.failures)
        return (
            f"{passed}/{len(self.outcomes)} expectations passed in {suites} suites "
            f"({checkpoints} checkpoints; {self.scope})"
        )

    def raise_for_failures(self) -> None:
        if self.failures:
            lines = "\n".join(f"  - {o.label}: observed {o.observed}" for o in self.failures)
            raise ValidationFailed(
                f"{len(self.failures)} expectation(s) failed:\n{lines}\n"
                f"Data Docs: {self.data_docs / 'index.html'}"
            )


@dataclass(frozen=True)
class Snapshot:
    """A suite's relation as written for GE: one Parquet file or directory per chunk."""

    suite: SuiteSpec
    chunks: list[str]  # paths relative to the snapshot directory, one GE batch each
    rows: int


def chunk_rows_setting(chunk_rows: int | None = None) -> int:
    """The chunk size: the argument, else ``XXGK_GE_CHUNK_ROWS``, else the default."""
    value = chunk_rows or load_settings().ge_chunk_rows
    if value < 1:
        raise ValueError(f"chunk rows must be positive, not {value}")
    return value


def changed_reports(db_path: Path | str) -> list[str] | None:
    """The reports in meta.changed_reports (what the next incremental build replaces), or
    None when the warehouse has no such table. An empty list means nothing changed only
    if an incremental build follows; after a full refresh validate everything."""
    with connect(db_path, read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'meta' and table_name = 'changed_reports'"
        ).fetchone()
        if not found or not found[0]:
            return None
        rows = con.execute("select report_id from meta.changed_reports").fetchall()
    return sorted(str(row[0]) for row in rows)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


def _relation_columns(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> dict[str, str]:
    """The relation's columns and their DuckDB types."""
    try:
        described = con.execute(f"describe select * from ({spec.sql}) as relation").fetchall()
    except duckdb.CatalogException as exc:
        raise ValidationFailed(f"{spec.table} is missing from the warehouse") from exc
    return {str(row[0]): str(row[1]) for row in described}


def _select(column: str, kind: str) -> str:
    """A snapshot column: 8- to 32-bit integers and decimals widened, since GE compares
    only int64 and float64 columns vectorised (others value by value, in Python)."""
    if kind in NARROW_INTEGERS:
        return f"cast({_quoted(column)} as bigint) as {_quoted(column)}"
    if kind.startswith("DECIMAL"):
        return f"cast({_quoted(column)} as double) as {_quoted(column)}"
    return _quoted(column)


def _suite_query(
    spec: SuiteSpec, available: dict[str, str], scope_key: str | None, held_key: str | None
) -> str:
    """The suite's relation, projected on the columns its rules read (a column the relation
    lacks is left to GE to report), restricted to the scope's reports by ``scope_key``, and
    without the documents held back (raw.held_back, ingest/hold.py) by ``held_key``: they
    are kept in raw but not served, so not judged again."""
    columns = [_select(c, available[c]) for c in spec.columns if c in available] or ["*"]
    query = f"select {', '.join(columns)} from ({spec.sql}) as relation"
    conditions = []
    if scope_key:
        conditions.append(f"{_quoted(scope_key)} in (select report_id from {SCOPE_VIEW})")
    if held_key:
        conditions.append(f"{_quoted(held_key)} not in (select document_id from {HELD_BACK})")
    if conditions:
        query += " where " + " and ".join(conditions)
    return query


def _snapshot_suite(
    con: duckdb.DuckDBPyConnection,
    spec: SuiteSpec,
    directory: Path,
    chunk_rows: int,
    scoped: bool,
    holds: bool,
) -> Snapshot:
    available = _relation_columns(con, spec)
    key = spec.report_key if spec.report_key in available else None
    query = _suite_query(
        spec, available, key if scoped and spec.per_report else None, key if holds else None
    )
    counted = con.execute(f"select count(*) from ({query})").fetchone()
    rows = int(counted[0]) if counted else 0
    chunks = math.ceil(rows / chunk_rows) if key else 1
    if key is None or chunks <= 1:
        single = directory / f"{spec.name}.parquet"
        con.execute(f"copy ({query}) to {_literal(single)} (format parquet)")
        return Snapshot(spec, [single.name], rows)
    target = directory / spec.name
    bucketed = f"select *, hash({_quoted(key)}) % {chunks} as _chunk from ({query})"
    con.execute(f"copy ({bucketed}) to {_literal(target)} (format parquet, partition_by (_chunk))")
    parts = sorted(target.iterdir(), key=lambda p: int(p.name.partition("=")[2]))
    return Snapshot(spec, [p.relative_to(directory).as_posix() for p in parts], rows)


def _register_scope(con: duckdb.DuckDBPyConnection, reports: Collection[str]) -> None:
    scope = pl.DataFrame({"report_id": sorted(set(reports))}, schema={"report_id": pl.String})
    con.register(SCOPE_VIEW, scope)


def snapshot(
    db_path: Path | str,
    suites: list[SuiteSpec],
    directory: Path,
    *,
    reports: Collection[str] | None = None,
    chunk_rows: int | None = None,
) -> list[Snapshot]:
    """Write each suite's relation (its query, the columns its rules read) under
    ``directory``: ``<suite>.parquet``, or ``<suite>/_chunk=<i>/`` when it has more than
    ``chunk_rows`` rows. With ``reports``, the per-report suites hold those reports' rows
    only. One read-only connection, so every suite sees the same warehouse."""
    limit = chunk_rows_setting(chunk_rows)
    with connect(db_path, read_only=True) as con:
        # COPY streams when the row order need not be kept; DuckDB's share of the peak
        # memory stays at its limit (it spills to disk beyond it)
        con.execute("set preserve_insertion_order = false")
        con.execute(f"set memory_limit = '{SNAPSHOT_MEMORY}'")
        if reports is not None:
            _register_scope(con, reports)
        holds = _has_relation(con, HELD_BACK)
        return [
            _snapshot_suite(con, spec, directory, limit, reports is not None, holds)
            for spec in suites
        ]


def _has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, _, table = name.partition(".")
    found = con.execute(
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ? "
        "and database_name = current_database()",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def _kwargs_text(rule: Rule) -> str:
    shown = {k: v for k, v in rule.kwargs.items() if k != "value_set"}
    if "value_set" in rule.kwargs:
        shown["value_set"] = f"<{len(rule.kwargs['value_set'])} values>"
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def _error(result: Any) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return f"error: {info.get('exception_message')}"
    return None


def _observed(result: Any) -> str:
    error = _error(result)
    if error:
        return error
    body = result.result or {}
    return json.dumps(
        {k: body[k] for k in OBSERVED_KEYS if k in body}, ensure_ascii=False, default=str
    )


def _summed(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """One chunk-wise result body for all chunks: counts summed, the unexpected share
    recomputed over the non-missing values (as GE does), the first unexpected values kept,
    and the observed value of the first chunk that failed (else the last chunk's)."""
    summed: dict[str, Any] = {}
    if any("observed_value" in body for body in bodies):
        failing = [b for b in bodies if b.get("unexpected_count")] or bodies[-1:]
        summed["observed_value"] = failing[0].get("observed_value")
    if any("unexpected_count" in body for body in bodies):
        unexpected = sum(body.get("unexpected_count") or 0 for body in bodies)
        counted = sum(
            (body.get("element_count") or 0) - (body.get("missing_count") or 0) for body in bodies
        )
        summed["unexpected_count"] = unexpected
        summed["unexpected_percent"] = 100 * unexpected / counted if counted else None
    if any("partial_unexpected_list" in body for body in bodies):
        values = [v for body in bodies for v in body.get("partial_unexpected_list") or []]
        summed["partial_unexpected_list"] = values[:PARTIAL_VALUES]
    return summed


def combine(results: list[Any]) -> tuple[bool, str]:
    """An expectation's outcome over its chunks' GE results: it succeeds only if it
    succeeded on every chunk; the observed text is :func:`_observed` of the single chunk, an
    error of any chunk, or the counts summed over the chunks."""
    success = all(bool(result.success) for result in results)
    if len(results) == 1:
        return success, _observed(results[0])
    errors = [error for error in map(_error, results) if error]
    if errors:
        return False, errors[0]
    summed = _summed([result.result or {} for result in results])
    return success, json.dumps(summed, ensure_ascii=False, default=str)


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
    site: Any = {  # GE's DataDocsSiteConfigTypedDict, as its docs write it
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


def _definitions(context: Any, source: Any, snap: Snapshot) -> list[Any]:
    """The suite's validation definitions: one per chunk, all with the suite's rules."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    spec = snap.suite
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=spec.name,
            expectations=[
                getattr(gxe, rule.expectation)(**rule.kwargs, meta={"rule": index})
                for index, rule in enumerate(spec.rules)
            ],
        )
    )
    definitions = []
    for index, path in enumerate(snap.chunks):
        name = spec.name if len(snap.chunks) == 1 else f"{spec.name} chunk {index + 1}"
        # an asset per chunk: GE names a result by suite, run and batch (asset and
        # parameters), so chunks of one asset would overwrite each other's results
        asset = source.add_parquet_asset(name)
        batch_definition = asset.add_batch_definition_path(name, path=path)
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            )
        )
    return definitions


def _outcomes(specs: list[SuiteSpec], results: dict[tuple[str, int], list[Any]], layer: str):
    """One outcome per rule of each suite, combined over the suite's chunks."""
    outcomes = []
    for spec in specs:
        for index, rule in enumerate(spec.rules):
            success, observed = combine(results[(spec.name, index)])
            outcomes.append(
                Outcome(
                    suite=spec.name,
                    table=spec.table,
                    expectation=rule.expectation,
                    kwargs=_kwargs_text(rule),
                    success=success,
                    observed=observed,
                    checkpoint=layer,
                )
            )
    return outcomes


def _run_layer(
    context: Any,
    layer: str,
    definitions: list[Any],
    run_id: str,
    result_format: dict[str, Any] | None = None,
) -> dict:
    """Run the layer's checkpoint; each GE result by (suite, rule index), chunk by chunk."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    formats: dict[str, Any] = {"result_format": result_format} if result_format else {}
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name=layer, validation_definitions=definitions, actions=[], **formats)
    )
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_id))
    if len(result.run_results) != len(definitions):
        raise RuntimeError(
            f"{layer}: GE returned {len(result.run_results)} validation results "
            f"for {len(definitions)} validation definitions"
        )
    by_rule: dict[tuple[str, int], list[Any]] = {}
    for validation in result.run_results.values():
        # GE orders results its own way; the rule index travels in each expectation's meta
        for item in validation.results:
            key = (validation.suite_name, item.expectation_config.meta["rule"])
            by_rule.setdefault(key, []).append(item)
    return by_rule


Counted = Callable[[int, int], None]  # (suites validated, suites): the gate's progress


def run_checkpoints(
    snapshot_dir: Path,
    snapshots: list[Snapshot],
    docs_dir: Path,
    run_id: str,
    progress: Counted | None = None,
) -> list[Outcome]:
    """Validate the snapshots, one checkpoint per layer (each chunk a validation definition,
    loaded one at a time); build Data Docs in ``docs_dir``. ``progress(done, total)`` is
    told the suites validated after each checkpoint."""
    _quiet_great_expectations()
    skip_batch_fingerprint()
    context = _context(docs_dir)
    source = context.data_sources.add_pandas_filesystem("warehouse", base_directory=snapshot_dir)
    definitions: dict[str, list[Any]] = {}
    for snap in snapshots:
        definitions.setdefault(snap.suite.layer, []).extend(_definitions(context, source, snap))
    keep_latest_batch(source)
    outcomes: list[Outcome] = []
    suites = {snap.suite.name for snap in snapshots}
    done: set[str] = set()
    for layer in (layer for layer in LAYERS if layer in definitions):
        if progress is not None:
            progress(len(done), len(suites))
        results = _run_layer(context, layer, definitions[layer], run_id)
        specs = [snap.suite for snap in snapshots if snap.suite.layer == layer]
        outcomes += _outcomes(specs, results, layer)
        done |= {spec.name for spec in specs}
    if progress is not None:
        progress(len(done), len(suites))
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    context.build_data_docs()
    make_offline(docs_dir)
    return outcomes


def _failing_rules(spec: SuiteSpec, labels: set[str]) -> SuiteSpec | None:
    """``spec`` with only its rules whose outcome label is in ``labels`` (None if none)."""
    rules = [
        rule
        for rule in spec.rules
        if f"{spec.name}: {rule.expectation}({_kwargs_text(rule)})" in labels
    ]
    return replace(spec, rules=rules) if rules else None


def offending_reports(
    db_path: Path | str,
    failures: list[Outcome],
    *,
    suites: list[SuiteSpec] | None = None,
    reports: Collection[str] | None = None,
    chunk_rows: int | None = None,
) -> dict[str, tuple[str, ...]]:
    """Which reports' rows break the failed expectations: report id -> the labels of those
    it breaks. GE validates the failed rules of each suite with a report key again, asking
    for the report key of every unexpected row (``unexpected_index_column_names``); a rule
    of a suite without one names no report. Only reads ``db_path``."""
    labels = {o.label for o in failures}
    if suites is None:
        suites = build_suites(manifest=warehouse_manifest(db_path))
    by_name = {spec.name: spec for spec in suites}
    specs = [
        failing
        for name in sorted({o.suite for o in failures})
        if (spec := by_name.get(name)) is not None and spec.report_key is not None
        if (failing := _failing_rules(spec, labels)) is not None
    ]
    offenders: dict[str, set[str]] = {}
    if not specs:
        return {}
    _quiet_great_expectations()
    with tempfile.TemporaryDirectory(prefix="xxgk-ge-") as tmp:
        directory = Path(tmp)
        snapshots = snapshot(db_path, specs, directory, reports=reports, chunk_rows=chunk_rows)
        context = _context(directory / "data_docs")
        source = context.data_sources.add_pandas_filesystem("warehouse", base_directory=directory)
        for snap in snapshots:
            key = snap.suite.report_key
            result_format = {
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [key],
                "partial_unexpected_count": 0,
            }
            definitions = _definitions(context, source, snap)
            name = snap.suite.name
            results = _run_layer(context, name, definitions, "attribution", result_format)
            for (_, index), items in results.items():
                rule = snap.suite.rules[index]
                label = f"{snap.suite.name}: {rule.expectation}({_kwargs_text(rule)})"
                for item in items:
                    for row in (item.result or {}).get("unexpected_index_list") or []:
                        offenders.setdefault(str(row[key]), set()).add(label)
    return {report: tuple(sorted(found)) for report, found in sorted(offenders.items())}


def validate_and_attribute(
    db_path: Path | str,
    reports: Collection[str] | None,
    run_id: str,
    progress: Counted | None = None,
    chunk_rows: int | None = None,
) -> ValidationReport:
    """The gate of a refresh: :func:`validate_warehouse` (without recording it), and after a
    failure the reports whose rows break the failed expectations (:func:`offending_reports`),
    so that the run can hold them back and publish the rest. ``chunk_rows``: the run's
    XXGK_GE_CHUNK_ROWS, given by the flow (the gate's process reads no setting)."""
    report = validate_warehouse(
        db_path,
        reports=reports,
        run_id=run_id,
        audit=False,
        progress=progress,
        chunk_rows=chunk_rows,
    )
    if report.success:
        return report
    offenders = offending_reports(db_path, report.failures, reports=reports)
    return replace(report, offenders=offenders)


def write_validation(con: duckdb.DuckDBPyConnection, report: ValidationReport) -> None:
    """Append ``report``'s outcomes to audit.ge_validations (the history of every run)
    through ``con``."""
    run_at = report.run_at or datetime.now(UTC).replace(tzinfo=None)
    con.execute("create schema if not exists audit")
    con.execute(AUDIT_DDL)
    for name, kind in AUDIT_COLUMNS:
        con.execute(f"alter table audit.ge_validations add column if not exists {name} {kind}")
    con.executemany(
        AUDIT_INSERT,
        [
            [run_at, o.suite, o.table, o.expectation, o.kwargs, o.success, o.observed]
            + [report.run_id, o.checkpoint, report.scope]
            for o in report.outcomes
        ],
    )


def record_validation(db_path: Path | str, report: ValidationReport) -> None:
    """:func:`write_validation` into the warehouse at ``db_path``."""
    with connect(db_path) as con:
        write_validation(con, report)


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
    *,
    reports: Collection[str] | None = None,
    chunk_rows: int | None = None,
    run_id: str | None = None,
    audit: bool = True,
    progress: Counted | None = None,
) -> ValidationReport:
    """Validate the warehouse at ``db_path`` (by default every layer); the caller decides
    what a failure means (see :meth:`ValidationReport.raise_for_failures`).

    ``reports``: None validates every row (after a full refresh, or whenever in doubt); a
    collection of report ids validates the per-report suites on those reports' rows only
    and every other suite whole (after an incremental build: the ids that were in
    meta.changed_reports before it, see :func:`changed_reports`; an empty collection then
    means nothing changed). ``chunk_rows`` bounds the rows GE loads at once (default
    ``XXGK_GE_CHUNK_ROWS`` or 500,000). ``run_id`` names the validation in
    audit.ge_validations (default: the Prefect flow run's id inside one, else a UUID).
    ``audit=False`` only reads ``db_path`` and leaves recording the outcomes to the caller
    (:func:`record_validation`): the refresh flow stages the next version from the same file
    meanwhile. ``progress(done, total)`` is told the suites validated as checkpoints end
    (picklable when the validation runs in another process, e.g. core.progress.CountFile)."""
    if suites is None:
        suites = build_suites(layers=layers, manifest=warehouse_manifest(db_path))
    scope = "all reports" if reports is None else f"{len(set(reports))} changed reports"
    run_at = datetime.now(UTC).replace(tzinfo=None)
    started = time.monotonic()
    run_id = run_id or _run_id()
    docs_dir = data_docs_dir(Path(db_path))
    with tempfile.TemporaryDirectory(prefix="xxgk-ge-") as tmp:
        snapshots = snapshot(db_path, suites, Path(tmp), reports=reports, chunk_rows=chunk_rows)
        outcomes = run_checkpoints(Path(tmp), snapshots, docs_dir, run_id, progress)
    report = ValidationReport(
        outcomes,
        docs_dir,
        run_id=run_id,
        scope=scope,
        run_at=run_at,
        seconds=time.monotonic() - started,
    )
    if audit:
        record_validation(db_path, report)
    return report


def validate_marts(
    db_path: Path | str,
    suites: list[SuiteSpec] | None = None,
    *,
    reports: Collection[str] | None = None,
    chunk_rows: int | None = None,
) -> ValidationReport:
    """The marts layer alone (see :func:`validate_warehouse`)."""
    return validate_warehouse(
        db_path, suites, layers=("marts",), reports=reports, chunk_rows=chunk_rows
    )
