"""The Great Expectations gate at scale: chunked snapshots and changed-reports-only runs.

A small warehouse of every relation the suites read (twelve reports, a few hundred rows,
written with SQL in the shape of the dbt relations; the built relations' own checks are in
tests/transform/test_dbt_models.py) is validated with a tiny chunk size, so every large-relation
path (several Parquet chunks per suite) runs. Each test plants its defects with SQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from expectations.suites import APPLICANTS, Rule, SuiteSpec, build_suites, check_codes
from expectations.suites import template_metric_codes as metric_codes
from expectations.validate import (
    CHUNK_ROWS_VARIABLE,
    DEFAULT_CHUNK_ROWS,
    ValidationReport,
    changed_reports,
    chunk_rows_setting,
    snapshot,
    validate_warehouse,
)

TINY = 7  # rows per chunk: every per-report relation is several chunks
UNCHUNKED = 10**9
REPORTS = 12

# one row per report (r) or per report and cell (r, cell); $metrics, $applicants, $checks are
# lists of valid codes
PER_REPORT = f"from range({REPORTS}) t(i), (select 'r' || lpad(i::varchar, 3, '0') as id) r"
PER_CELL = PER_REPORT + (
    ", (select unnest($metrics[1:3]) as metric_code) m, (select unnest($applicants) as applicant) a"
)
RELATIONS = {
    "raw.documents": "select r.id as document_id, r.id || '.txt' as source_file, "
    "'txt' as media_type, 'ok' as extraction_status, '正文' as text " + PER_REPORT,
    "raw.report_attributes": "select r.id as document_id, 'old' as template, "
    "'parsed' as parse_status " + PER_REPORT,
    "raw.cells": "select r.id as document_id, metric_code, applicant, "
    "'printed' as value_status, 1 + i as source_line " + PER_CELL,
    "raw.prose_numbers": "select r.id as document_id, 'requests_received' as measure, "
    "'region' as subject, '41' as value_text " + PER_REPORT,
    "staging.stg_cells": "select r.id as document_id, 'printed' as value_status, "
    "1.0 as value " + PER_CELL,
    "staging.stg_prose_numbers": "select r.id as document_id, 41.0 as value " + PER_REPORT,
    "marts.dim_report": "select r.id as report_id, r.id || '.txt' as source_file, "
    "'old' as template, 'aggregate' as scope, 2010 + i % 10 as report_year, "
    "'640400' as region_code " + PER_REPORT,
    "marts.fct_report_metrics": "select r.id as report_id, metric_code, applicant, "
    "1.0 * i as value, 'printed' as value_status " + PER_CELL,
    # an identity check: dbt accepts no other code in fct_check_results
    "marts.fct_check_results": "select r.id as report_id, 't3.balance' as check_code, "
    "'pass' as status " + PER_REPORT,
    "marts.fct_harmonised_metrics": "select r.id as report_id, "
    "'requests_received' as measure_code, 'exact' as comparability " + PER_REPORT,
    "marts.fct_quality_checks": "select r.id as report_id, $checks[1] as check_code, "
    "'fail' as status, 'warn' as severity " + PER_REPORT,
    "marts.fct_report_quality": "select r.id as report_id, 'B' as quality_grade " + PER_REPORT,
    "marts.fct_check_summary": "select $checks[1] as check_code, 0.5 as failure_share",
    "marts.fct_series_coverage": "select 'aggregate:640400' as series_key, "
    "2010 + i as report_year from range(10) t(i)",
    "marts.fct_report_metrics_reviewed": "select r.id as report_id, metric_code, applicant, "
    "'as_printed' as review_status " + PER_CELL,
    "marts.fct_quality_checks_reviewed": "select r.id as report_id, $checks[1] as check_code, "
    "'fail' as status, 'fail' as printed_status, 'open' as review_state, "
    "null::varchar as verdict " + PER_REPORT,
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    codes = {"metrics": metric_codes(), "applicants": APPLICANTS, "checks": check_codes()}
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw; create schema staging; create schema marts")
        for name, sql in RELATIONS.items():
            used = {key: value for key, value in codes.items() if f"${key}" in sql}
            con.execute(f"create table {name} as {sql}", used)
    return db


def report_id(number: int) -> str:
    return f"r{number:03d}"


def plant(db: Path, *statements: str) -> None:
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)


def failed(report: ValidationReport) -> set[tuple[str, str]]:
    return {(o.suite, o.kwargs.split(",")[0]) for o in report.failures}


def unexpected(report: ValidationReport) -> dict[str, tuple[bool, int | None]]:
    """Each outcome's success and unexpected count, by label."""
    return {
        o.label: (o.success, json.loads(o.observed).get("unexpected_count"))
        for o in report.outcomes
    }


@pytest.mark.slow  # build_suites() parses the dbt project
def test_chunks_keep_every_row_of_a_report_together(warehouse: Path, tmp_path: Path) -> None:
    snapshots = {
        s.suite.name: s for s in snapshot(warehouse, build_suites(), tmp_path, chunk_rows=TINY)
    }
    metrics = snapshots["fct_report_metrics"]
    assert len(metrics.chunks) > 3
    assert snapshots["fct_series_coverage"].chunks == ["fct_series_coverage.parquet"]  # no key
    with duckdb.connect() as con:
        per_chunk = [
            con.execute(
                f"select count(*), list(distinct report_id) from '{tmp_path / chunk}/*.parquet'"
            ).fetchone()
            for chunk in metrics.chunks
        ]
    assert sum(rows for rows, _ in per_chunk) == metrics.rows
    reports = [report for _, ids in per_chunk for report in ids]
    assert sorted(reports) == [report_id(n) for n in range(REPORTS)]  # each in one chunk


@pytest.mark.slow
def test_chunked_validation_gives_the_unchunked_outcomes(warehouse: Path) -> None:
    plant(  # unexpected values in three reports, so the counts are summed over chunks
        warehouse,
        "update marts.fct_report_metrics set value_status = 'guessed' "
        "where report_id in ('r001', 'r004', 'r009') and applicant = 'total'",
        "update marts.dim_report set report_year = 1999 where report_id = 'r002'",
    )
    whole = validate_warehouse(warehouse, chunk_rows=UNCHUNKED)
    chunked = validate_warehouse(warehouse, chunk_rows=TINY)
    assert unexpected(chunked) == unexpected(whole)
    assert failed(chunked) == {
        ("fct_report_metrics", "column=value_status"),
        ("dim_report", "column=report_year"),
    }
    assert unexpected(chunked)[
        "fct_report_metrics: ExpectColumnValuesToBeInSet(column=value_status, value_set=<4 values>)"
    ] == (False, 9)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("select run_id, count(*) from audit.ge_validations group by run_id")
        assert set(runs.fetchall()) == {
            (whole.run_id, len(whole.outcomes)),
            (chunked.run_id, len(whole.outcomes)),
        }


@pytest.mark.slow
def test_duplicates_are_caught_in_chunks(warehouse: Path) -> None:
    plant(
        warehouse,
        # a cell twice within one report (a compound key with report_id)
        "insert into marts.fct_report_metrics select * from marts.fct_report_metrics "
        "where report_id = 'r005' limit 1",
        # a report twice in the one-row-per-report dimension (report_id unique overall)
        "insert into marts.dim_report select * from marts.dim_report where report_id = 'r007'",
    )
    report = validate_warehouse(warehouse, chunk_rows=TINY)
    assert failed(report) == {
        ("fct_report_metrics", "column_list=['report_id'"),
        ("dim_report", "column=report_id"),
    }
    counts = unexpected(report)
    assert counts["dim_report: ExpectColumnValuesToBeUnique(column=report_id)"] == (False, 2)


@pytest.mark.slow
def test_changed_reports_only_validates_their_rows_and_whole_tables(warehouse: Path) -> None:
    plant(
        warehouse,
        "update raw.cells set value_status = 'guessed' where document_id = 'r003'",
        "update marts.fct_report_metrics set value = -1 where report_id = 'r003'",
        "update marts.dim_report set scope = 'planet' where report_id = 'r008'",
    )
    unchanged = validate_warehouse(warehouse, reports=["r001"], chunk_rows=TINY)
    assert failed(unchanged) == {("dim_report", "column=scope")}  # validated whole
    assert unchanged.scope == "1 changed reports"
    changed = validate_warehouse(warehouse, reports=["r003", "r001"], chunk_rows=TINY)
    assert failed(changed) == {
        ("raw_cells", "column=value_status"),
        ("fct_report_metrics", "column=unsigned_value"),
        ("dim_report", "column=scope"),
    }
    nothing = validate_warehouse(warehouse, reports=[], chunk_rows=TINY)
    assert failed(nothing) == {("dim_report", "column=scope")}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scopes = con.execute("select distinct scope from audit.ge_validations").fetchall()
    assert {s for (s,) in scopes} == {"1 changed reports", "2 changed reports", "0 changed reports"}


def test_changed_reports_reads_the_build_plan(warehouse: Path) -> None:
    assert changed_reports(warehouse) is None
    plant(
        warehouse,
        "create schema meta",
        "create table meta.changed_reports (report_id varchar primary key)",
        "insert into meta.changed_reports values ('r004'), ('r002')",
    )
    assert changed_reports(warehouse) == ["r002", "r004"]


@pytest.mark.slow  # build_suites() parses the dbt project
def test_a_uniqueness_rule_must_include_the_report_key() -> None:
    with pytest.raises(ValueError, match="not exact in chunks"):
        SuiteSpec(
            name="bad",
            table="marts.fct_report_metrics",
            report_key="report_id",
            rules=[Rule("ExpectColumnValuesToBeUnique", {"column": "metric_code"})],
        )
    for spec in build_suites():  # and the suites obey it
        assert spec.report_key or not spec.per_report


def test_chunk_rows_come_from_the_argument_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CHUNK_ROWS_VARIABLE, "123")
    assert chunk_rows_setting() == 123
    assert chunk_rows_setting(5) == 5
    monkeypatch.delenv(CHUNK_ROWS_VARIABLE)
    assert chunk_rows_setting() == DEFAULT_CHUNK_ROWS
